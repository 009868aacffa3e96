package io.github.beedjava.experiment;

import io.github.beedjava.config.TrainingConfig;
import io.github.beedjava.report.Figures;
import io.github.beedjava.report.HtmlReport;
import io.github.beedjava.runtime.AtomicFiles;
import io.github.beedjava.train.RunSummary;
import java.io.IOException;
import java.io.StringWriter;
import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.model.Models;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tech.tablesaw.api.Table;

/**
 * Writes {@link SeededResults} to {@code <results>/<table>/<profile>/}: {@code summary.csv} (mean
 * and sd per classifier, n, seeds, the paper's columns), {@code differences.csv} (paired differences
 * with 95 % intervals), {@code figure-<network>.png} (error bars) and {@code summary.html} with the
 * note, the findings and everything above. Every file is written atomically.
 */
public final class SeededReport {
  private SeededReport() {}

  /** What the profile can and cannot show, and how the numbers were made. */
  public static String note(SeededResults results) {
    RunSummary any = results.rows().stream().flatMap(r -> r.runs().stream()).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no finished run in any row"));
    TrainingConfig c = any.config();
    String setting = String.format(Locale.ROOT, "profile %s (%s, %s, width %s, %d epochs, batch %d)", c.profile().cliName(), c.dataset(),
        c.trainSubset() > 0 ? c.trainSubset() + " training images" : "full training set", trim(c.width()), c.epochs(), c.batchSize());
    int fewest = results.rows().stream().mapToInt(r -> r.runs().size()).min().orElse(0);
    int most = results.rows().stream().mapToInt(r -> r.runs().size()).max().orElse(0);
    String seeds = fewest == most ? most + " seed" + (most == 1 ? "" : "s") + " per row"
        : "between " + fewest + " and " + most + " seeds per row (n in every row)";
    String comparable = c.profile() == io.github.beedjava.config.Profile.PAPER
        ? "These runs use the paper's recipe and can be compared with the paper's columns."
        : "This profile shows that every method trains and how the methods compare at this small budget; it cannot reproduce "
            + "the paper's CIFAR-100, 200-epoch accuracies, nor differences of the paper's size (a few tenths to about two "
            + "points), which are below the seed-to-seed spread here. The paper's columns are the supplement's numbers, "
            + "for orientation only.";
    return "Measured: " + setting + ", top-1 test accuracy (%), " + seeds + ", mean ± sample standard deviation; differences "
        + "are paired per seed (same data order) with 95 % Student-t intervals. " + comparable;
  }

  /**
   * Writes every file and returns the folder: {@code <target>/<profile>/}, and for a Table 2 over
   * other networks than the six of the paper {@code table2-<network>-.../<profile>/}, so that a
   * subset never overwrites the full table.
   */
  public static Path write(SeededResults results, Path resultsRoot, Selection selection) throws IOException {
    String name = switch (results.kind()) {
      case TABLE1 -> "table1";
      case TABLE2 -> results.models().equals(Models.namesWith(ExitStructure.BOTTLENECK))
          ? "table2" : "table2-" + String.join("-", results.models());
      case FIGURE2 -> "figure2";
    };
    Path dir = resultsRoot.resolve(name).resolve(results.profile());
    Table summary = results.summary(selection);
    Table differences = results.differences(selection);
    AtomicFiles.writeString(dir.resolve("summary.csv"), csv(summary));
    AtomicFiles.writeString(dir.resolve("differences.csv"), csv(differences));
    List<String> fragments = new ArrayList<>();
    fragments.add("<ul>" + results.findings(selection).stream().map(f -> "<li>" + HtmlReport.escape(f) + "</li>")
        .reduce("", String::concat) + "</ul>");
    fragments.add(HtmlReport.table(results.summaryText(selection)));
    for (String model : results.models()) {
      byte[] png = Figures.png(results.figure(model, selection));
      AtomicFiles.write(dir.resolve("figure-" + model + ".png"), out -> out.write(png));
      fragments.add(HtmlReport.image(png, model));
    }
    fragments.add(HtmlReport.table(differences.removeColumns("difference", "95% low", "95% high")));
    AtomicFiles.writeString(dir.resolve("summary.html"),
        HtmlReport.page(name + " over seeds — " + results.profile(), note(results), fragments.toArray(String[]::new)));
    return dir;
  }

  private static String csv(Table t) {
    StringWriter w = new StringWriter();
    t.write().csv(w);
    return w.toString();
  }

  private static String trim(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
