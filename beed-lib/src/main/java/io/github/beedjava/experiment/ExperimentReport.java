package io.github.beedjava.experiment;

import io.github.beedjava.report.Figures;
import io.github.beedjava.report.HtmlReport;
import io.github.beedjava.train.AtomicFiles;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Path;
import org.knowm.xchart.CategoryChart;
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
    return "Measured: " + result.setting() + ", top-1 test accuracy (%) of each classifier and of the ensemble "
        + "(unweighted logit sum). Paper: CIFAR-100, 200 epochs, copied from the supplement's "
        + (result.experiment().kind() == Experiment.Kind.TABLE1 ? "Table 1" : "Table 2") + ". " + comparable;
  }

  /** The figure: measured accuracy per classifier, one series per method. */
  public static CategoryChart figure(ExperimentResult result) {
    return Figures.accuracyPerClassifier(result.headline(Selection.FINAL),
        result.experiment().title() + ", profile " + result.experiment().profile().cliName() + ", final epoch");
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
    byte[] png = Figures.png(figure(result));
    AtomicFiles.write(dir.resolve("figure.png"), out -> out.write(png));
    AtomicFiles.writeString(dir.resolve("table.html"), HtmlReport.page(
        e.title() + " — " + e.profile().cliName(), note(result),
        HtmlReport.table(table), HtmlReport.image(png, e.title()), HtmlReport.table(best), HtmlReport.table(runs)));
    return dir;
  }

  private static String csv(Table t) {
    StringWriter w = new StringWriter();
    t.write().csv(w);
    return w.toString();
  }
}
