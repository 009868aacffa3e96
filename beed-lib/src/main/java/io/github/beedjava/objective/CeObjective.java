package io.github.beedjava.objective;

/** CE: every classifier trained on labels only, equal weights (also the single-network baseline, K = 1). */
public final class CeObjective extends WeightedObjective {
  private final String name;

  /** @param k number of classifiers; 1 is the single-network baseline */
  public CeObjective(int k) {
    super(filled(k, 1), new double[k], new double[k], 1.0);
    this.name = k == 1 ? "Baseline" : "CE";
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  protected Teacher teacher(Tensor[] logits, Tensor[] features) {
    return null;
  }

  static double[] filled(int k, double value) {
    if (k < 1) {
      throw new IllegalArgumentException("need at least one classifier, got " + k);
    }
    double[] a = new double[k];
    java.util.Arrays.fill(a, value);
    return a;
  }
}
