package io.github.beedjava.train;

import java.nio.file.Path;

/** A second process for {@link RunLockTest}: takes a run directory's lock, says so, holds it until stdin closes. */
public final class LockHolder {
  private LockHolder() {}

  /** {@code args[0]}: the run directory. */
  public static void main(String[] args) throws Exception {
    try (RunLock lock = RunLock.acquire(Path.of(args[0]))) {
      System.out.println("locked " + ProcessHandle.current().pid());
      System.out.flush();
      System.in.read();
    }
  }
}
