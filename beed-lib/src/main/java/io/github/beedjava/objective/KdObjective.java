package io.github.beedjava.objective;

/**
 * KD: conventional multi-exit self-distillation; the main network (classifier K) teaches the
 * exits with its detached logits and feature: CE on all, KD weight 0.1 and FD weight 0.025 on the
 * exits only (official defaults).
 */
public final class KdObjective extends WeightedObjective {

  /** @param k number of classifiers (at least 2) */
  public KdObjective(int k, ObjectiveParameters parameters) {
    super(CeObjective.filled(k, 1), exitsOnly(k, 0.1), exitsOnly(k, 0.025), parameters.get(TEMPERATURE));
  }

  @Override
  public String name() {
    return "KD";
  }

  @Override
  protected Teacher teacher(Tensor[] logits, Tensor[] features) {
    int main = logits.length - 1;
    // copies: the teacher must not move when the student's outputs are changed in place
    return new Teacher(logits[main].copy(), features[main].copy());
  }

  private static double[] exitsOnly(int k, double value) {
    if (k < 2) {
      throw new IllegalArgumentException("KD needs at least one exit besides the main network");
    }
    double[] a = CeObjective.filled(k, value);
    a[k - 1] = 0;
    return a;
  }
}
