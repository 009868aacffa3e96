package io.github.beedjava.objective;

/**
 * EED: every classifier, the main network included, distils from the λ-weighted exit ensemble:
 * CE + KD (weight 1) + FD (weight 0.1) on all K classifiers (official code, fixed KD1..KDK sum).
 */
public final class EedObjective extends EnsembleDistillationObjective {

  /** @param k number of classifiers (at least 2) */
  public EedObjective(int k, ObjectiveParameters parameters) {
    super(CeObjective.filled(k, 1), CeObjective.filled(k, 1.0), CeObjective.filled(k, 0.1), parameters);
  }

  @Override
  public String name() {
    return "EED";
  }
}
