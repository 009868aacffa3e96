package io.github.beedjava.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
