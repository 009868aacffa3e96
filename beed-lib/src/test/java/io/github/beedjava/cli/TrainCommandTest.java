package io.github.beedjava.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.beedjava.data.FashionMnist;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {
  @TempDir Path dir;

  @Test
  void damagedCheckpointIsAClearErrorAndLeavesEarlierResultsUntouched() throws IOException {
    Path run = dir.resolve("run");
    CliRunner.Result first = CliRunner.run("train", "--profile", "smoke", "--epochs", "1", "--quiet", "--out", run.toString());
    assertEquals(0, first.code(), first.err());
    assertTrue(first.out().contains("paramsSha256: "), first.out());
    // Make it look unfinished with a damaged checkpoint.
    Files.delete(run.resolve("summary.json"));
    Path checkpoint = run.resolve("checkpoint.bin");
    byte[] all = Files.readAllBytes(checkpoint);
    Files.write(checkpoint, Arrays.copyOf(all, all.length / 2));
    byte[] metrics = Files.readAllBytes(run.resolve("metrics.csv"));
    byte[] truncated = Files.readAllBytes(checkpoint);

    CliRunner.Result r = CliRunner.run("train", "--profile", "smoke", "--epochs", "1", "--quiet", "--out", run.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("checkpoint.bin: checkpoint is truncated or damaged"), r.err());
    assertArrayEquals(metrics, Files.readAllBytes(run.resolve("metrics.csv")));
    assertArrayEquals(truncated, Files.readAllBytes(checkpoint));
  }

  @Test
  void unreadableConfigsAreClearErrors() throws IOException {
    CliRunner.Result missing = CliRunner.run("train", "--config", dir.resolve("none.json").toString());
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("none.json: cannot read config"), missing.err());
    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, "{\"epochs\": ");
    CliRunner.Result invalid = CliRunner.run("train", "--config", bad.toString());
    assertEquals(2, invalid.code());
    assertTrue(invalid.err().contains("bad.json: not valid JSON"), invalid.err());
    CliRunner.Result gamma = CliRunner.run("train", "--profile", "smoke", "--gamma", "1.5");
    assertEquals(2, gamma.code());
    assertTrue(gamma.err().contains("gamma:"), gamma.err());
    CliRunner.Result unknown = CliRunner.run("train", "--profile", "smoke", "--param", "beta=0.5");
    assertEquals(2, unknown.code());
    assertTrue(unknown.err().contains("objective parameter 'beta' is unknown; declared: gamma, lambda, temperature"), unknown.err());
  }

  @Test
  void objectiveParametersByNameEqualTheirOwnOptions() throws IOException {
    TrainCommand byName = new TrainCommand();
    new picocli.CommandLine(byName).parseArgs("--profile", "smoke", "--param", "lambda=1.3", "--param", "gamma=1.1");
    TrainCommand byOption = new TrainCommand();
    new picocli.CommandLine(byOption).parseArgs("--profile", "smoke", "--lambda", "1.3", "--gamma", "1.1");
    assertEquals(byOption.config(), byName.config());
    assertEquals(1.3, byName.config().lambda());
  }

  @Test
  void corruptDatasetIsAClearErrorAndNoRunDirectoryIsCreated() throws IOException {
    Path data = dir.resolve("fmnist");
    Files.createDirectories(data);
    for (Path f : FashionMnist.files(data)) {
      Files.write(f, new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0}); // a gzip header cut short
    }
    Path run = dir.resolve("run");
    CliRunner.Result r = CliRunner.run("train", "--profile", "quick", "--data-dir", data.toString(), "--out", run.toString(), "--quiet");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("train-labels-idx1-ubyte.gz") || r.err().contains("train-images-idx3-ubyte.gz"), r.err());
    assertTrue(r.err().contains("dataset-fashion-mnist"), r.err());
    assertFalse(Files.exists(run));
  }

  @Test
  void predictNeedsAFinishedRun() {
    CliRunner.Result r = CliRunner.run("predict", "--run", dir.resolve("nothing").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("not a finished run"), r.err());
  }

  @Test
  void benchPrintsItsLastLine() {
    CliRunner.Result r = CliRunner.run("bench", "--width", "0.0625", "--batch", "4", "--warmup", "1", "--iterations", "2");
    assertEquals(0, r.code(), r.err());
    String[] lines = r.out().strip().split("\n");
    assertTrue(lines[lines.length - 1].matches("bench: train [0-9.]+ img/s, infer [0-9.]+ img/s, rss [0-9]+ MiB"), lines[lines.length - 1]);
  }
}
