package io.github.beedjava.objective;

import java.util.Locale;

/**
 * BEED: EED with a per-classifier CE/KD balance, CE coefficient 2 - γ^(K-k) and KD coefficient
 * γ^(K-k) (times the KD weight), so shallow exits lean on distillation and deep ones on labels.
 * FD weight 0.1 on all classifiers.
 */
public final class BeedObjective extends EnsembleDistillationObjective {
  /** γ, the CE/KD balancing constant (official flag {@code --alpha}, default 1.15). */
  public static final ObjectiveParameter GAMMA =
      new ObjectiveParameter("gamma", 1.15, "γ, BEED's CE/KD balancing constant (γ < 2^(1/(K-1)))");

  /**
   * @param k number of classifiers (at least 2)
   * @throws IllegalArgumentException when γ makes a CE coefficient ≤ 0 (γ ≥ 2^(1/(K-1)))
   */
  public BeedObjective(int k, ObjectiveParameters parameters) {
    super(ce(k, parameters.get(GAMMA)), kd(k, parameters.get(GAMMA)), CeObjective.filled(k, 0.1), parameters);
  }

  @Override
  public String name() {
    return "BEED";
  }

  /** The largest γ (exclusive) for which every CE coefficient stays positive. */
  public static double maxGamma(int k) {
    return Math.pow(2, 1.0 / (k - 1));
  }

  private static double[] ce(int k, double gamma) {
    if (k < 2) {
      throw new IllegalArgumentException("BEED needs at least one exit besides the main network");
    }
    double[] a = new double[k];
    for (int i = 0; i < k; i++) {
      a[i] = 2 - Math.pow(gamma, k - 1 - i);
      if (a[i] <= 0) {
        throw new IllegalArgumentException(
            String.format(
                Locale.ROOT,
                "gamma: γ = %s gives classifier %d a CE coefficient 2 - γ^%d = %.4f <= 0; "
                    + "with K = %d classifiers use γ < 2^(1/%d) = %.4f",
                gamma, i + 1, k - 1 - i, a[i], k, k - 1, maxGamma(k)));
      }
    }
    return a;
  }

  private static double[] kd(int k, double gamma) {
    double[] a = new double[k];
    for (int i = 0; i < k; i++) {
      a[i] = Math.pow(gamma, k - 1 - i);
    }
    return a;
  }
}
