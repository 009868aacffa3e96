package io.github.beedjava.train;

import io.github.beedjava.model.Blueprint;
import io.github.beedjava.objective.LossResult;
import java.util.Map;

/** Stops training at the first NaN or infinite loss term, naming where it happened. */
public final class NanGuard {
  private NanGuard() {}

  /**
   * Throws when the total or any term is not finite.
   *
   * @param epoch 1-based epoch
   * @param iteration 1-based iteration within the epoch
   * @param k number of classifiers (to name the classifier of a term)
   */
  public static void check(LossResult result, int epoch, int iteration, int k) {
    for (Map.Entry<String, Double> term : result.terms().entrySet()) {
      if (!Double.isFinite(term.getValue())) {
        String name = term.getKey();
        String digits = name.replaceAll("^[A-Za-z]+", "");
        String classifier = digits.isEmpty() ? "all" : Blueprint.classifierName(Integer.parseInt(digits) - 1, k);
        throw new TrainingDivergedException(String.format(
            "training diverged: loss term %s (classifier %s) is %s at epoch %d, iteration %d; "
                + "no checkpoint was written after it. Lower --lr or check the data.",
            name, classifier, term.getValue(), epoch, iteration));
      }
    }
    if (!Double.isFinite(result.total())) {
      throw new TrainingDivergedException(String.format(
          "training diverged: the total loss is %s at epoch %d, iteration %d; no checkpoint was written after it. Lower --lr or check the data.",
          result.total(), epoch, iteration));
    }
  }
}
