package io.github.beedjava.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** Versions, git state and hardware of this process, for provenance. */
public final class BuildInfo {
  private BuildInfo() {}

  private static final Properties BUILD = load();

  private static Properties load() {
    Properties p = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream("/io/github/beedjava/build.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // provenance then says "unknown"
    }
    return p;
  }

  /** BEED-Java's version. */
  public static String version() {
    return BUILD.getProperty("beed.version", "unknown");
  }

  /** The Deeplearning4j / ND4J version this was built against. */
  public static String dl4jVersion() {
    return BUILD.getProperty("dl4j.version", "unknown");
  }

  /** The repository root: {@code -Dbeed.home} (set by ./beed) or the working directory. */
  public static Path home() {
    return Path.of(System.getProperty("beed.home", ".")).toAbsolutePath().normalize();
  }

  /** {@code HEAD}'s commit of the repository, or {@code unknown} outside a git checkout. */
  public static String gitCommit() {
    String out = git("rev-parse", "HEAD");
    return out == null || out.isBlank() ? "unknown" : out.trim();
  }

  /**
   * True when the checkout has uncommitted changes to tracked files outside {@code results/}: a run
   * rewriting its own committed results folder (with {@code --force}) does not change the code it ran.
   */
  public static boolean gitDirty() {
    String out = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)results");
    return out != null && !out.isBlank();
  }

  private static String git(String... args) {
    try {
      List<String> cmd = new java.util.ArrayList<>(List.of("git", "-C", home().toString()));
      cmd.addAll(List.of(args));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return null;
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The CPU model from /proc/cpuinfo, or the OS architecture. */
  public static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return System.getProperty("os.arch");
  }

  /** One line: CPU model, cores, OpenMP threads (or the GPU backend). */
  public static String hardware() {
    return cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores, OMP_NUM_THREADS="
        + System.getenv().getOrDefault("OMP_NUM_THREADS", "unset");
  }

  /** Peak resident set size of this process in MiB (Linux VmHWM), or -1 when unknown. */
  public static double peakRssMiB() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return -1;
  }
}
