package io.github.beedjava.experiment;

import java.util.List;
import java.util.Locale;

/**
 * Mean, sample standard deviation and a two-sided 95 % Student-t interval of a few values (one per
 * seed). With one value the standard deviation and the interval are undefined (NaN).
 *
 * @param n number of values
 * @param mean their mean
 * @param sd sample standard deviation (n − 1 in the denominator)
 * @param low lower end of the 95 % interval of the mean
 * @param high upper end
 */
public record SeedStatistics(int n, double mean, double sd, double low, double high) {

  /** Two-sided 97.5 % quantiles of Student's t for 1..30 degrees of freedom. */
  private static final double[] T975 = {
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042
  };

  /** The statistics of the values (NaN values are not allowed; an empty list gives n 0). */
  public static SeedStatistics of(List<Double> values) {
    int n = values.size();
    if (n == 0) {
      return new SeedStatistics(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    double mean = values.stream().mapToDouble(Double::doubleValue).sum() / n;
    if (n == 1) {
      return new SeedStatistics(1, mean, Double.NaN, Double.NaN, Double.NaN);
    }
    double ss = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum();
    double sd = Math.sqrt(ss / (n - 1));
    double half = t975(n - 1) * sd / Math.sqrt(n);
    return new SeedStatistics(n, mean, sd, mean - half, mean + half);
  }

  /** Student's t quantile for a two-sided 95 % interval. */
  static double t975(int degreesOfFreedom) {
    if (degreesOfFreedom < 1) {
      throw new IllegalArgumentException("degrees of freedom must be ≥ 1, got " + degreesOfFreedom);
    }
    return degreesOfFreedom <= T975.length ? T975[degreesOfFreedom - 1] : 1.96 + 2.4 / degreesOfFreedom;
  }

  /** True when the 95 % interval excludes zero (never with fewer than two values). */
  public boolean excludesZero() {
    return n >= 2 && (low > 0 || high < 0);
  }

  /** {@code 81.41 ± 1.60} (mean ± sd), or the mean alone for one value, {@code –} for none. */
  public String meanSd() {
    if (n == 0) {
      return "–";
    }
    return n == 1 ? String.format(Locale.ROOT, "%.2f", mean) : String.format(Locale.ROOT, "%.2f ± %.2f", mean, sd);
  }

  /** {@code +0.12 [−1.20, 1.44]} (mean and 95 % interval), or {@code +0.12 (n 1, no interval)}. */
  public String meanInterval() {
    if (n == 0) {
      return "–";
    }
    return n == 1 ? String.format(Locale.ROOT, "%+.2f (n 1, no interval)", mean)
        : String.format(Locale.ROOT, "%+.2f [%.2f, %.2f]", mean, low, high);
  }
}
