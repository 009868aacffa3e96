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

  private static String key(String network, Method method) {
    return network.toLowerCase(Locale.ROOT) + "/" + method.name();
  }

  /** The paper's Exit1, Exit2, Exit3, Main, Ens for a network and method, if the table has them. */
  public static Optional<double[]> table2(String network, Method method) {
    double[] v = TABLE2.get(key(network, method));
    return v == null ? Optional.empty() : Optional.of(v.clone());
  }
}
