package io.github.beedjava.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.beedjava.train.Checkpoint;
import io.github.beedjava.train.RunSummary;
import io.github.beedjava.train.RunWeights;
import io.github.beedjava.train.TrainedRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The weights committed with the ResNet18 Table 2 runs of seed 1 rebuild each run's network on a
 * clone (no checkpoint, no training) and give exactly the test accuracies its summary records.
 */
class CommittedWeightsTest {

  @ParameterizedTest
  @ValueSource(strings = {
    "resnet18-none-baseline-fashion-mnist-quick-s1-1b86d9a00dbb",
    "resnet18-bottleneck-ce-fashion-mnist-quick-s1-6ab7370f6308",
    "resnet18-bottleneck-kd-fashion-mnist-quick-s1-7a764e88a2cf",
    "resnet18-bottleneck-eed-fashion-mnist-quick-s1-6fc446289920",
    "resnet18-bottleneck-beed-fashion-mnist-quick-s1-7d56fbda6881"
  })
  void committedWeightsReproduceTheRecordedTestAccuracies(String runId) throws IOException {
    // The repository's committed results, not $BEED_RESULTS_DIR (where the other tests train)
    Path run = Path.of(System.getProperty("beed.repository", "..")).resolve("results").resolve("runs").resolve(runId);
    assertTrue(Files.exists(run.resolve(RunWeights.FILE)), run + ": weights.npz is not committed");
    assertFalse(Files.exists(run.resolve(Checkpoint.FILE)), run + ": a checkpoint would hide what a clone has");
    RunSummary summary = RunSummary.read(run.resolve(RunSummary.FILE));
    TrainedRun trained = TrainedRun.load(run, null);
    Accuracies measured = Evaluator.evaluate(trained.network(), trained.data().test(), 500);
    Accuracies recorded = summary.finalAccuracies();
    assertEquals(recorded.names(), measured.names());
    for (String name : List.copyOf(recorded.asMap().keySet())) {
      assertEquals(recorded.asMap().get(name), measured.asMap().get(name), 1e-9, runId + " " + name);
    }
    assertNotNull(summary.weightsSha256(), run + ": summary.json records no weightsSha256");
  }
}
