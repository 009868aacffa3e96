package io.github.beedjava.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A clone re-executes notebooks/anytime-inference.ipynb at the quick profile from the committed
 * ResNet18 runs alone: their weights.npz rebuild the networks, nothing trains, no run file changes.
 */
class CommittedRunsNotebookIT {
  /** The runs whose weights.npz the repository carries (what a clone has). */
  private static final List<String> COMMITTED = List.of(
      "resnet18-none-baseline-fashion-mnist-quick-s1-1b86d9a00dbb",
      "resnet18-bottleneck-ce-fashion-mnist-quick-s1-6ab7370f6308",
      "resnet18-bottleneck-kd-fashion-mnist-quick-s1-7a764e88a2cf",
      "resnet18-bottleneck-eed-fashion-mnist-quick-s1-6fc446289920",
      "resnet18-bottleneck-beed-fashion-mnist-quick-s1-7d56fbda6881");

  @Test
  void anytimeInferenceRunsFromTheCommittedWeightsWithoutTraining() throws Exception {
    Path results = ExternalTools.target().resolve("it-committed-results");
    Path runs = results.resolve("runs");
    Files.createDirectories(runs);
    Map<Path, byte[]> before = new HashMap<>();
    for (String id : COMMITTED) {
      Path run = ExternalTools.home().resolve("results").resolve("runs").resolve(id);
      Path copy = runs.resolve(id);
      Files.createDirectories(copy);
      for (String f : List.of("config.json", "provenance.json", "metrics.csv", "summary.json", "weights.npz")) {
        Files.copy(run.resolve(f), copy.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      before.put(copy.resolve("summary.json"), Files.readAllBytes(copy.resolve("summary.json")));
    }
    assertEquals(5, before.size(), "the five ResNet18 Table 2 runs of seed 1 carry weights.npz");

    Path out = ExternalTools.target().resolve("it-committed");
    Path log = out.resolve("anytime-inference.log");
    int code = ExternalTools.run(List.of("jupyter", "nbconvert", "--to", "notebook", "--execute",
        "--ExecutePreprocessor.kernel_name=beed-java", "--ExecutePreprocessor.timeout=900",
        "--output-dir", out.toString(), "--output", "anytime-inference.ipynb",
        ExternalTools.home().resolve("notebooks").resolve("anytime-inference.ipynb").toString()), log, 1800,
        Map.of("BEED_PROFILE", "quick", "BEED_RESULTS_DIR", results.toString()));
    assertEquals(0, code, "anytime-inference at quick failed:\n" + Files.readString(log));

    for (var e : before.entrySet()) {
      assertArrayEquals(e.getValue(), Files.readAllBytes(e.getKey()), e.getKey() + " changed: the run was trained again");
      assertFalse(Files.exists(e.getKey().resolveSibling("checkpoint.bin")), e.getKey().getParent() + " was trained again");
    }
    String executed = Files.readString(out.resolve("anytime-inference.ipynb"));
    assertTrue(executed.contains("image/png"), "no figure in the executed notebook");
    assertFalse(executed.contains("\"output_type\": \"error\""), "an error output in the executed notebook");
  }
}
