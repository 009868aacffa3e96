package io.github.beedjava.kernel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs Jupyter, Python and Chromium for the integration tests, with this build's kernelspec. */
final class ExternalTools {
  private ExternalTools() {}

  /** kernel/target (the failsafe working directory is the module folder). */
  static Path target() {
    return Path.of("target").toAbsolutePath();
  }

  /** The repository root. */
  static Path home() {
    return Path.of("..").toAbsolutePath().normalize();
  }

  /** Environment with this build's kernelspec, smoke profile and results under target/. */
  static Map<String, String> env() {
    return Map.of(
        "JUPYTER_PATH", target().resolve("jupyter").toString(),
        "JUPYTER_DATA_DIR", target().resolve("jupyter-data").toString(),
        "JUPYTER_RUNTIME_DIR", target().resolve("jupyter-runtime").toString(),
        "BEED_PROFILE", "smoke",
        "BEED_MODELS", "resnet18",
        "BEED_SEEDS", "1",
        "BEED_TRAIN", "true",
        "BEED_RESULTS_DIR", target().resolve("it-results").toString(),
        "PYDEVD_DISABLE_FILE_VALIDATION", "1");
  }

  /** Runs a command to completion; its output goes to {@code log}. */
  static int run(List<String> command, Path log, long timeoutSeconds) throws IOException, InterruptedException {
    return run(command, log, timeoutSeconds, Map.of());
  }

  /** {@link #run(List, Path, long)} with some of {@link #env()}'s variables replaced. */
  static int run(List<String> command, Path log, long timeoutSeconds, Map<String, String> overrides)
      throws IOException, InterruptedException {
    requireTool(command.get(0));
    Files.createDirectories(log.getParent());
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env());
    pb.environment().putAll(overrides);
    Process p = pb.start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(command + " did not finish in " + timeoutSeconds + " s; log " + log);
    }
    return p.exitValue();
  }

  /** Fails with the install command when a tool is missing (CI installs them via environment/setup.sh). */
  static void requireTool(String tool) {
    boolean found = Path.of(tool).isAbsolute() ? Files.isExecutable(Path.of(tool))
        : List.of(System.getenv("PATH").split(":")).stream().anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    assertTrue(found, tool + " is not installed; run bash environment/setup.sh (it installs environment/apt.txt)");
  }
}
