package io.github.beedjava.train;

import io.github.beedjava.config.TrainingConfig;
import io.github.beedjava.data.BatchLoader;
import io.github.beedjava.data.DataSplits;
import io.github.beedjava.data.Datasets;
import io.github.beedjava.data.EpochOrder;
import io.github.beedjava.engine.Nd4jRuntime;
import io.github.beedjava.eval.Accuracies;
import io.github.beedjava.eval.Evaluator;
import io.github.beedjava.network.MultiExitNetwork;
import io.github.beedjava.objective.LossResult;
import io.github.beedjava.optim.PyTorchSgd;
import io.github.beedjava.runtime.AtomicFiles;
import io.github.beedjava.runtime.BuildInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Trains one {@link TrainingConfig} into a run directory (docs/training.md): reuses a finished
 * run with the same config hash, resumes an unfinished one from its checkpoint, otherwise starts
 * fresh. Each epoch trains on the shuffled, augmented training split, then evaluates every
 * classifier and the ensemble on the test split; checkpoints are written atomically at the end of
 * each epoch and every {@link RunOptions#checkpointEvery()} iterations.
 */
public final class Trainer {
  /** The CSV of per-epoch metrics inside a run directory. */
  public static final String METRICS_FILE = "metrics.csv";

  /** The config inside a run directory. */
  public static final String CONFIG_FILE = "config.json";

  private final TrainingConfig config;
  private final RunOptions options;
  private final TrainingListener listener;

  /**
   * @param config what to train
   * @param options where and how
   * @param listener progress receiver ({@link TrainingListener#SILENT} for none)
   */
  public Trainer(TrainingConfig config, RunOptions options, TrainingListener listener) {
    this.config = config;
    this.options = options;
    this.listener = listener;
  }

  /** Trains a config into its default run directory with epoch checkpoints and quiet output. */
  public static RunSummary train(TrainingConfig config) throws IOException {
    return new Trainer(config, RunOptions.in(RunOptions.defaultRunDir(config)), TrainingListener.SILENT).run();
  }

  /**
   * Runs (or reuses, or resumes) the training.
   *
   * @throws IOException for unreadable data, checkpoints or run files (message names the file)
   * @throws TrainingDivergedException when a loss term becomes NaN or infinite
   */
  public RunSummary run() throws IOException {
    Path dir = options.runDir();
    String hash = config.hash();
    Path summaryFile = dir.resolve(RunSummary.FILE);
    Path checkpointFile = dir.resolve(Checkpoint.FILE);
    if (!options.force()) {
      checkSameConfig(dir, hash);
      if (Files.exists(summaryFile)) {
        RunSummary done = RunSummary.read(summaryFile);
        if (done.configHash().equals(hash)) {
          RunSummary reused = done.asReused();
          listener.message("reusing finished run " + dir + " (same config hash " + hash + "; --force retrains)");
          listener.finished(reused);
          return reused;
        }
      }
    }
    // Everything that can fail on bad input happens before any training or any file changes.
    DataSplits data = Datasets.load(config.dataset(), options.dataDir(), config.trainSubset(), config.testSubset(), config.data().imageSize());
    Checkpoint resume = null;
    if (!options.force() && Files.exists(checkpointFile)) {
      resume = Checkpoint.read(checkpointFile);
      if (!resume.configHash().equals(hash)) {
        throw new IOException(checkpointFile + ": belongs to config " + resume.configHash() + ", not " + hash + "; use another --out or --force");
      }
    }
    // From here on the run directory changes: one process at a time (a second one is refused).
    try (RunLock lock = RunLock.acquire(dir)) {
      if (!options.force() && Files.exists(summaryFile) && RunSummary.read(summaryFile).configHash().equals(hash)) {
        RunSummary reused = RunSummary.read(summaryFile).asReused(); // finished by another process meanwhile
        listener.message("reusing finished run " + dir + " (finished while this process waited)");
        listener.finished(reused);
        return reused;
      }
      if (!options.force() && resume == null && Files.exists(checkpointFile)) {
        resume = Checkpoint.read(checkpointFile); // written by another process meanwhile
        if (!resume.configHash().equals(hash)) {
          throw new IOException(checkpointFile + ": belongs to config " + resume.configHash() + ", not " + hash + "; use another --out or --force");
        }
      }
      return train(dir, hash, data, resume, summaryFile, checkpointFile);
    }
  }

  private RunSummary train(Path dir, String hash, DataSplits data, Checkpoint resume, Path summaryFile, Path checkpointFile)
      throws IOException {
    MultiExitNetwork net = MultiExitNetwork.create(
        config.modelConfig(data.numClasses(), data.train().channels(), data.train().imageSize()));
    PyTorchSgd sgd = new PyTorchSgd(config.optimisation().momentum(), config.optimisation().weightDecay());
    if (options.force()) {
      for (String f : List.of(Checkpoint.FILE, RunSummary.FILE, METRICS_FILE, Provenance.FILE)) {
        Files.deleteIfExists(dir.resolve(f));
      }
    }
    Files.createDirectories(dir);
    List<EpochMetrics> history = new ArrayList<>();
    int startEpoch = 0;
    int startBatch = 0;
    double wallBefore = 0;
    EpochProgress progress = new EpochProgress();
    int resumes = 0;
    if (resume != null) {
      checkShape(resume.params(), net.graph().params(), checkpointFile);
      net.graph().params().assign(resume.params().reshape(net.graph().params().shape()));
      sgd.restoreMomentumBuffer(resume.momentum());
      history.addAll(resume.finished());
      startEpoch = resume.epoch();
      startBatch = resume.nextBatch();
      wallBefore = resume.wallSeconds();
      progress = resume.epochProgress();
      resumes = 1 + previousResumes(dir);
      listener.message(String.format("resuming %s at epoch %d, batch %d (checkpoint %s)", config.runId(), startEpoch + 1, startBatch, checkpointFile));
    }
    AtomicFiles.writeString(dir.resolve(CONFIG_FILE), config.toJson() + "\n");
    Provenance provenance = new Provenance(config, data, resume != null ? Provenance.firstStart(dir) : Instant.now(), resumes);
    provenance.write(dir, "running", wallBefore);
    writeMetrics(dir, history);

    long segmentStart = System.nanoTime();
    TrainingStep step = new TrainingStep(net, config.objective().objective(config.numClassifiers()), sgd);
    int n = data.train().size();
    int batches = (n + config.batchSize() - 1) / config.batchSize();
    int k = config.numClassifiers();
    listener.started(config, dir, startEpoch, startBatch, batches);
    boolean stopAfterEpoch = false;
    try {
      for (int epoch = startEpoch; epoch < config.epochs(); epoch++) {
        double lr = config.schedule().lr(epoch);
        int[] order = EpochOrder.permutation(n, config.seed(), epoch);
        for (int b = (epoch == startEpoch ? startBatch : 0); b < batches; b++) {
          long t0 = System.nanoTime();
          int from = b * config.batchSize();
          int count = Math.min(config.batchSize(), n - from);
          BatchLoader.Batch batch = BatchLoader.load(
              data.train(), order, from, count, EpochOrder.augmentation(config.seed(), epoch, b), DataType.FLOAT);
          LossResult loss = step.forwardBackward(batch.input(), batch.labels());
          NanGuard.check(loss, epoch + 1, b + 1, k);
          step.update(lr);
          progress.add(loss.total(), loss.terms(), count, (System.nanoTime() - t0) / 1e9);
          listener.batch(epoch, b, batches, progress.meanLoss(), progress.images() / Math.max(1e-9, progress.trainSeconds()));
          boolean epochEnd = b == batches - 1;
          // Clear the flag first: file channels refuse to work on an interrupted thread.
          boolean interrupted = Thread.interrupted();
          stopAfterEpoch |= interrupted && epochEnd;
          if (!epochEnd && (interrupted || options.checkpointEvery() > 0 && (b + 1) % options.checkpointEvery() == 0)) {
            new Checkpoint(hash, epoch, b + 1, progress, history, wallBefore + seconds(segmentStart), net.graph().params(), sgd.momentumBuffer())
                .write(checkpointFile);
          }
          if (interrupted && !epochEnd) {
            throw interrupted(provenance, wallBefore + seconds(segmentStart), epoch + 1, b + 1);
          }
        }
        long e0 = System.nanoTime();
        Accuracies acc = Evaluator.evaluate(net, data.test(), config.batchSize());
        EpochMetrics metrics = new EpochMetrics(epoch + 1, lr, progress.means(), acc, progress.trainSeconds(),
            seconds(e0), progress.images() / Math.max(1e-9, progress.trainSeconds()));
        history.add(metrics);
        progress = new EpochProgress();
        stopAfterEpoch |= Thread.interrupted();
        new Checkpoint(hash, epoch + 1, 0, progress, history, wallBefore + seconds(segmentStart), net.graph().params(), sgd.momentumBuffer())
            .write(checkpointFile);
        writeMetrics(dir, history);
        listener.epoch(config, metrics);
        if (stopAfterEpoch && epoch + 1 < config.epochs()) {
          throw interrupted(provenance, wallBefore + seconds(segmentStart), epoch + 2, 0);
        }
      }
    } catch (TrainingDivergedException e) {
      provenance.write(dir, "diverged", wallBefore + seconds(segmentStart));
      throw e;
    }
    double wall = wallBefore + seconds(segmentStart);
    String weightsSha = RunWeights.write(dir, net);  // before the summary, which marks the run finished
    RunSummary summary = summarize(history, Checkpoint.sha256Of(net.graph().params()), weightsSha, wall, provenance.commitLabel());
    provenance.write(dir, "finished", wall);
    AtomicFiles.writeString(summaryFile, summary.toJson());
    // The checkpoint of a finished run is only needed to extend it; the summary marks it finished.
    listener.finished(summary);
    return summary;
  }

  /** Stops on an interrupt (notebook cell stopped, Ctrl-C in a worker): the checkpoint is already written. */
  private java.util.concurrent.CancellationException interrupted(Provenance provenance, double wall, int epoch, int batch)
      throws IOException {
    provenance.write(options.runDir(), "interrupted", wall);
    return new java.util.concurrent.CancellationException(String.format(
        "training of %s interrupted; a checkpoint at epoch %d, batch %d was written: run it again to resume",
        config.runId(), epoch, batch));
  }

  private RunSummary summarize(List<EpochMetrics> history, String paramsSha, String weightsSha, double wall, String commit) {
    EpochMetrics last = history.get(history.size() - 1);
    EpochMetrics best = last;
    for (EpochMetrics m : history) {
      if (m.accuracies().main() > best.accuracies().main()) {
        best = m;
      }
    }
    return new RunSummary(config.runId(), config.hash(), config, last.epoch(), last.accuracies(), best.epoch(),
        best.accuracies(), paramsSha, weightsSha, wall, commit, BuildInfo.hardware(), Nd4jRuntime.backend(), false);
  }

  /** Refuses a run directory that holds another config's files. */
  private static void checkSameConfig(Path dir, String hash) throws IOException {
    Path file = dir.resolve(CONFIG_FILE);
    if (!Files.exists(file)) {
      return;
    }
    TrainingConfig existing;
    try {
      existing = TrainingConfig.fromJson(Files.readString(file), file.toString());
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": unreadable config of an earlier run (" + e.getMessage() + "); use another --out or --force", e);
    }
    if (!existing.hash().equals(hash)) {
      throw new IOException(dir + ": holds a run of another config (hash " + existing.hash() + ", this one " + hash + "); use another --out or --force to replace it");
    }
  }

  private static int previousResumes(Path dir) {
    try {
      var o = com.google.gson.JsonParser.parseString(Files.readString(dir.resolve(Provenance.FILE))).getAsJsonObject();
      return o.get("resumes").getAsInt();
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private static void checkShape(INDArray saved, INDArray params, Path file) throws IOException {
    if (saved.length() != params.length() || saved.dataType() != params.dataType()) {
      throw new IOException(file + ": holds " + saved.length() + " " + saved.dataType() + " parameters, the network has "
          + params.length() + " " + params.dataType() + "; delete it or use --force");
    }
  }

  /** Rewrites metrics.csv from the finished epochs (atomic). */
  static void writeMetrics(Path dir, List<EpochMetrics> history) throws IOException {
    if (history.isEmpty()) {
      return;
    }
    StringBuilder csv = new StringBuilder(String.join(",", history.get(0).csvHeader())).append('\n');
    for (EpochMetrics m : history) {
      csv.append(String.join(",", m.csvValues())).append('\n');
    }
    AtomicFiles.writeString(dir.resolve(METRICS_FILE), csv.toString());
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }
}
