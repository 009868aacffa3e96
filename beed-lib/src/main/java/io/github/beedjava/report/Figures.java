package io.github.beedjava.report;

import java.awt.Color;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;

/** XChart figures of result tables, and their PNG bytes. */
public final class Figures {
  private Figures() {}

  /**
   * Accuracy per classifier, one series per row of a table whose first column holds the row
   * labels and whose other columns are classifiers (missing values are left out).
   */
  public static CategoryChart accuracyPerClassifier(Table table, String title) {
    CategoryChart chart = new CategoryChartBuilder().width(820).height(460).title(title)
        .xAxisTitle("classifier").yAxisTitle("top-1 test accuracy (%)").build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setOverlapped(false);
    chart.getStyler().setYAxisDecimalPattern("0.0");
    List<String> classifiers = table.columnNames().subList(1, table.columnCount());
    double min = Double.MAX_VALUE;
    double max = -Double.MAX_VALUE;
    for (int row = 0; row < table.rowCount(); row++) {
      List<String> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (String c : classifiers) {
        double v = ((NumericColumn<?>) table.column(c)).getDouble(row);
        x.add(c);
        y.add(Double.isNaN(v) ? null : v);
        if (!Double.isNaN(v)) {
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
      }
      chart.addSeries(table.column(0).getString(row), x, y);
    }
    if (min <= max) {
      // A zoomed axis shows the differences between methods, which are a few points.
      chart.getStyler().setYAxisMin(Math.max(0, Math.floor(min - 2)));
      chart.getStyler().setYAxisMax(Math.min(100, Math.ceil(max + 1)));
    }
    return chart;
  }

  /** The PNG bytes of a chart. */
  public static byte[] png(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart) throws IOException {
    return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
  }

  /**
   * Accuracy against one hyper-parameter, one line per value of the other (Fig. 2 style), with
   * the official setting marked.
   *
   * @param x column on the x axis ({@code lambda} or {@code gamma})
   * @param series column whose values make the lines
   * @param y accuracy column ({@code Main} or {@code Ens})
   */
  public static org.knowm.xchart.XYChart sweep(Table table, String x, String series, String y, String title,
      double markX, double markSeries) {
    org.knowm.xchart.XYChart chart = new org.knowm.xchart.XYChartBuilder().width(620).height(420).title(title)
        .xAxisTitle(x.equals("lambda") ? "λ (importance coefficient)" : "γ (balancing constant)")
        .yAxisTitle(y + " top-1 test accuracy (%)").build();
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setYAxisDecimalPattern("0.0");
    List<Double> values = new ArrayList<>(new java.util.TreeSet<>(((NumericColumn<?>) table.column(series)).asList().stream()
        .map(v -> ((Number) v).doubleValue()).toList()));
    Double markY = null;
    for (double v : values) {
      java.util.TreeMap<Double, Double> line = new java.util.TreeMap<>();
      for (int r = 0; r < table.rowCount(); r++) {
        if (((NumericColumn<?>) table.column(series)).getDouble(r) == v) {
          double xv = ((NumericColumn<?>) table.column(x)).getDouble(r);
          double yv = ((NumericColumn<?>) table.column(y)).getDouble(r);
          line.put(xv, yv);
          if (v == markSeries && xv == markX) {
            markY = yv;
          }
        }
      }
      String name = (series.equals("lambda") ? "λ " : "γ ") + v;
      chart.addSeries(name, new ArrayList<>(line.keySet()), new ArrayList<>(line.values()));
    }
    if (markY != null) {
      var s = chart.addSeries("official (λ 1.6, γ 1.15)", List.of(markX), List.of(markY));
      s.setXYSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Scatter);
      s.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.CIRCLE);
      s.setMarkerColor(Color.RED);
    }
    return chart;
  }
}
