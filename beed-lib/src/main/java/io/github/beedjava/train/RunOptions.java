package io.github.beedjava.train;

import io.github.beedjava.config.TrainingConfig;
import java.nio.file.Path;

/**
 * How to run a config, none of which changes its result.
 *
 * @param runDir the run directory (config.json, provenance.json, metrics.csv, summary.json, checkpoint)
 * @param dataDir the dataset folder, or null for the dataset's default location
 * @param checkpointEvery also checkpoint every this many iterations (0: at the end of each epoch only)
 * @param force retrain even when a finished run with the same config exists, discarding it
 */
public record RunOptions(Path runDir, Path dataDir, int checkpointEvery, boolean force) {

  /** Checks the values. */
  public RunOptions {
    if (runDir == null) {
      throw new IllegalArgumentException("out: a run directory is required");
    }
    if (checkpointEvery < 0) {
      throw new IllegalArgumentException("checkpointEvery: must be >= 0, got " + checkpointEvery);
    }
  }

  /** Default options for a run directory: default data location, epoch checkpoints, reuse. */
  public static RunOptions in(Path runDir) {
    return new RunOptions(runDir, null, 0, false);
  }

  /** The default run directory of a config: {@code results/runs/<run id>} of the repository. */
  public static Path defaultRunDir(TrainingConfig config) {
    return resultsRoot().resolve("runs").resolve(config.runId());
  }

  /**
   * The results folder: {@code $BEED_RESULTS_DIR} when set (CI points it into {@code target/}),
   * else the repository's {@code results/} ({@code -Dbeed.home}, else the working directory).
   */
  public static Path resultsRoot() {
    String env = System.getenv("BEED_RESULTS_DIR");
    if (env != null && !env.isBlank()) {
      return Path.of(env).toAbsolutePath();
    }
    return io.github.beedjava.runtime.BuildInfo.home().resolve("results");
  }
}
