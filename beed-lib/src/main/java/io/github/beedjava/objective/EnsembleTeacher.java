package io.github.beedjava.objective;

/**
 * The λ-weighted exit ensemble of docs/method.md: w_k = λ^(k-1) / Σ_j λ^(j-1), teacher logits Σ w_k z_k
 * and teacher feature Σ w_k f_k, both detached.
 */
public final class EnsembleTeacher {
  private EnsembleTeacher() {}

  /** Normalised weights for K classifiers. */
  public static double[] weights(int k, double lambda) {
    double[] w = new double[k];
    double sum = 0;
    for (int i = 0; i < k; i++) {
      w[i] = Math.pow(lambda, i);
      sum += w[i];
    }
    for (int i = 0; i < k; i++) {
      w[i] /= sum;
    }
    return w;
  }

  /** The teacher for a batch. */
  public static Teacher of(Tensor[] logits, Tensor[] features, double lambda) {
    double[] w = weights(logits.length, lambda);
    return new Teacher(LossMath.weightedSum(logits, w), LossMath.weightedSum(features, w));
  }
}
