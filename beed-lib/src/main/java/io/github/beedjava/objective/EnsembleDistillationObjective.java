package io.github.beedjava.objective;

/** An objective whose teacher is the detached λ-weighted exit ensemble (EED and BEED). */
public abstract class EnsembleDistillationObjective extends WeightedObjective {
  private final double lambda;

  /** See {@link WeightedObjective}; λ is the ensemble importance coefficient. */
  protected EnsembleDistillationObjective(double[] ce, double[] kd, double[] fd, DistillationSettings settings) {
    super(ce, kd, fd, settings.temperature());
    if (ce.length < 2) {
      throw new IllegalArgumentException("ensemble distillation needs at least one exit besides the main network");
    }
    this.lambda = settings.lambda();
  }

  @Override
  protected Teacher teacher(Tensor[] logits, Tensor[] features) {
    return EnsembleTeacher.of(logits, features, lambda);
  }
}
