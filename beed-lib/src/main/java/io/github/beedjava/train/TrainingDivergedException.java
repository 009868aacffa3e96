package io.github.beedjava.train;

/** A loss term became NaN or infinite: training stopped, no checkpoint written after it. */
public final class TrainingDivergedException extends RuntimeException {
  /** @param message says epoch, iteration, classifier and term */
  public TrainingDivergedException(String message) {
    super(message);
  }
}
