package io.github.beedjava.experiment;

import io.github.beedjava.config.TrainingConfig;
import io.github.beedjava.objective.Method;
import io.github.beedjava.report.PaperResults;
import io.github.beedjava.train.RunSummary;
import java.awt.Color;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * A paper table over several networks and seeds: every row of every network's {@link Experiment}
 * with the finished runs of each seed, summarised as mean ± standard deviation (n shown) and, for
 * each multi-exit method, its paired per-seed difference from CE and from the Baseline with a
 * 95 % Student-t interval. Rows keep however many seeds have finished, and say so.
 *
 * @param kind which paper table
 * @param profile profile name of every run
 * @param rows one per network × experiment entry, in table order
 */
public record SeededResults(Experiment.Kind kind, String profile, List<Row> rows) {

  /**
   * One table row over seeds.
   *
   * @param model the network
   * @param entry the experiment entry (its config is the seed-1 one)
   * @param runs the finished runs, one per seed present, in seed order
   */
  public record Row(String model, Experiment.Entry entry, List<RunSummary> runs) {
    /** The seeds present. */
    public List<Long> seeds() {
      return runs.stream().map(r -> r.config().seed()).toList();
    }

    /** Accuracy (%) of a classifier column per seed present (NaN when the run has no such classifier). */
    Map<Long, Double> values(String column, Selection selection) {
      Map<Long, Double> out = new LinkedHashMap<>();
      for (RunSummary r : runs) {
        out.put(r.config().seed(), ExperimentResult.value(ExperimentResult.accuracies(r, selection), column));
      }
      return out;
    }

    /** Mean ± sd of a classifier column over the seeds present (n 0 when the row has no such classifier). */
    public SeedStatistics stats(String column, Selection selection) {
      List<Double> v = values(column, selection).values().stream().filter(d -> !Double.isNaN(d)).toList();
      return SeedStatistics.of(v);
    }
  }

  /** Finds the finished run of a config, if there is one. */
  @FunctionalInterface
  public interface RunLookup {
    /** The run's summary, or empty when it has not finished. */
    Optional<RunSummary> find(TrainingConfig config) throws IOException;
  }

  /**
   * Collects seeds 1..{@code seeds} of every entry of every experiment.
   *
   * @param experiments one per network, built for seed 1 (the profile's default)
   */
  public static SeededResults collect(List<Experiment> experiments, int seeds, RunLookup lookup) throws IOException {
    if (experiments.isEmpty() || seeds < 1) {
      throw new IllegalArgumentException("seeded results need at least one experiment and one seed");
    }
    List<Row> rows = new ArrayList<>();
    for (Experiment e : experiments) {
      for (Experiment.Entry entry : e.entries()) {
        List<RunSummary> runs = new ArrayList<>();
        for (int s = 1; s <= seeds; s++) {
          lookup.find(entry.config().toBuilder().seed(s).build()).ifPresent(runs::add);
        }
        rows.add(new Row(e.model(), entry, runs));
      }
    }
    return new SeededResults(experiments.get(0).kind(), experiments.get(0).profile().cliName(), rows);
  }

  /** The classifier columns this kind of table reports. */
  public List<String> columns() {
    return kind == Experiment.Kind.TABLE2 ? PaperResults.TABLE2_COLUMNS : List.of("Main", "Ens");
  }

  /**
   * Mean and standard deviation per classifier ({@code X mean}, {@code X sd}), n and the seeds of
   * every row, and the paper's main-network (and for Table 2 ensemble) accuracy in columns labelled
   * {@code (paper)}.
   */
  public Table summary(Selection selection) {
    Table t = Table.create(title("mean and standard deviation over seeds", selection));
    StringColumn network = StringColumn.create("Network");
    StringColumn label = StringColumn.create("Row");
    IntColumn n = IntColumn.create("n");
    StringColumn seeds = StringColumn.create("seeds");
    Map<String, DoubleColumn[]> stats = new LinkedHashMap<>();
    for (String c : columns()) {
      stats.put(c, new DoubleColumn[] {DoubleColumn.create(c + " mean"), DoubleColumn.create(c + " sd")});
    }
    DoubleColumn paperMain = DoubleColumn.create("Main (paper)");
    DoubleColumn paperEns = DoubleColumn.create("Ens (paper)");
    for (Row r : rows) {
      network.append(r.model());
      label.append(r.entry().label());
      n.append(r.runs().size());
      seeds.append(r.seeds().stream().map(String::valueOf).reduce((a, b) -> a + " " + b).orElse("none"));
      for (var e : stats.entrySet()) {
        SeedStatistics s = r.stats(e.getKey(), selection);
        e.getValue()[0].append(s.mean());
        e.getValue()[1].append(s.sd());
      }
      double[] paper = paper(r);
      paperMain.append(paper[0]);
      paperEns.append(paper[1]);
    }
    t.addColumns(network, label, n, seeds);
    for (DoubleColumn[] pair : stats.values()) {
      t.addColumns(ExperimentResult.formatted(pair[0]), ExperimentResult.formatted(pair[1]));
    }
    t.addColumns(ExperimentResult.formatted(paperMain));
    if (kind == Experiment.Kind.TABLE2) {
      t.addColumns(ExperimentResult.formatted(paperEns));
    }
    return t;
  }

  /** {@link #summary} for reading: one {@code mean ± sd} cell per classifier, n and the paper's columns. */
  public Table summaryText(Selection selection) {
    Table t = Table.create(title("mean ± standard deviation over seeds (n seeds)", selection));
    t.addColumns(StringColumn.create("Network", rows.stream().map(Row::model).toList()),
        StringColumn.create("Row", rows.stream().map(r -> r.entry().label()).toList()),
        IntColumn.create("n", rows.stream().mapToInt(r -> r.runs().size()).toArray()));
    for (String c : columns()) {
      t.addColumns(StringColumn.create(c, rows.stream().map(r -> r.stats(c, selection).meanSd()).toList()));
    }
    t.addColumns(StringColumn.create("Main (paper)", rows.stream().map(r -> paperText(paper(r)[0])).toList()));
    if (kind == Experiment.Kind.TABLE2) {
      t.addColumns(StringColumn.create("Ens (paper)", rows.stream().map(r -> paperText(paper(r)[1])).toList()));
    }
    return t;
  }

  /**
   * Paired differences (per seed present in both rows, so the same data order): every multi-exit
   * row against CE with the same exits and against the Baseline of its network, on the main
   * network and (against CE) on the ensemble, each with its 95 % interval.
   */
  public Table differences(Selection selection) {
    Table t = Table.create(title("paired differences over seeds, 95 % Student-t intervals", selection));
    StringColumn network = StringColumn.create("Network");
    StringColumn label = StringColumn.create("Row");
    StringColumn versus = StringColumn.create("minus");
    IntColumn n = IntColumn.create("n");
    StringColumn column = StringColumn.create("classifier");
    DoubleColumn mean = DoubleColumn.create("difference");
    DoubleColumn low = DoubleColumn.create("95% low");
    DoubleColumn high = DoubleColumn.create("95% high");
    StringColumn text = StringColumn.create("difference [95% interval]");
    DoubleColumn paper = DoubleColumn.create("paper difference");
    for (Row r : rows) {
      Method m = r.entry().method();
      if (m == Method.BASELINE) {
        continue;
      }
      for (Row ref : references(r)) {
        for (String c : ref.entry().method() == Method.BASELINE ? List.of("Main") : List.of("Main", "Ens")) {
          SeedStatistics d = pairedDifference(r, ref, c, selection);
          network.append(r.model());
          label.append(r.entry().label());
          versus.append(ref.entry().label());
          n.append(d.n());
          column.append(c);
          mean.append(d.mean());
          low.append(d.low());
          high.append(d.high());
          text.append(d.meanInterval());
          int i = c.equals("Main") ? 0 : 1;
          paper.append(paper(r)[i] - paper(ref)[i]);
        }
      }
    }
    return t.addColumns(network, label, versus, n, column, ExperimentResult.formatted(mean), ExperimentResult.formatted(low), ExperimentResult.formatted(high), text, ExperimentResult.formatted(paper));
  }

  /**
   * One sentence per network: whether the paper's claim (BEED's main network above CE's, and above
   * the Baseline for Table 2) shows in these runs, with the paired interval.
   */
  public List<String> findings(Selection selection) {
    List<String> out = new ArrayList<>();
    for (Row r : rows) {
      if (r.entry().method() != Method.BEED) {
        continue;
      }
      for (Row ref : references(r)) {
        SeedStatistics d = pairedDifference(r, ref, "Main", selection);
        double paperDiff = paper(r)[0] - paper(ref)[0];
        String verdict = d.n() == 0 ? "has no paired runs yet"
            : d.n() == 1 ? "cannot be judged with one seed"
            : d.low() > 0 ? "shows (the interval is above zero)"
            : d.high() < 0 ? "is reversed (the interval is below zero)"
            : "cannot be told from noise (the interval contains zero)";
        out.add(String.format(Locale.ROOT, "%s, %s: main network %s minus %s = %s over %d seed%s; the paper's ordering %s%s.",
            r.model(), r.entry().label(), r.entry().label(), ref.entry().label(), d.meanInterval(), d.n(), d.n() == 1 ? "" : "s",
            verdict, Double.isNaN(paperDiff) ? "" : String.format(Locale.ROOT, " (paper, CIFAR-100 at 200 epochs: %+.2f)", paperDiff)));
      }
    }
    return out;
  }

  /**
   * The figure of one network: mean accuracy per classifier (Table 2) or per exit structure
   * (Table 1, main network), one series per method, error bars of one standard deviation.
   */
  public CategoryChart figure(String model, Selection selection) {
    List<Row> mine = rows.stream().filter(r -> r.model().equals(model)).toList();
    CategoryChart chart = new CategoryChartBuilder().width(820).height(460)
        .title(String.format(Locale.ROOT, "%s, profile %s: mean ± sd over seeds (%s)", model, profile, selection.label()))
        .xAxisTitle(kind == Experiment.Kind.TABLE1 ? "exit structure (main network)" : "classifier")
        .yAxisTitle("top-1 test accuracy (%)").build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setErrorBarsColor(Color.DARK_GRAY);
    chart.getStyler().setYAxisDecimalPattern("0.0");
    double min = Double.MAX_VALUE;
    double max = -Double.MAX_VALUE;
    Map<String, List<Object[]>> series = new LinkedHashMap<>();
    for (Row r : mine) {
      if (kind == Experiment.Kind.TABLE1) {
        SeedStatistics s = r.stats("Main", selection);
        series.computeIfAbsent(r.entry().method().name(), k -> new ArrayList<>())
            .add(new Object[] {Experiment.exitLabel(r.entry().config().exits()), s});
      } else {
        for (String c : columns()) {
          series.computeIfAbsent(r.entry().label(), k -> new ArrayList<>()).add(new Object[] {c, r.stats(c, selection)});
        }
      }
    }
    for (var e : series.entrySet()) {
      List<String> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      List<Double> err = new ArrayList<>();
      for (Object[] point : e.getValue()) {
        SeedStatistics s = (SeedStatistics) point[1];
        x.add((String) point[0]);
        y.add(s.n() == 0 ? 0.0 : s.mean());
        err.add(Double.isNaN(s.sd()) ? 0.0 : s.sd());
        if (s.n() > 0) {
          min = Math.min(min, s.mean() - err.get(err.size() - 1));
          max = Math.max(max, s.mean() + err.get(err.size() - 1));
        }
      }
      chart.addSeries(e.getKey(), x, y, err);
    }
    if (min <= max) {
      chart.getStyler().setYAxisMin(Math.max(0, Math.floor(min - 2)));
      chart.getStyler().setYAxisMax(Math.min(100, Math.ceil(max + 1)));
    }
    return chart;
  }

  /** The networks, in table order. */
  public List<String> models() {
    return rows.stream().map(Row::model).distinct().toList();
  }

  /** The rows a row is compared with: CE with the same exits (unless it is CE) and its network's Baseline. */
  private List<Row> references(Row r) {
    List<Row> out = new ArrayList<>();
    for (Row o : rows) {
      if (!o.model().equals(r.model()) || o == r) {
        continue;
      }
      Method m = o.entry().method();
      if (m == Method.CE && r.entry().method() != Method.CE && o.entry().config().exits() == r.entry().config().exits()) {
        out.add(0, o);
      } else if (m == Method.BASELINE) {
        out.add(o);
      }
    }
    return out;
  }

  private static SeedStatistics pairedDifference(Row a, Row b, String column, Selection selection) {
    Map<Long, Double> x = a.values(column, selection);
    Map<Long, Double> y = b.values(column, selection);
    List<Double> d = new ArrayList<>();
    for (var e : x.entrySet()) {
      Double other = y.get(e.getKey());
      if (other != null && !Double.isNaN(other) && !Double.isNaN(e.getValue())) {
        d.add(e.getValue() - other);
      }
    }
    return SeedStatistics.of(d);
  }

  /** The paper's main-network and ensemble accuracy of a row (NaN where the paper has none). */
  private double[] paper(Row r) {
    Method m = r.entry().method();
    if (kind == Experiment.Kind.TABLE1) {
      return new double[] {PaperResults.table1(r.model(), r.entry().config().exits().cliName(), m).orElse(Double.NaN), Double.NaN};
    }
    if (kind == Experiment.Kind.TABLE2) {
      int main = PaperResults.TABLE2_COLUMNS.indexOf("Main");
      int ens = PaperResults.TABLE2_COLUMNS.indexOf("Ens");
      return PaperResults.table2(r.model(), m).map(v -> new double[] {v[main], v[ens]}).orElse(new double[] {Double.NaN, Double.NaN});
    }
    return new double[] {Double.NaN, Double.NaN};
  }

  private String title(String what, Selection selection) {
    String table = switch (kind) {
      case TABLE1 -> "Table 1";
      case TABLE2 -> "Table 2";
      case FIGURE2 -> "Figure 2";
    };
    return String.format(Locale.ROOT, "%s, profile %s — %s (%s)", table, profile, what, selection.label());
  }

  private static String paperText(double v) {
    return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.2f", v);
  }
}
