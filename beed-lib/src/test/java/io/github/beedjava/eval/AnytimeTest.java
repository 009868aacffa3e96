package io.github.beedjava.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.beedjava.data.Datasets;
import io.github.beedjava.report.AnytimeReport;
import io.github.beedjava.train.Checkpoint;
import io.github.beedjava.train.Profile;
import io.github.beedjava.train.RunOptions;
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

    Files.delete(run.resolve(Checkpoint.FILE));
    IOException missing = assertThrows(IOException.class, () -> TrainedRun.load(run, null));
    assertTrue(missing.getMessage().contains("checkpoint.bin: missing"), missing.getMessage());
  }

  @Test
  void aRunWithoutUnusedTrainingImagesHasNoHeldOutSplit() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Datasets.heldOut("cifar100", dir, 0, 100));
    assertTrue(e.getMessage().contains("--train-subset"), e.getMessage());
  }
}
