package io.github.beedjava.objective;

/** An objective whose teacher is the detached λ-weighted exit ensemble (EED and BEED). */
public abstract class EnsembleDistillationObjective extends WeightedObjective {
  /** λ, the ensemble importance coefficient (official flag {@code --beta}, default 1.6; 1 = uniform ensemble). */
  public static final ObjectiveParameter LAMBDA =
      new ObjectiveParameter("lambda", 1.6, "λ, ensemble importance coefficient (1 = uniform ensemble)");

  private final double lambda;

  /** See {@link WeightedObjective}; reads {@link #LAMBDA} and {@link #TEMPERATURE}. */
  protected EnsembleDistillationObjective(double[] ce, double[] kd, double[] fd, ObjectiveParameters parameters) {
    super(ce, kd, fd, parameters.get(TEMPERATURE));
    if (ce.length < 2) {
      throw new IllegalArgumentException("ensemble distillation needs at least one exit besides the main network");
    }
    this.lambda = parameters.get(LAMBDA);
  }

  @Override
  protected Teacher teacher(Tensor[] logits, Tensor[] features) {
    return EnsembleTeacher.of(logits, features, lambda);
  }
}
