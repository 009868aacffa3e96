package io.github.beedjava.train;

import io.github.beedjava.config.TrainingConfig;

/**
 * Receives a run's progress: the terminal progress bar, one-line-per-epoch logs, a notebook's
 * in-place display. Every method has an empty default.
 */
public interface TrainingListener {

  /** A listener that ignores everything. */
  TrainingListener SILENT = new TrainingListener() {};

  /**
   * Training starts or resumes.
   *
   * @param epoch 0-based epoch it starts in
   * @param batch next batch of that epoch
   * @param batchesPerEpoch batches in one epoch
   */
  default void started(TrainingConfig config, java.nio.file.Path runDir, int epoch, int batch, int batchesPerEpoch) {}

  /** A batch was trained (epoch and batch 0-based; loss is the epoch's running mean). */
  default void batch(int epoch, int batch, int batchesPerEpoch, double meanLoss, double imagesPerSecond) {}

  /** An epoch was trained and evaluated. */
  default void epoch(TrainingConfig config, EpochMetrics metrics) {}

  /** The run finished (or was reused). */
  default void finished(RunSummary summary) {}

  /** A one-line notice (reused run, resumed from a checkpoint, ...). */
  default void message(String text) {}
}
