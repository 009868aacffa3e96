package io.github.beedjava.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.beedjava.config.Profile;
import io.github.beedjava.data.Datasets;
import io.github.beedjava.report.AnytimeReport;
import io.github.beedjava.train.Checkpoint;
import io.github.beedjava.train.RunOptions;
import io.github.beedjava.train.TrainedRun;
import io.github.beedjava.train.Trainer;
import io.github.beedjava.train.TrainingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnytimeTest {
  @TempDir Path dir;

  @Test
  void aTrainedRunGivesAnEarlyExitCurveBetweenItsFirstExitAndItsMainNetwork() throws IOException {
    Path run = dir.resolve("run");
    new Trainer(Profile.SMOKE.defaults().build(), RunOptions.in(run), TrainingListener.SILENT).run();
    TrainedRun trained = TrainedRun.load(run, null);
    AnytimeReport.RunCurve curve = AnytimeReport.of("BEED", trained, 300);
    assertEquals(300, curve.heldOutImages());
    assertEquals(AnytimeReport.PROFILES.length, curve.curve().size());
    double first = curve.classifierMflops()[0];
    for (BudgetedExit.Point p : curve.curve()) {
      assertTrue(p.averageMflops() >= first - 1e-9 && p.averageMflops() <= curve.ensembleMflops() + 1e-9, "cost " + p.averageMflops());
      assertEquals(1.0, java.util.Arrays.stream(p.exitFractions()).sum(), 1e-9);
    }
    assertTrue(AnytimeReport.table(List.of(curve)).rowCount() > 0);
    assertTrue(AnytimeReport.chart(List.of(curve), "t").getSeriesMap().size() >= 2);

    // Without the checkpoint the run's weights.npz gives the same network; altered or missing, a clear error.
    org.nd4j.linalg.api.ndarray.INDArray batch = io.github.beedjava.data.BatchLoader.load(trained.data().test(),
        new int[] {0, 1, 2, 3}, 0, 4, null, org.nd4j.linalg.api.buffer.DataType.FLOAT).input();
    org.nd4j.linalg.api.ndarray.INDArray before = trained.network().logits(batch).ensembleLogits().dup();
    Files.delete(run.resolve(Checkpoint.FILE));
    TrainedRun fromWeights = TrainedRun.load(run, null);
    assertEquals(before, fromWeights.network().logits(batch).ensembleLogits());
    Path weights = run.resolve(io.github.beedjava.train.RunWeights.FILE);
    assertEquals(io.github.beedjava.data.FileDigest.hex(weights, "SHA-256"),
        io.github.beedjava.train.RunSummary.read(run.resolve(io.github.beedjava.train.RunSummary.FILE)).weightsSha256());
    io.github.beedjava.interop.NpzArchive npz = io.github.beedjava.interop.NpzArchive.read(weights);
    io.github.beedjava.interop.NpzWriter altered = new io.github.beedjava.interop.NpzWriter();
    for (String k : npz.keys()) {
      altered.put(k, k.equals("linear.bias") ? npz.get(k).add(1e-3) : npz.get(k));
    }
    altered.write(weights);
    IOException changed = assertThrows(IOException.class, () -> TrainedRun.load(run, null));
    assertTrue(changed.getMessage().contains("weights.npz: its SHA-256 differs from summary.json's weightsSha256"), changed.getMessage());
    Files.delete(weights);
    IOException missing = assertThrows(IOException.class, () -> TrainedRun.load(run, null));
    assertTrue(missing.getMessage().contains("neither checkpoint.bin nor weights.npz"), missing.getMessage());
  }

  @Test
  void aRunWithoutUnusedTrainingImagesHasNoHeldOutSplit() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Datasets.heldOut("cifar100", dir, 0, 100));
    assertTrue(e.getMessage().contains("--train-subset"), e.getMessage());
  }
}
