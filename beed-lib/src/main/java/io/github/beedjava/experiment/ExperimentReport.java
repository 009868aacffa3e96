package io.github.beedjava.experiment;

import io.github.beedjava.objective.Method;
import io.github.beedjava.report.Figures;
import io.github.beedjava.report.HtmlReport;
import io.github.beedjava.report.PaperResults;
import io.github.beedjava.runtime.AtomicFiles;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Path;
import tech.tablesaw.api.Table;

/**
 * Writes an experiment's results to {@code <results>/<name>/<profile>/}: {@code table.csv} (final
 * epoch, measured beside the paper's, in the paper's layout), {@code table-best.csv} (best main-network epoch),
 * {@code runs.csv} (provenance), {@code figure.png} and a self-contained {@code table.html}.
 * Every file is written atomically.
 */
public final class ExperimentReport {
  private ExperimentReport() {}

  /** The note every rendering carries: what was measured and what it may be compared with. */
  public static String note(ExperimentResult result) {
    String comparable = result.comparableWithPaper()
        ? "These runs use the paper's recipe (profile paper), so they are comparable with the paper's columns."
        : "Only runs of profile 'paper' (CIFAR-100, full width, 200 epochs) are comparable with the paper's columns; "
            + "these are not, and are not a reproduction of the paper's numbers.";
    if (result.experiment().kind() == Experiment.Kind.FIGURE2) {
      return "Measured: " + result.setting() + ", BEED over the λ × γ grid, top-1 test accuracy (%) of the main network "
          + "and of the ensemble; the official λ 1.6, γ 1.15 is marked. The paper's Fig. 2 plots no recoverable values, "
          + "so nothing of the paper is shown here. " + (result.comparableWithPaper() ? "" : "Not a reproduction of the paper's numbers.");
    }
    String table = result.experiment().kind() == Experiment.Kind.TABLE1 ? "Table 1" : "Table 2";
    String paper = paperPublishes(result.experiment())
        ? "Paper: CIFAR-100, 200 epochs, copied from the supplement's " + table + ". "
        : "The supplement's " + table + " has no numbers for " + result.experiment().model() + " (its paper columns are empty). ";
    return "Measured: " + result.setting() + ", top-1 test accuracy (%) of each classifier and of the ensemble "
        + "(unweighted logit sum). " + paper + comparable;
  }

  /** Whether the supplement has any number for this experiment's network in its table. */
  private static boolean paperPublishes(Experiment e) {
    for (Method m : Method.values()) {
      boolean found = e.kind() == Experiment.Kind.TABLE1
          ? java.util.stream.Stream.of("lct", "byot", "tofd", "bottleneck")
              .anyMatch(x -> PaperResults.table1(e.model(), x, m).isPresent())
          : PaperResults.table2(e.model(), m).isPresent();
      if (found) {
        return true;
      }
    }
    return false;
  }

  /** The figure: measured accuracy per classifier, one series per method (the first of {@link #figures}). */
  public static org.knowm.xchart.internal.chartpart.Chart<?, ?> figure(ExperimentResult result) {
    return figures(result).values().iterator().next();
  }

  /**
   * Every figure by file stem: for tables, accuracy per classifier; for Fig. 2, main and ensemble
   * accuracy against λ (one line per γ) and against γ (one line per λ).
   */
  public static java.util.Map<String, org.knowm.xchart.internal.chartpart.Chart<?, ?>> figures(ExperimentResult result) {
    String where = ", profile " + result.experiment().profile().cliName() + ", final epoch";
    java.util.Map<String, org.knowm.xchart.internal.chartpart.Chart<?, ?>> out = new java.util.LinkedHashMap<>();
    if (result.experiment().kind() == Experiment.Kind.FIGURE2) {
      Table t = result.ablation(Selection.FINAL);
      for (String y : java.util.List.of("Main", "Ens")) {
        out.put("figure-lambda-" + y.toLowerCase(java.util.Locale.ROOT), Figures.sweep(t, "lambda", "gamma", y,
            y + " accuracy against λ" + where, Experiment.OFFICIAL_LAMBDA, Experiment.OFFICIAL_GAMMA));
        out.put("figure-gamma-" + y.toLowerCase(java.util.Locale.ROOT), Figures.sweep(t, "gamma", "lambda", y,
            y + " accuracy against γ" + where, Experiment.OFFICIAL_GAMMA, Experiment.OFFICIAL_LAMBDA));
      }
    } else {
      out.put("figure", Figures.accuracyPerClassifier(result.headline(Selection.FINAL), result.experiment().title() + where));
    }
    return out;
  }

  /**
   * Writes every file and returns the folder.
   *
   * @param resultsRoot the {@code results/} folder
   */
  public static Path write(ExperimentResult result, Path resultsRoot) throws IOException {
    Experiment e = result.experiment();
    Path dir = resultsRoot.resolve(e.name()).resolve(e.profile().cliName());
    Table table = result.comparison(Selection.FINAL);
    Table best = result.comparison(Selection.BEST_MAIN);
    Table runs = result.provenance();
    AtomicFiles.writeString(dir.resolve("table.csv"), csv(table));
    AtomicFiles.writeString(dir.resolve("table-best.csv"), csv(best));
    AtomicFiles.writeString(dir.resolve("runs.csv"), csv(runs));
    java.util.List<String> fragments = new java.util.ArrayList<>(java.util.List.of(HtmlReport.table(table)));
    for (var figure : figures(result).entrySet()) {
      byte[] png = Figures.png(figure.getValue());
      AtomicFiles.write(dir.resolve(figure.getKey() + ".png"), out -> out.write(png));
      fragments.add(HtmlReport.image(png, e.title() + " " + figure.getKey()));
    }
    fragments.add(HtmlReport.table(best));
    fragments.add(HtmlReport.table(runs));
    AtomicFiles.writeString(dir.resolve("table.html"), HtmlReport.page(
        e.title() + " — " + e.profile().cliName(), note(result), fragments.toArray(String[]::new)));
    return dir;
  }

  private static String csv(Table t) {
    StringWriter w = new StringWriter();
    t.write().csv(w);
    return w.toString();
  }
}
