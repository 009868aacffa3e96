package io.github.beedjava.objective;

/** A training objective over the K classifiers' logits and features. */
public interface Objective {

  /** Display name: Baseline, CE, KD, EED or BEED. */
  String name();

  /** Loss terms and output gradients for a batch with integer class labels. */
  LossResult evaluate(Tensor[] logits, Tensor[] features, int[] labels);
}
