package io.github.beedjava.objective;

/**
 * Hyper-parameters of the distillation objectives, with the official code's defaults.
 *
 * @param lambda λ, ensemble importance coefficient (official flag {@code --beta}), default 1.6;
 *     λ = 1 gives the uniform ensemble of the original EED
 * @param gamma γ, CE/KD balancing constant of BEED (official flag {@code --alpha}), default 1.15
 * @param temperature T of the distillation softmax, default 3
 * @param kdWeight KD coefficient; NaN = the method's default (EED/BEED 1, KD 0.1)
 * @param fdWeight feature-distillation coefficient; NaN = the method's default (EED/BEED 0.1, KD 0.025)
 */
public record DistillationSettings(
    double lambda, double gamma, double temperature, double kdWeight, double fdWeight) {

  /** The official defaults. */
  public static final DistillationSettings DEFAULTS =
      new DistillationSettings(1.6, 1.15, 3.0, Double.NaN, Double.NaN);

  /** Validates ranges; messages name the field. */
  public DistillationSettings {
    if (!(lambda > 0)) {
      throw new IllegalArgumentException("lambda: must be > 0, got " + lambda);
    }
    if (!(gamma > 0)) {
      throw new IllegalArgumentException("gamma: must be > 0, got " + gamma);
    }
    if (!(temperature > 0)) {
      throw new IllegalArgumentException("temperature: must be > 0, got " + temperature);
    }
    if (kdWeight < 0) {
      throw new IllegalArgumentException("kdWeight: must be >= 0, got " + kdWeight);
    }
    if (fdWeight < 0) {
      throw new IllegalArgumentException("fdWeight: must be >= 0, got " + fdWeight);
    }
  }

  /** A copy with λ and γ replaced. */
  public DistillationSettings with(double newLambda, double newGamma) {
    return new DistillationSettings(newLambda, newGamma, temperature, kdWeight, fdWeight);
  }

  double kdWeightOr(double methodDefault) {
    return Double.isNaN(kdWeight) ? methodDefault : kdWeight;
  }

  double fdWeightOr(double methodDefault) {
    return Double.isNaN(fdWeight) ? methodDefault : fdWeight;
  }
}
