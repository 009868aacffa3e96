package io.github.beedjava.report;

import io.github.beedjava.data.Datasets;
import io.github.beedjava.data.ImageDataset;
import io.github.beedjava.eval.Accuracies;
import io.github.beedjava.eval.BudgetedExit;
import io.github.beedjava.eval.Evaluator;
import io.github.beedjava.eval.ExitScores;
import io.github.beedjava.model.ArchitectureSummary;
import io.github.beedjava.train.TrainedRun;
import java.awt.Color;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Anytime and budgeted inference of trained runs: every classifier alone (accuracy against its
 * MFLOPs), the ensemble, and the confidence-based early-exit curve with thresholds fitted on
 * held-out training images (never the test set).
 */
public final class AnytimeReport {
  private AnytimeReport() {}

  /** Exit profiles swept for the curve (small q: most images leave at the first exit). */
  public static final double[] PROFILES = {0.05, 0.1, 0.2, 0.35, 0.5, 0.7, 1.0, 1.5, 2.5, 5, 20};

  /**
   * One run's anytime results.
   *
   * @param label e.g. the method
   * @param classifiers each classifier alone on the test split
   * @param classifierMflops each classifier's own path cost
   * @param ensembleMflops cost of running everything
   * @param curve budgeted early exit on the test split
   * @param heldOutImages size of the split the thresholds were fitted on
   */
  public record RunCurve(String label, Accuracies classifiers, double[] classifierMflops, double ensembleMflops,
      List<BudgetedExit.Point> curve, int heldOutImages) {}

  /** Computes a run's curve; {@code heldOutSize} training images the run never saw fit the thresholds. */
  public static RunCurve of(String label, TrainedRun run, int heldOutSize) throws IOException {
    ImageDataset heldOut = Datasets.heldOut(run.config().dataset(), null, run.config().trainSubset(), heldOutSize);
    int batch = run.config().batchSize();
    ExitScores fit = ExitScores.compute(run.network(), heldOut, batch);
    ExitScores test = ExitScores.compute(run.network(), run.data().test(), batch);
    ArchitectureSummary summary = new ArchitectureSummary(run.network().blueprint());
    double[] own = summary.classifiers().stream().mapToDouble(ArchitectureSummary.ClassifierCost::mflops).toArray();
    double[] exitCost = summary.earlyExitMflops();
    Accuracies acc = Evaluator.evaluate(run.network(), run.data().test(), batch);
    return new RunCurve(label, acc, own, exitCost[exitCost.length - 1],
        BudgetedExit.curve(fit, test, exitCost, PROFILES), heldOut.size());
  }

  /** Every curve point as a table (method, q, MFLOPs, accuracy, fraction leaving at each classifier). */
  public static Table table(List<RunCurve> runs) {
    Table t = Table.create("Budgeted early exit — thresholds fitted on held-out training images, measured on the test split");
    StringColumn label = StringColumn.create("run");
    DoubleColumn q = DoubleColumn.create("q");
    DoubleColumn mflops = DoubleColumn.create("avg MFLOPs");
    DoubleColumn acc = DoubleColumn.create("accuracy");
    StringColumn fractions = StringColumn.create("exit fractions");
    for (RunCurve r : runs) {
      for (BudgetedExit.Point p : r.curve()) {
        label.append(r.label());
        q.append(p.q());
        mflops.append(Math.round(p.averageMflops() * 10) / 10.0);
        acc.append(Math.round(p.accuracy() * 100) / 100.0);
        StringBuilder f = new StringBuilder();
        for (double x : p.exitFractions()) {
          f.append(f.length() == 0 ? "" : " / ").append(String.format(Locale.ROOT, "%.2f", x));
        }
        fractions.append(f.toString());
      }
    }
    return t.addColumns(label, q, mflops, acc, fractions);
  }

  /** Accuracy against average MFLOPs: one curve per run, its classifiers alone as points, its ensemble. */
  public static XYChart chart(List<RunCurve> runs, String title) {
    XYChart chart = new XYChartBuilder().width(860).height(500).title(title)
        .xAxisTitle("average MFLOPs per test image").yAxisTitle("top-1 test accuracy (%)").build();
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setYAxisDecimalPattern("0.0");
    for (RunCurve r : runs) {
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (BudgetedExit.Point p : r.curve()) {
        x.add(p.averageMflops());
        y.add(p.accuracy());
      }
      chart.addSeries(r.label() + " early exit", x, y).setMarker(SeriesMarkers.NONE);
      List<Double> cx = new ArrayList<>();
      List<Double> cy = new ArrayList<>();
      for (int k = 0; k < r.classifierMflops().length; k++) {
        cx.add(r.classifierMflops()[k]);
        cy.add(r.classifiers().perClassifier()[k]);
      }
      if (r.classifierMflops().length > 1) {
        cx.add(r.ensembleMflops());
        cy.add(r.classifiers().ensemble());
      }
      XYSeries points = chart.addSeries(r.label() + " classifiers" + (r.classifierMflops().length > 1 ? " + ensemble" : ""), cx, cy);
      points.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    }
    return chart;
  }
}
