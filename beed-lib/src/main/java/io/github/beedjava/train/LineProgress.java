package io.github.beedjava.train;

import io.github.beedjava.config.TrainingConfig;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Quiet progress: one line per epoch and per notice, for logs and CI. */
public final class LineProgress implements TrainingListener {
  private final PrintStream out;

  /** @param out where lines go (stderr in the CLI) */
  public LineProgress(PrintStream out) {
    this.out = out;
  }

  @Override
  public void started(TrainingConfig config, java.nio.file.Path runDir, int epoch, int batch, int batchesPerEpoch) {
    out.printf(Locale.ROOT, "train %s: %d epochs x %d batches of %d -> %s%n",
        config.runId(), config.epochs(), batchesPerEpoch, config.batchSize(), runDir);
  }

  @Override
  public void epoch(TrainingConfig config, EpochMetrics m) {
    out.println(line(config, m));
  }

  @Override
  public void finished(RunSummary s) {
    out.printf(Locale.ROOT, "%s %s: final %s | best main at epoch %d | %.0f s%n",
        s.reused() ? "reused" : "finished", s.runId(), format(s.finalAccuracies().asMap()), s.bestEpoch(), s.wallSeconds());
  }

  @Override
  public void message(String text) {
    out.println(text);
  }

  /** The one-line summary of an epoch. */
  static String line(TrainingConfig config, EpochMetrics m) {
    return String.format(Locale.ROOT, "epoch %d/%d lr %.4g loss %.4f | %s | %.0f img/s, %.0f s",
        m.epoch(), config.epochs(), m.lr(), m.losses().getOrDefault("loss", Double.NaN),
        format(m.accuracies().asMap()), m.imagesPerSecond(), m.trainSeconds() + m.evalSeconds());
  }

  static String format(Map<String, Double> acc) {
    return acc.entrySet().stream()
        .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey().equals("Ensemble") ? "Ens" : e.getKey(), e.getValue()))
        .collect(Collectors.joining(" "));
  }
}
