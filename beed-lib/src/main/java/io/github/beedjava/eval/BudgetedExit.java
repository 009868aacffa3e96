package io.github.beedjava.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Budgeted (confidence-based) early exit, as MSDNet's dynamic evaluation: an image leaves at the
 * first classifier whose softmax confidence reaches that classifier's threshold (the last
 * classifier takes everything left). Thresholds are fitted on a held-out split so that the
 * fractions of images leaving at each classifier follow a geometric profile q^k; sweeping q
 * traces accuracy against average cost. Test data never influences the thresholds.
 */
public final class BudgetedExit {
  private BudgetedExit() {}

  /**
   * One operating point.
   *
   * @param q the exit profile parameter (small q: most images leave early)
   * @param thresholds per classifier (the last is always 0)
   * @param accuracy test accuracy (%)
   * @param averageMflops average MFLOPs per test image
   * @param exitFractions fraction of test images leaving at each classifier
   */
  public record Point(double q, double[] thresholds, double accuracy, double averageMflops, double[] exitFractions) {}

  /**
   * Applies thresholds to scores.
   *
   * @param cost MFLOPs an image pays when it leaves at each classifier
   */
  public static Point evaluate(ExitScores scores, double[] thresholds, double[] cost, double q) {
    int k = scores.classifiers();
    requireLength(thresholds, k, "thresholds");
    requireLength(cost, k, "cost");
    int n = scores.images();
    long correct = 0;
    double total = 0;
    double[] fractions = new double[k];
    for (int i = 0; i < n; i++) {
      int exit = k - 1;
      for (int c = 0; c < k - 1; c++) {
        if (scores.confidence()[c][i] >= thresholds[c]) {
          exit = c;
          break;
        }
      }
      fractions[exit] += 1.0 / n;
      total += cost[exit];
      if (scores.prediction()[exit][i] == scores.labels()[i]) {
        correct++;
      }
    }
    return new Point(q, thresholds.clone(), 100.0 * correct / n, total / n, fractions);
  }

  /**
   * Thresholds that make {@code fractions[c]} of the held-out images leave at classifier c: at
   * each classifier in turn, the most confident of the images still running leave.
   */
  public static double[] fitThresholds(ExitScores heldOut, double[] fractions) {
    int k = heldOut.classifiers();
    requireLength(fractions, k, "fractions");
    int n = heldOut.images();
    boolean[] gone = new boolean[n];
    double[] thresholds = new double[k];
    for (int c = 0; c < k - 1; c++) {
      int leave = (int) Math.round(fractions[c] * n);
      double[] remaining = new double[n];
      int m = 0;
      for (int i = 0; i < n; i++) {
        if (!gone[i]) {
          remaining[m++] = heldOut.confidence()[c][i];
        }
      }
      double[] sorted = Arrays.copyOf(remaining, m);
      Arrays.sort(sorted);
      // The threshold is the confidence of the leave-th most confident remaining image.
      thresholds[c] = leave <= 0 ? Double.POSITIVE_INFINITY : leave >= m ? Double.NEGATIVE_INFINITY : sorted[m - leave];
      for (int i = 0; i < n; i++) {
        if (!gone[i] && heldOut.confidence()[c][i] >= thresholds[c]) {
          gone[i] = true;
        }
      }
    }
    thresholds[k - 1] = 0;
    return thresholds;
  }

  /** The geometric exit profile q^c, normalised over K classifiers. */
  public static double[] profile(int k, double q) {
    if (!(q > 0)) {
      throw new IllegalArgumentException("q: must be > 0, got " + q);
    }
    double[] p = new double[k];
    double sum = 0;
    for (int c = 0; c < k; c++) {
      p[c] = Math.pow(q, c);
      sum += p[c];
    }
    for (int c = 0; c < k; c++) {
      p[c] /= sum;
    }
    return p;
  }

  /** The accuracy-against-cost curve: thresholds fitted on {@code heldOut}, measured on {@code test}. */
  public static List<Point> curve(ExitScores heldOut, ExitScores test, double[] cost, double[] qs) {
    List<Point> points = new ArrayList<>();
    for (double q : qs) {
      double[] t = fitThresholds(heldOut, profile(heldOut.classifiers(), q));
      points.add(evaluate(test, t, cost, q));
    }
    points.sort((a, b) -> Double.compare(a.averageMflops(), b.averageMflops()));
    return points;
  }

  private static void requireLength(double[] a, int k, String name) {
    if (a.length != k) {
      throw new IllegalArgumentException(name + ": need one value per classifier (" + k + "), got " + a.length);
    }
  }
}
