package io.github.beedjava.train;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Ownership of a run directory by one process at a time: a {@code .lock} file holding the owner's
 * host, pid and start time, created atomically (a hard link of a complete temporary file, which
 * fails when the lock exists). A lock left by a dead process on this host is reclaimed; a live one,
 * or one from another host (whose processes this one cannot see), refuses with the holder's name,
 * unless the holder was the same Slurm job (its array task): Slurm runs a job once at a time, so a
 * requeued task that finds its own earlier lock on another node takes it over.
 * Closing releases the lock if it is still this process's.
 */
public final class RunLock implements AutoCloseable {
  /** The lock file inside a run directory. */
  public static final String FILE = ".lock";

  private final Path file;
  private final String content;

  private RunLock(Path file, String content) {
    this.file = file;
    this.content = content;
  }

  /** Thrown when another process owns the run directory; the CLI reports it with exit code 2. */
  public static final class RunLockedException extends IOException {
    RunLockedException(String message) {
      super(message);
    }
  }

  /**
   * Takes the lock of a run directory, creating the directory if needed.
   *
   * @throws RunLockedException naming the holder when a live or foreign process owns it
   */
  public static RunLock acquire(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve(FILE);
    String job = slurmJob();
    String content = "host=" + host() + "\npid=" + ProcessHandle.current().pid() + "\nstarted=" + Instant.now() + "\n"
        + (job == null ? "" : "slurm_job=" + job + "\n");
    for (int attempt = 0; attempt < 2; attempt++) {
      Path tmp = Files.createTempFile(dir, ".lock-", ".tmp");
      try {
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        try {
          Files.createLink(file, tmp);
        } catch (UnsupportedOperationException noHardLinks) {
          // a file system without hard links: create-if-absent is still atomic, the content follows
          Files.writeString(file, content, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE_NEW,
              java.nio.file.StandardOpenOption.WRITE);
        }
        return new RunLock(file, content);
      } catch (FileAlreadyExistsException held) {
        Map<String, String> holder = read(file);
        if (holder == null) {
          continue; // released between our attempt and the read
        }
        if (!staleHere(holder) && !(job != null && job.equals(holder.get("slurm_job")))) {
          throw new RunLockedException(dir + ": run directory is in use by pid " + holder.getOrDefault("pid", "?")
              + " on " + holder.getOrDefault("host", "?") + " since " + holder.getOrDefault("started", "?")
              + "; wait for it to finish, or, if that process is gone, delete " + file);
        }
        Files.deleteIfExists(file); // a dead process's lock on this host, or this Slurm job's before a requeue
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
    throw new RunLockedException(dir + ": could not take " + file + " (it kept changing); is another process starting this run?");
  }

  /** The lock's fields, or null when there is no lock file. */
  static Map<String, String> read(Path file) throws IOException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException gone) {
      return null;
    }
    Map<String, String> fields = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        fields.put(line.substring(0, eq), line.substring(eq + 1).trim());
      }
    }
    return fields;
  }

  /** True for a lock of this host whose process no longer runs. */
  private static boolean staleHere(Map<String, String> holder) {
    if (!host().equals(holder.get("host"))) {
      return false;
    }
    try {
      long pid = Long.parseLong(holder.getOrDefault("pid", ""));
      return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /**
   * This process's Slurm job ({@code <array job>_<task>} for an array task, else the job id), or
   * null outside Slurm. A requeued job keeps its id.
   */
  static String slurmJob() {
    String array = System.getenv("SLURM_ARRAY_JOB_ID");
    String task = System.getenv("SLURM_ARRAY_TASK_ID");
    if (array != null && task != null) {
      return array + "_" + task;
    }
    return System.getenv("SLURM_JOB_ID");
  }

  /** This machine's name as the lock records it. */
  static String host() {
    String name = ManagementFactory.getRuntimeMXBean().getName(); // "pid@host"
    int at = name.indexOf('@');
    return at >= 0 ? name.substring(at + 1) : name;
  }

  /** Releases the lock if it is still this process's. */
  @Override
  public void close() throws IOException {
    try {
      if (content.equals(Files.readString(file, StandardCharsets.UTF_8))) {
        Files.deleteIfExists(file);
      }
    } catch (NoSuchFileException gone) {
      // someone deleted it by hand; nothing to release
    }
  }
}
