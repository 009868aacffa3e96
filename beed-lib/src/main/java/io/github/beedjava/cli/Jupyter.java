package io.github.beedjava.cli;

import io.github.beedjava.runtime.BuildInfo;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Runs Jupyter's command-line tools for the {@code kernel} and {@code notebook} commands. */
final class Jupyter {
  private Jupyter() {}

  /** The kernelspec folder that {@code mvn package} assembles. */
  static Path kernelspec() throws IOException {
    Path dir = BuildInfo.home().resolve("kernel/target/jupyter/kernels/beed-java");
    if (!Files.isRegularFile(dir.resolve("kernel.json"))) {
      throw new IOException(dir.resolve("kernel.json") + ": missing; build the kernel first: mvn -B -DskipTests package (./beed does this)");
    }
    return dir;
  }

  /** {@code JUPYTER_PATH} with this checkout's kernelspec root first, so no install is needed. */
  static String jupyterPath() throws IOException {
    String own = kernelspec().getParent().getParent().toString();
    String old = System.getenv("JUPYTER_PATH");
    return old == null || old.isBlank() ? own : own + File.pathSeparator + old;
  }

  /** Runs a command with inherited output; returns its exit code. */
  static int run(List<String> command, Map<String, String> env) throws IOException {
    try {
      ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
      pb.environment().putAll(env);
      return pb.start().waitFor();
    } catch (IOException e) {
      throw new IOException("cannot run " + command.get(0) + " (" + e.getMessage()
          + "); install Jupyter: apt-get install jupyter-nbconvert jupyter-client python3-nbclient (or bash environment/setup.sh)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + command.get(0), e);
    }
  }
}
