package io.github.beedjava.kernel;

import io.github.beedjava.config.TrainingConfig;
import io.github.beedjava.train.EpochMetrics;
import io.github.beedjava.train.RunSummary;
import io.github.beedjava.train.TrainingListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Training progress in a notebook: one display per run that is updated in place (at most twice
 * a second), instead of thousands of printed lines. Shows a bar with loss, img/s and ETA, and a
 * line per finished epoch.
 */
final class NotebookProgress implements TrainingListener {
  private final String title;
  private final List<String> lines = new ArrayList<>();
  private String id;
  private long lastUpdate;
  private long start;
  private int epochs;
  private int firstBatch;
  private int firstEpoch;

  NotebookProgress(String title) {
    this.title = title;
  }

  @Override
  public void started(TrainingConfig config, java.nio.file.Path runDir, int epoch, int batch, int batchesPerEpoch) {
    epochs = config.epochs();
    firstEpoch = epoch;
    firstBatch = batch;
    start = System.nanoTime();
    lines.add((epoch > 0 || batch > 0 ? "resumed at epoch " + (epoch + 1) + ", batch " + batch : "started")
        + " -> " + runDir.getFileName());
    show(null, true);
  }

  @Override
  public void batch(int epoch, int batch, int batchesPerEpoch, double meanLoss, double imagesPerSecond) {
    long done = (long) (epoch - firstEpoch) * batchesPerEpoch + batch + 1 - firstBatch;
    long total = (long) (epochs - firstEpoch) * batchesPerEpoch - firstBatch;
    double elapsed = (System.nanoTime() - start) / 1e9;
    double eta = done > 0 ? elapsed * (total - done) / done : Double.NaN;
    int width = 30;
    int filled = (int) Math.round(width * (batch + 1.0) / batchesPerEpoch);
    String bar = String.format(Locale.ROOT, "epoch %d/%d [%s%s] %d/%d  loss %.4f  %.0f img/s  ETA %s",
        epoch + 1, epochs, "#".repeat(filled), " ".repeat(width - filled), batch + 1, batchesPerEpoch,
        meanLoss, imagesPerSecond, duration(eta));
    show(bar, batch + 1 == batchesPerEpoch);
  }

  @Override
  public void epoch(TrainingConfig config, EpochMetrics m) {
    StringBuilder acc = new StringBuilder();
    for (Map.Entry<String, Double> e : m.accuracies().asMap().entrySet()) {
      acc.append(String.format(Locale.ROOT, " %s %.2f", e.getKey().equals("Ensemble") ? "Ens" : e.getKey(), e.getValue()));
    }
    lines.add(String.format(Locale.ROOT, "epoch %d/%d  lr %.3g  loss %.4f |%s | %.0f s",
        m.epoch(), config.epochs(), m.lr(), m.losses().getOrDefault("loss", Double.NaN), acc, m.trainSeconds() + m.evalSeconds()));
    show(null, true);
  }

  @Override
  public void finished(RunSummary s) {
    lines.add((s.reused() ? "reused finished run " : "finished ") + s.runId()
        + String.format(Locale.ROOT, " (%.0f s)", s.wallSeconds()));
    show(null, true);
  }

  @Override
  public void message(String text) {
    lines.add(text);
    show(null, true);
  }

  private void show(String bar, boolean force) {
    long now = System.nanoTime();
    if (!force && now - lastUpdate < 500_000_000L) {
      return;
    }
    lastUpdate = now;
    StringBuilder text = new StringBuilder(title).append('\n');
    lines.forEach(l -> text.append(l).append('\n'));
    if (bar != null) {
      text.append(bar).append('\n');
    }
    var data = Notebook.html("<pre style=\"margin:0\">" + io.github.beedjava.report.HtmlReport.escape(text.toString()) + "</pre>");
    if (id == null) {
      id = Notebook.display(data);
    } else {
      Notebook.updateDisplay(id, data);
    }
  }

  private static String duration(double seconds) {
    if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
      return "?";
    }
    long s = Math.round(seconds);
    return s >= 60 ? (s / 60) + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s" : s + "s";
  }
}
