package io.github.beedjava.experiment;

import io.github.beedjava.config.TrainingConfig;
import io.github.beedjava.eval.Accuracies;
import io.github.beedjava.report.PaperResults;
import io.github.beedjava.train.RunSummary;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.numbers.NumberColumnFormatter;

/**
 * The runs of an experiment and their tables: measured accuracies, measured beside the paper's
 * (labelled as such), and one provenance row per run.
 *
 * @param experiment what was run
 * @param runs one summary per entry, same order
 */
public record ExperimentResult(Experiment experiment, List<RunSummary> runs) {

  /** Checks there is one run per entry. */
  public ExperimentResult {
    if (runs.size() != experiment.entries().size()) {
      throw new IllegalArgumentException("one run per entry expected");
    }
    runs = List.copyOf(runs);
  }

  /** Measured top-1 accuracies (%): Method, Exit1, Exit2, Exit3, Main, Ens. */
  public Table measured(Selection selection) {
    Table t = Table.create(experiment.title() + " — measured (" + selection.label() + ", " + setting() + ")");
    t.addColumns(StringColumn.create("Method", experiment.entries().stream().map(Experiment.Entry::label).toList()));
    for (String column : PaperResults.TABLE2_COLUMNS) {
      DoubleColumn c = DoubleColumn.create(column);
      for (RunSummary r : runs) {
        c.append(value(accuracies(r, selection), column));
      }
      t.addColumns(formatted(c));
    }
    return t;
  }

  /**
   * The measured table beside the paper's numbers. Columns {@code X (measured)} and {@code X
   * (paper)}; the caption states the setting of both, since only {@code paper} runs are comparable.
   */
  public Table withPaper(Selection selection) {
    Table t = Table.create(experiment.title() + " — measured (" + selection.label() + ", " + setting()
        + ") beside the paper's (" + PaperResults.SOURCE + ")");
    t.addColumns(StringColumn.create("Method", experiment.entries().stream().map(Experiment.Entry::label).toList()));
    for (String column : PaperResults.TABLE2_COLUMNS) {
      DoubleColumn measured = DoubleColumn.create(column + " (measured)");
      DoubleColumn paper = DoubleColumn.create(column + " (paper)");
      for (int i = 0; i < runs.size(); i++) {
        measured.append(value(accuracies(runs.get(i), selection), column));
        int index = PaperResults.TABLE2_COLUMNS.indexOf(column);
        paper.append(PaperResults.table2(experiment.model(), experiment.entries().get(i).method())
            .map(v -> v[index]).orElse(Double.NaN));
      }
      t.addColumns(formatted(measured), formatted(paper));
    }
    return t;
  }

  /**
   * Supplement Table 1's layout: one row per exit structure, one column per method (CE, KD, EED,
   * BEED), main-network accuracy; with {@code withPaper}, {@code X (measured)} and {@code X (paper)}.
   */
  public Table mainByExitAndMethod(Selection selection, boolean withPaper) {
    List<io.github.beedjava.model.ExitStructure> exits = runs.stream().map(r -> r.config().exits()).distinct().toList();
    List<io.github.beedjava.objective.Method> methods = experiment.entries().stream().map(Experiment.Entry::method).distinct().toList();
    Table t = Table.create(experiment.title() + " — main network, measured (" + selection.label() + ", " + setting() + ")"
        + (withPaper ? " beside the paper's (" + PaperResults.TABLE1_SOURCE + ")" : ""));
    t.addColumns(StringColumn.create("Exit structure", exits.stream().map(Experiment::exitLabel).toList()));
    for (io.github.beedjava.objective.Method m : methods) {
      DoubleColumn measured = DoubleColumn.create(withPaper ? m.name() + " (measured)" : m.name());
      DoubleColumn paper = DoubleColumn.create(m.name() + " (paper)");
      for (io.github.beedjava.model.ExitStructure e : exits) {
        double v = Double.NaN;
        for (int i = 0; i < runs.size(); i++) {
          if (runs.get(i).config().exits() == e && experiment.entries().get(i).method() == m) {
            v = accuracies(runs.get(i), selection).main();
          }
        }
        measured.append(v);
        paper.append(PaperResults.table1(experiment.model(), e.cliName(), m).orElse(Double.NaN));
      }
      t.addColumns(formatted(measured));
      if (withPaper) {
        t.addColumns(formatted(paper));
      }
    }
    return t;
  }

  /** Fig. 2's data: one row per (λ, γ) with the main network's and the ensemble's accuracy. */
  public Table ablation(Selection selection) {
    Table t = Table.create(experiment.title() + " — measured (" + selection.label() + ", " + setting() + ")");
    DoubleColumn lambda = DoubleColumn.create("lambda");
    DoubleColumn gamma = DoubleColumn.create("gamma");
    DoubleColumn main = DoubleColumn.create("Main");
    DoubleColumn ens = DoubleColumn.create("Ens");
    for (RunSummary r : runs) {
      lambda.append(r.config().lambda());
      gamma.append(r.config().gamma());
      Accuracies a = accuracies(r, selection);
      main.append(a.main());
      ens.append(a.ensemble());
    }
    return t.addColumns(lambda, gamma, formatted(main), formatted(ens));
  }

  /** The table this experiment reproduces, measured beside the paper's where the paper has numbers. */
  public Table comparison(Selection selection) {
    return switch (experiment.kind()) {
      case TABLE1 -> mainByExitAndMethod(selection, true);
      case TABLE2 -> withPaper(selection);
      case FIGURE2 -> ablation(selection); // the figure's plotted values could not be recovered (docs/method.md)
    };
  }

  /** The measured values alone, in the paper's layout (the figure's data). */
  public Table headline(Selection selection) {
    return switch (experiment.kind()) {
      case TABLE1 -> mainByExitAndMethod(selection, false);
      case TABLE2 -> measured(selection);
      case FIGURE2 -> ablation(selection);
    };
  }

  /** One row per run: what, where, when, on what, how long, and the run's identity. */
  public Table provenance() {
    Table t = Table.create(experiment.title() + " — runs");
    StringColumn method = StringColumn.create("Row");
    StringColumn model = StringColumn.create("model");
    StringColumn exits = StringColumn.create("exits");
    StringColumn dataset = StringColumn.create("dataset");
    StringColumn profile = StringColumn.create("profile");
    IntColumn epochs = IntColumn.create("epochs");
    IntColumn seed = IntColumn.create("seed");
    StringColumn commit = StringColumn.create("commit");
    StringColumn hardware = StringColumn.create("hardware");
    StringColumn backend = StringColumn.create("backend");
    DoubleColumn wall = DoubleColumn.create("wall s");
    StringColumn reused = StringColumn.create("reused");
    StringColumn runId = StringColumn.create("run");
    for (int i = 0; i < runs.size(); i++) {
      RunSummary r = runs.get(i);
      TrainingConfig c = r.config();
      method.append(experiment.entries().get(i).label());
      model.append(c.model());
      exits.append(c.exits().cliName());
      dataset.append(c.dataset());
      profile.append(c.profile().cliName());
      epochs.append(c.epochs());
      seed.append((int) c.seed());
      commit.append(r.gitCommit().length() > 12 ? r.gitCommit().substring(0, 12) + (r.gitCommit().endsWith("+dirty") ? "+dirty" : "") : r.gitCommit());
      hardware.append(r.hardware());
      backend.append(r.backend());
      wall.append(Math.round(r.wallSeconds()));
      reused.append(r.reused() ? "yes" : "no");
      runId.append(r.runId());
    }
    wall.setPrintFormatter(NumberColumnFormatter.ints());
    return t.addColumns(method, model, exits, dataset, profile, epochs, seed, commit, hardware, backend, wall, reused, runId);
  }

  /** Profile, dataset, width, epochs and data sizes, for captions. */
  public String setting() {
    TrainingConfig c = runs.get(0).config();
    String train = c.trainSubset() > 0 ? c.trainSubset() + " training images" : "full training set";
    return String.format(Locale.ROOT, "profile %s: %s, %s, width %s, %d epochs", c.profile().cliName(), c.dataset(), train, trim(c.width()), c.epochs());
  }

  /** True when every run used the paper profile, the only setting comparable with the paper. */
  public boolean comparableWithPaper() {
    return runs.stream().allMatch(r -> r.config().profile() == io.github.beedjava.config.Profile.PAPER);
  }

  static Accuracies accuracies(RunSummary r, Selection s) {
    return s == Selection.FINAL ? r.finalAccuracies() : r.bestAccuracies();
  }

  /** A classifier column's accuracy (NaN when the run has no such classifier, or no ensemble). */
  static double value(Accuracies a, String column) {
    Map<String, Double> m = a.asMap();
    if (column.equals("Ens")) {
      return a.names().size() > 1 ? a.ensemble() : Double.NaN; // one classifier: no ensemble
    }
    return m.getOrDefault(column, Double.NaN);
  }

  /** Two decimals, {@code –} for a missing value (every accuracy column of these tables). */
  static DoubleColumn formatted(DoubleColumn c) {
    c.setPrintFormatter(new NumberColumnFormatter(new java.text.DecimalFormat("0.00"), "–"));
    return c;
  }

  private static String trim(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
