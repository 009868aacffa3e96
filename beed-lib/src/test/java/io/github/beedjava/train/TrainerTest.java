package io.github.beedjava.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import io.github.beedjava.config.Profile;
import io.github.beedjava.config.TrainingConfig;
import io.github.beedjava.objective.Method;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
  @TempDir Path dir;

  @Test
  void smokeTrainingLearnsWithEveryClassifierAndWritesTheRunFiles() throws IOException {
    TrainingConfig config = Profile.SMOKE.defaults().build();
    Path run = dir.resolve("beed");
    RunSummary s = new Trainer(config, RunOptions.in(run), TrainingListener.SILENT).run();
    double chance = 100.0 / 10;
    for (var e : s.finalAccuracies().asMap().entrySet()) {
      assertTrue(e.getValue() >= 4 * chance, e.getKey() + " reached only " + e.getValue() + "% (chance " + chance + "%)");
    }
    assertEquals(List.of("Exit1", "Exit2", "Exit3", "Main"), s.finalAccuracies().names());
    assertTrue(s.paramsSha256().matches("[0-9a-f]{64}"));

    List<String> csv = Files.readAllLines(run.resolve(Trainer.METRICS_FILE));
    assertEquals(1 + config.epochs(), csv.size());
    assertTrue(csv.get(0).startsWith("epoch,lr,loss,CE1,KD1,FD1,"), csv.get(0));
    assertTrue(csv.get(0).contains("acc_Exit1,acc_Exit2,acc_Exit3,acc_Main,acc_Ensemble"), csv.get(0));

    var prov = JsonParser.parseString(Files.readString(run.resolve("provenance.json"))).getAsJsonObject();
    for (String key : List.of("gitCommit", "gitDirty", "dl4jVersion", "backend", "hardware", "dataset", "startTime", "endTime", "wallSeconds")) {
      assertTrue(prov.has(key), "provenance.json lacks " + key);
    }
    assertEquals("finished", prov.get("status").getAsString());
    assertEquals(config, TrainingConfig.fromJson(Files.readString(run.resolve(Trainer.CONFIG_FILE)), "config.json"));
    var summary = JsonParser.parseString(Files.readString(run.resolve(RunSummary.FILE))).getAsJsonObject();
    for (String key : List.of("method", "model", "exits", "dataset", "profile", "epochs", "seed", "gitCommit", "hardware", "backend", "wallSeconds", "paramsSha256", "bestMainEpoch", "final")) {
      assertTrue(summary.has(key), "summary.json lacks " + key);
    }

    // Same config again: reused, not retrained, files untouched.
    long before = Files.getLastModifiedTime(run.resolve(RunSummary.FILE)).toMillis();
    RunSummary again = new Trainer(config, RunOptions.in(run), TrainingListener.SILENT).run();
    assertTrue(again.reused());
    assertEquals(s.paramsSha256(), again.paramsSha256());
    assertEquals(before, Files.getLastModifiedTime(run.resolve(RunSummary.FILE)).toMillis());

    // Another config in the same directory is refused.
    TrainingConfig other = config.toBuilder().seed(2).build();
    IOException e = assertThrows(IOException.class, () -> new Trainer(other, RunOptions.in(run), TrainingListener.SILENT).run());
    assertTrue(e.getMessage().contains("another config"), e.getMessage());
  }

  @Test
  void baselineTrainsTheMainNetworkAlone() throws IOException {
    TrainingConfig config = Profile.SMOKE.defaults().method(Method.BASELINE).build();
    RunSummary s = new Trainer(config, RunOptions.in(dir.resolve("base")), TrainingListener.SILENT).run();
    assertEquals(List.of("Main"), s.finalAccuracies().names());
    assertTrue(s.finalAccuracies().main() >= 40, "baseline reached only " + s.finalAccuracies().main());
  }

  @Test
  void divergenceStopsWithoutACheckpointAfterIt() throws IOException {
    TrainingConfig config = Profile.SMOKE.defaults().lr(1e5).build();
    Path run = dir.resolve("nan");
    TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
        () -> new Trainer(config, new RunOptions(run, null, 1, false), TrainingListener.SILENT).run());
    assertTrue(e.getMessage().matches("(?s).*loss term \\w+ \\(classifier \\w+\\) is (NaN|-?Infinity) at epoch 1, iteration \\d+.*"), e.getMessage());
    int iteration = Integer.parseInt(e.getMessage().replaceAll("(?s).*iteration (\\d+).*", "$1"));
    if (iteration > 1) {
      Checkpoint last = Checkpoint.read(run.resolve(Checkpoint.FILE));
      assertEquals(iteration - 1, last.nextBatch(), "the last checkpoint is the one before the diverged step");
    } else {
      assertFalse(Files.exists(run.resolve(Checkpoint.FILE)));
    }
    var prov = JsonParser.parseString(Files.readString(run.resolve("provenance.json"))).getAsJsonObject();
    assertEquals("diverged", prov.get("status").getAsString());
  }

  @Test
  void missingDataFailsBeforeAnyFileIsWritten() {
    TrainingConfig config = Profile.QUICK.defaults().build();
    Path run = dir.resolve("nodata");
    IOException e = assertThrows(IOException.class,
        () -> new Trainer(config, new RunOptions(run, dir.resolve("empty"), 0, false), TrainingListener.SILENT).run());
    assertTrue(e.getMessage().contains("fashion-mnist"), e.getMessage());
    assertFalse(Files.exists(run));
  }
}
