package io.github.beedjava.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.beedjava.config.Profile;
import io.github.beedjava.config.TrainingConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lock semantics a single process can see; the two-process case is {@code cli.TrainLockTest}. */
class RunLockTest {

  @Test
  void aLockFromAnotherHostIsNeverReclaimed(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve(RunLock.FILE), "host=node-17\npid=1\nstarted=2026-01-01T00:00:00Z\n");
    RunLock.RunLockedException e = assertThrows(RunLock.RunLockedException.class, () -> RunLock.acquire(dir));
    assertTrue(e.getMessage().contains("pid 1 on node-17") && e.getMessage().contains("delete"), e.getMessage());
  }

  @Test
  void aRequeuedSlurmTaskTakesOverItsOwnLockFromAnotherNodeButNoOtherTasks(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve(RunLock.FILE), "host=node-17\npid=1\nstarted=2026-01-01T00:00:00Z\nslurm_job=4242_3\n");
    String other = holdLock(dir, "4242", "7");
    assertTrue(other.contains("in use by pid 1 on node-17"), "task 7 of the same array must not take task 3's lock: " + other);
    String requeued = holdLock(dir, "4242", "3");
    assertTrue(requeued.startsWith("locked "), "the requeued task 3 takes its own lock over: " + requeued);
  }

  /** Runs {@link LockHolder} in a child JVM as a Slurm array task; returns its first line or its error. */
  private static String holdLock(Path dir, String arrayJob, String task) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(), dir.toString()).redirectErrorStream(true);
    pb.environment().put("SLURM_ARRAY_JOB_ID", arrayJob);
    pb.environment().put("SLURM_ARRAY_TASK_ID", task);
    Process p = pb.start();
    p.getOutputStream().close(); // LockHolder releases the lock when stdin closes
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    p.waitFor();
    for (String line : out.split("\n")) {
      if (line.startsWith("locked ") || line.contains("in use by")) {
        return line;
      }
    }
    return out;
  }

  @Test
  void aFinishedRunIsStillReusedWhileLocked(@TempDir Path dir) throws Exception {
    // Reuse only reads: it needs no lock, so a finished run answers even while another process holds one.
    TrainingConfig c = Profile.SMOKE.defaults().epochs(1).build();
    Path run = dir.resolve("run");
    RunSummary first = new Trainer(c, RunOptions.in(run), TrainingListener.SILENT).run();
    try (RunLock other = RunLock.acquire(run)) {
      RunSummary again = new Trainer(c, RunOptions.in(run), TrainingListener.SILENT).run();
      assertEquals(first.paramsSha256(), again.paramsSha256());
    }
  }
}
