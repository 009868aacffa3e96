package io.github.beedjava.report;

import io.github.beedjava.objective.Method;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The paper's reported numbers (supplement, Table 2: CIFAR-100 top-1 %, 200 epochs, one GPU run
 * each as far as stated). These are shown only in columns labelled as the paper's, never as a
 * measurement of this package. NaN stands for the table's "–".
 */
public final class PaperResults {
  private PaperResults() {}

  /** Column names of Table 2. */
  public static final List<String> TABLE2_COLUMNS = List.of("Exit1", "Exit2", "Exit3", "Main", "Ens");

  /** Where the numbers come from, for captions. */
  public static final String SOURCE = "BEED supplement, Table 2 (CIFAR-100, 200 epochs)";

  private static final double X = Double.NaN;
  private static final Map<String, double[]> TABLE2 = new LinkedHashMap<>();

  private static void row(String network, Method method, double... values) {
    TABLE2.put(key(network, method), values);
  }

  static {
    row("resnet18", Method.BASELINE, X, X, X, 77.60, X);
    row("resnet18", Method.CE, 74.44, 76.68, 78.48, 79.39, 80.68);
    row("resnet18", Method.KD, 75.16, 77.45, 78.81, 79.21, 80.93);
    row("resnet18", Method.EED, 77.38, 79.00, 79.93, 80.03, 81.00);
    row("resnet18", Method.BEED, 77.55, 79.42, 80.33, 80.58, 81.45);
    row("resnet34", Method.BASELINE, X, X, X, 77.96, X);
    row("resnet34", Method.CE, 75.04, 78.25, 79.72, 80.22, 81.70);
    row("resnet34", Method.KD, 75.49, 79.15, 80.05, 80.17, 81.89);
    row("resnet34", Method.EED, 77.67, 80.14, 81.38, 81.61, 82.45);
    row("resnet34", Method.BEED, 77.93, 80.19, 81.43, 81.62, 82.50);
    row("wrn16_4", Method.BASELINE, X, X, X, 76.38, X);
    row("wrn16_4", Method.CE, 70.23, 74.71, X, 77.49, 78.47);
    row("wrn16_4", Method.KD, 71.28, 75.67, X, 77.75, 78.41);
    row("wrn16_4", Method.EED, 74.24, 76.92, X, 78.26, 78.36);
    row("wrn16_4", Method.BEED, 74.71, 77.00, X, 78.51, 78.69);
    row("wrn28_4", Method.BASELINE, X, X, X, 78.64, X);
    row("wrn28_4", Method.CE, 73.33, 77.64, X, 80.05, 81.17);
    row("wrn28_4", Method.KD, 74.28, 78.58, X, 80.06, 81.13);
    row("wrn28_4", Method.EED, 76.29, 79.25, X, 80.55, 80.49);
    row("wrn28_4", Method.BEED, 76.77, 79.55, X, 80.93, 81.18);
    row("mobilenetv2", Method.BASELINE, X, X, X, 71.87, X);
    row("mobilenetv2", Method.CE, 72.65, 74.37, 76.20, 73.73, 78.21);
    row("mobilenetv2", Method.KD, 73.82, 75.09, 76.29, 73.68, 78.36);
    row("mobilenetv2", Method.EED, 75.71, 76.58, 77.43, 76.63, 78.69);
    row("mobilenetv2", Method.BEED, 75.76, 76.87, 77.47, 76.74, 78.86);
    row("efficientnet_b0", Method.BASELINE, X, X, X, 71.79, X);
    row("efficientnet_b0", Method.CE, 73.88, 75.35, 77.51, 74.21, 79.30);
    row("efficientnet_b0", Method.KD, 73.89, 75.41, 76.62, 74.44, 78.96);
    row("efficientnet_b0", Method.EED, 76.13, 76.72, 77.94, 77.47, 79.38);
    row("efficientnet_b0", Method.BEED, 76.12, 77.23, 78.01, 77.62, 79.36);
  }

  /** Where Table 1 comes from, for captions. */
  public static final String TABLE1_SOURCE = "BEED supplement, Table 1 (CIFAR-100, 200 epochs, main network)";

  private static final Map<String, double[]> TABLE1 = new LinkedHashMap<>();

  /** Rows CE, KD, EED, BEED of Table 1 for a network and exit structure. */
  private static void t1(String network, String exits, double ce, double kd, double eed, double beed) {
    TABLE1.put(network + "/" + exits, new double[] {ce, kd, eed, beed});
  }

  static {
    t1("resnet18", "lct", 78.22, 78.17, 78.81, 78.95);
    t1("resnet18", "byot", 78.51, 78.47, 78.38, 79.23);
    t1("resnet18", "tofd", 79.01, 78.97, 79.61, 80.43);
    t1("resnet18", "bottleneck", 79.39, 79.21, 80.03, 80.58);
    t1("resnet34", "lct", 79.80, 79.40, 80.65, 81.07);
    t1("resnet34", "byot", 79.41, 79.40, 79.98, 80.60);
    t1("resnet34", "tofd", 79.92, 79.65, 81.16, 81.17);
    t1("resnet34", "bottleneck", 80.22, 80.17, 81.61, 81.62);
    t1("wrn16_4", "lct", 75.71, 75.92, 75.66, 75.62);
    t1("wrn16_4", "byot", 76.61, 76.30, 75.58, 75.75);
    t1("wrn16_4", "tofd", 76.81, 77.11, 77.06, 76.96);
    t1("wrn16_4", "bottleneck", 77.49, 77.75, 78.26, 78.51);
    t1("wrn28_4", "lct", 78.19, 77.81, 77.84, 77.51);
    t1("wrn28_4", "byot", 78.56, 78.58, 77.77, 78.48);
    t1("wrn28_4", "tofd", 79.02, 78.89, 78.63, 79.25);
    t1("wrn28_4", "bottleneck", 80.05, 80.06, 80.55, 80.93);
    t1("mobilenetv2", "lct", 74.31, 73.98, 76.49, 76.23);
    t1("mobilenetv2", "byot", 74.10, 74.04, 75.32, 75.91);
    t1("mobilenetv2", "tofd", 73.51, 73.61, 76.61, 76.47);
    t1("mobilenetv2", "bottleneck", 73.73, 73.68, 76.63, 76.74);
    t1("efficientnet_b0", "lct", 75.01, 74.90, 77.21, 77.22);
    t1("efficientnet_b0", "byot", 74.51, 75.02, 75.39, 76.63);
    t1("efficientnet_b0", "tofd", 74.38, 74.77, 77.28, 77.07);
    t1("efficientnet_b0", "bottleneck", 74.21, 74.44, 77.69, 77.62);
  }

  /**
   * The paper's main-network accuracy of Table 1 for a network, exit structure (CLI name,
   * {@code bottleneck} = "Proposed") and method (CE, KD, EED or BEED).
   */
  public static Optional<Double> table1(String network, String exits, Method method) {
    double[] row = TABLE1.get(network.toLowerCase(Locale.ROOT) + "/" + exits);
    int column = switch (method) {
      case CE -> 0;
      case KD -> 1;
      case EED -> 2;
      case BEED -> 3;
      default -> -1;
    };
    return row == null || column < 0 ? Optional.empty() : Optional.of(row[column]);
  }

  private static String key(String network, Method method) {
    return network.toLowerCase(Locale.ROOT) + "/" + method.name();
  }

  /** The paper's Exit1, Exit2, Exit3, Main, Ens for a network and method, if the table has them. */
  public static Optional<double[]> table2(String network, Method method) {
    double[] v = TABLE2.get(key(network, method));
    return v == null ? Optional.empty() : Optional.of(v.clone());
  }
}
