package io.github.beedjava.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety: a smoke run killed with SIGKILL at random points and resumed each time ends with
 * exactly the parameters (SHA-256) and loss curve of the same run uninterrupted. Runs the real
 * CLI in child JVMs with the same flags and thread count.
 */
class CrashResumeTest {
  @TempDir Path dir;

  private Process start(Path out, Path log) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    String flags = System.getProperty("beed.jvm.flags", "");
    cmd.addAll(Arrays.stream(flags.split("\\s+")).filter(s -> !s.isBlank()).toList());
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.github.beedjava.cli.BeedCli",
        "train", "--profile", "smoke", "--quiet", "--checkpoint-every", "1", "--out", out.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("OMP_NUM_THREADS", "2");
    return pb.start();
  }

  private String runToEnd(Path out, Path log) throws Exception {
    Process p = start(out, log);
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "training did not finish");
    String text = Files.readString(log);
    assertEquals(0, p.exitValue(), text);
    return text.lines().filter(l -> l.startsWith("paramsSha256: ")).findFirst().orElseThrow(() -> new AssertionError(text)).substring(14);
  }

  /** metrics.csv without the timing columns, which legitimately differ. */
  private static List<String> lossesAndAccuracies(Path run) throws IOException {
    return Files.readAllLines(run.resolve(Trainer.METRICS_FILE)).stream()
        .map(l -> String.join(",", Arrays.asList(l.split(",")).subList(0, l.split(",").length - 3)))
        .toList();
  }

  @Test
  void killedAndResumedRunEqualsTheUninterruptedRun() throws Exception {
    Path clean = dir.resolve("clean");
    String expected = runToEnd(clean, dir.resolve("clean.log"));

    Path crashed = dir.resolve("crashed");
    long seed = System.nanoTime();
    Random random = new Random(seed);
    int kills = 0;
    for (int attempt = 0; attempt < 3; attempt++) {
      Path checkpoint = crashed.resolve(Checkpoint.FILE);
      long before = Files.exists(checkpoint) ? Files.getLastModifiedTime(checkpoint).toMillis() : -1;
      Process p = start(crashed, dir.resolve("kill" + attempt + ".log"));
      // wait until this process has written a checkpoint (training under way), then kill at a random moment
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (p.isAlive() && System.nanoTime() < deadline
          && (!Files.exists(checkpoint) || Files.getLastModifiedTime(checkpoint).toMillis() == before)) {
        Thread.sleep(20);
      }
      Thread.sleep(random.nextInt(2500));
      if (p.isAlive()) {
        p.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no flushing
        p.waitFor();
        kills++;
      }
    }
    assertTrue(kills >= 2, "expected to kill the run mid-way at least twice (random seed " + seed + ")");
    String resumed = runToEnd(crashed, dir.resolve("resume.log"));
    assertEquals(expected, resumed, "resumed run differs from the uninterrupted one (random seed " + seed + ")");
    assertEquals(lossesAndAccuracies(clean), lossesAndAccuracies(crashed));
    assertTrue(Files.readString(crashed.resolve("provenance.json")).contains("\"resumes\""));
  }
}
