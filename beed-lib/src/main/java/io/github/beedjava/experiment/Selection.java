package io.github.beedjava.experiment;

/** Which epoch of a run a table reports (docs/method.md: both are kept, every table says which). */
public enum Selection {
  /** The last epoch. */
  FINAL("final epoch"),
  /** The epoch with the best main-network test accuracy, as the official code checkpoints. */
  BEST_MAIN("best main-network test epoch");

  private final String label;

  Selection(String label) {
    this.label = label;
  }

  /** Words for captions. */
  public String label() {
    return label;
  }
}
