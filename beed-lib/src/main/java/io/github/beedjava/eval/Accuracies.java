package io.github.beedjava.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Top-1 accuracies (%) of every classifier and of the ensemble on one split.
 *
 * @param names classifier names, Exit1.. then Main
 * @param perClassifier accuracy of each classifier, same order
 * @param ensemble accuracy of the unweighted logit sum of all classifiers
 * @param images number of images evaluated
 */
public record Accuracies(List<String> names, double[] perClassifier, double ensemble, int images) {

  /** The main network's accuracy (last classifier). */
  public double main() {
    return perClassifier[perClassifier.length - 1];
  }

  /** Name → accuracy, classifiers in order then {@code Ensemble}. */
  public Map<String, Double> asMap() {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      m.put(names.get(i), perClassifier[i]);
    }
    m.put("Ensemble", ensemble);
    return m;
  }
}
