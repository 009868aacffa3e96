package io.github.beedjava.config;

import io.github.beedjava.objective.Method;
import io.github.beedjava.objective.Objective;
import io.github.beedjava.objective.ObjectiveParameters;

/**
 * What a run minimises: a method and the values of the objective hyper-parameters.
 *
 * @param method CE, KD, EED, BEED or the single-network baseline
 * @param parameters every declared objective parameter (the method reads its own)
 */
public record ObjectiveSpec(Method method, ObjectiveParameters parameters) {

  /** Validates presence; values were checked when they were set. */
  public ObjectiveSpec {
    if (method == null || parameters == null) {
      throw new IllegalArgumentException("config: method and its parameters are required");
    }
  }

  /** The objective for K classifiers (refuses e.g. a γ that makes a BEED CE coefficient <= 0). */
  public Objective objective(int k) {
    return method.objective(k, parameters);
  }
}
