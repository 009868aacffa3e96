package io.github.beedjava.train;

import io.github.beedjava.config.TrainingConfig;
import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A progress bar per epoch in the terminal (loss, img/s, ETA), then the epoch's accuracies. */
public final class TerminalProgress implements TrainingListener {
  private final PrintStream out;
  private final LineProgress lines;
  private ProgressBar bar;
  private int barEpoch = -1;
  private int epochs;

  /** @param out the terminal stream (stderr in the CLI) */
  public TerminalProgress(PrintStream out) {
    this.out = out;
    this.lines = new LineProgress(out);
  }

  @Override
  public void started(TrainingConfig config, java.nio.file.Path runDir, int epoch, int batch, int batchesPerEpoch) {
    epochs = config.epochs();
    lines.started(config, runDir, epoch, batch, batchesPerEpoch);
  }

  @Override
  public void batch(int epoch, int batch, int batchesPerEpoch, double meanLoss, double imagesPerSecond) {
    if (bar == null || barEpoch != epoch) {
      close();
      bar = new ProgressBarBuilder()
          .setTaskName(String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, epochs))
          .setInitialMax(batchesPerEpoch)
          .setStyle(ProgressBarStyle.ASCII)
          .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(out))
          .setUpdateIntervalMillis(500)
          .startsFrom(batch, java.time.Duration.ZERO)
          .build();
      barEpoch = epoch;
    }
    bar.stepTo(batch + 1);
    bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f, %.0f img/s", meanLoss, imagesPerSecond));
  }

  @Override
  public void epoch(TrainingConfig config, EpochMetrics metrics) {
    close();
    lines.epoch(config, metrics);
  }

  @Override
  public void finished(RunSummary summary) {
    close();
    lines.finished(summary);
  }

  @Override
  public void message(String text) {
    lines.message(text);
  }

  private void close() {
    if (bar != null) {
      bar.close();
      bar = null;
    }
  }
}
