package io.github.beedjava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.beedjava.train.LockHolder;
import io.github.beedjava.train.RunLock;
import io.github.beedjava.train.Trainer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two processes on one run directory: the second is refused (exit code 2, the holder named, nothing
 * written); after the holder dies without releasing, its stale lock is reclaimed.
 */
class TrainLockTest {

  @Test
  void aSecondProcessIsRefusedAndADeadHoldersLockIsReclaimed(@TempDir Path dir) throws Exception {
    Path run = dir.resolve("run");
    Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(), run.toString())
        .redirectErrorStream(true).start();
    try {
      String first = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8)).readLine();
      assertEquals("locked " + holder.pid(), first);
      RunLock.RunLockedException refused = assertThrows(RunLock.RunLockedException.class, () -> RunLock.acquire(run));
      assertTrue(refused.getMessage().contains("in use by pid " + holder.pid() + " on "), refused.getMessage());
      // the CLI reports it as bad input: one line, exit code 2, before any training
      CliRunner.Result r = CliRunner.run("train", "--profile", "smoke", "--epochs", "1", "--out", run.toString(), "-q");
      assertEquals(2, r.code(), r.err());
      assertTrue(r.err().contains("in use by pid " + holder.pid()), r.err());
      assertFalse(Files.exists(run.resolve(Trainer.CONFIG_FILE)), "the refused process wrote into the run");
    } finally {
      holder.destroyForcibly();
      holder.waitFor(30, TimeUnit.SECONDS);
    }
    // killed without releasing: its lock stays behind, and the next process reclaims it
    assertTrue(Files.exists(run.resolve(RunLock.FILE)));
    try (RunLock mine = RunLock.acquire(run)) {
      assertTrue(Files.readString(run.resolve(RunLock.FILE)).contains("pid=" + ProcessHandle.current().pid()));
    }
    assertFalse(Files.exists(run.resolve(RunLock.FILE)), "close() releases the lock");
  }

}
