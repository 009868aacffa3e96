package io.github.beedjava.experiment;

import io.github.beedjava.train.RunOptions;
import io.github.beedjava.train.RunSummary;
import io.github.beedjava.train.Trainer;
import io.github.beedjava.train.TrainingListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Runs what an experiment is missing: every entry trains into {@code <results>/runs/<run id>}, so a
 * finished run is reused and an unfinished one resumes from its checkpoint (see {@link Trainer}).
 */
public final class ExperimentRunner {
  private final Path resultsRoot;
  private final Path dataDir;
  private final boolean force;
  private final Function<Experiment.Entry, TrainingListener> listeners;

  /**
   * @param resultsRoot the {@code results/} folder
   * @param dataDir dataset folder, or null for the default location
   * @param force retrain finished runs
   * @param listeners progress receiver per entry
   */
  public ExperimentRunner(Path resultsRoot, Path dataDir, boolean force, Function<Experiment.Entry, TrainingListener> listeners) {
    this.resultsRoot = resultsRoot;
    this.dataDir = dataDir;
    this.force = force;
    this.listeners = listeners;
  }

  /** The run directory of an entry. */
  public Path runDir(Experiment.Entry entry) {
    return resultsRoot.resolve("runs").resolve(entry.config().runId());
  }

  /**
   * The finished run of a config under {@code <resultsRoot>/runs}, if its summary is there.
   *
   * @throws IOException naming the file when the directory holds another config's run
   */
  public static java.util.Optional<RunSummary> finished(Path resultsRoot, io.github.beedjava.config.TrainingConfig config) throws IOException {
    Path summary = resultsRoot.resolve("runs").resolve(config.runId()).resolve(RunSummary.FILE);
    if (!java.nio.file.Files.exists(summary)) {
      return java.util.Optional.empty();
    }
    RunSummary r = RunSummary.read(summary);
    if (!r.configHash().equals(config.hash())) {
      throw new IOException(summary + ": a run of config " + r.configHash() + ", expected " + config.hash()
          + "; move it away or retrain with --force");
    }
    return java.util.Optional.of(r);
  }

  /** Trains (or reuses) every entry in order and collects the results. */
  public ExperimentResult run(Experiment experiment) throws IOException {
    List<RunSummary> summaries = new ArrayList<>();
    for (Experiment.Entry entry : experiment.entries()) {
      RunOptions options = new RunOptions(runDir(entry), dataDir, 0, force);
      summaries.add(new Trainer(entry.config(), options, listeners.apply(entry)).run());
    }
    return new ExperimentResult(experiment, summaries);
  }
}
