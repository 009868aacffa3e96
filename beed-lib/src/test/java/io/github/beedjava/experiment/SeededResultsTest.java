package io.github.beedjava.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.beedjava.config.Profile;
import io.github.beedjava.config.TrainingConfig;
import io.github.beedjava.eval.Accuracies;
import io.github.beedjava.train.RunSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

class SeededResultsTest {

  @Test
  void statisticsOfThreeValuesUseTheSampleSdAndStudentT() {
    SeedStatistics s = SeedStatistics.of(List.of(1.0, 2.0, 3.0));
    assertEquals(3, s.n());
    assertEquals(2.0, s.mean(), 1e-12);
    assertEquals(1.0, s.sd(), 1e-12);
    double half = 4.303 / Math.sqrt(3);
    assertEquals(2.0 - half, s.low(), 1e-12);
    assertEquals(2.0 + half, s.high(), 1e-12);
    assertFalse(s.excludesZero());
    assertEquals("2.00 ± 1.00", s.meanSd());
    assertEquals("+2.00 [-0.48, 4.48]", s.meanInterval());
  }

  @Test
  void oneValueHasNoIntervalAndNoneHasNoMean() {
    SeedStatistics one = SeedStatistics.of(List.of(5.0));
    assertTrue(Double.isNaN(one.sd()) && Double.isNaN(one.low()));
    assertEquals("+5.00 (n 1, no interval)", one.meanInterval());
    assertEquals(0, SeedStatistics.of(List.of()).n());
    assertEquals(12.706, SeedStatistics.t975(1), 0);
  }

  /**
   * Table 2 of one network over three seeds: CE's main network is 80 + seed, BEED's 81 + seed
   * except seed 3 (missing), the Baseline's 79 + 2 × seed. Paired differences use the shared seeds.
   */
  @Test
  void summaryAndPairedDifferencesComeFromThePerSeedRuns() throws IOException {
    Experiment e = Experiment.table2("resnet18", Profile.SMOKE);
    SeededResults r = SeededResults.collect(List.of(e), 3, config -> {
      long seed = config.seed();
      return switch (config.method()) {
        case CE -> Optional.of(run(config, 80 + seed));
        case BEED -> seed == 3 ? Optional.empty() : Optional.of(run(config, 81 + seed));
        case BASELINE -> Optional.of(run(config, 79 + 2 * seed));
        default -> Optional.empty();
      };
    });
    Table summary = r.summary(Selection.FINAL);
    assertEquals(List.of(3, 3, 0, 0, 2), summary.intColumn("n").asList());
    assertEquals("1 2", summary.stringColumn("seeds").get(4));
    assertEquals(83.0, summary.doubleColumn("Main mean").get(0), 1e-12); // Baseline 81, 83, 85
    assertEquals(2.0, summary.doubleColumn("Main sd").get(0), 1e-12);
    assertEquals(82.5, summary.doubleColumn("Main mean").get(4), 1e-12);

    Table d = r.differences(Selection.FINAL);
    int beedMinusCe = row(d, "BEED", "CE", "Main");
    assertEquals(2, d.intColumn("n").get(beedMinusCe));
    assertEquals(1.0, d.doubleColumn("difference").get(beedMinusCe), 1e-12);
    assertEquals(1.0, d.doubleColumn("95% low").get(beedMinusCe), 1e-12); // identical differences: zero width
    int ceMinusBaseline = row(d, "CE", "Baseline", "Main");
    assertEquals(3, d.intColumn("n").get(ceMinusBaseline));
    assertEquals(-1.0, d.doubleColumn("difference").get(ceMinusBaseline), 1e-12); // (1 - s) over s = 1, 2, 3
    assertTrue(r.findings(Selection.FINAL).get(0).contains("BEED minus CE = +1.00 [1.00, 1.00] over 2 seeds; the paper's ordering shows"),
        r.findings(Selection.FINAL).get(0));
  }

  @Test
  void theReportWritesTablesFiguresAndAPageThatSaysWhatTheProfileCannotShow(@TempDir Path dir) throws IOException {
    Experiment e = Experiment.table2("resnet18", Profile.SMOKE);
    SeededResults r = SeededResults.collect(List.of(e), 2, config -> Optional.of(run(config, 70 + config.seed())));
    Path out = SeededReport.write(r, dir, Selection.FINAL);
    assertEquals(dir.resolve("table2-resnet18").resolve("smoke"), out, "a subset of the six networks has a folder of its own");
    for (String f : List.of("summary.csv", "differences.csv", "summary.html", "figure-resnet18.png")) {
      assertTrue(Files.size(out.resolve(f)) > 0, f);
    }
    String html = Files.readString(out.resolve("summary.html"));
    assertTrue(html.contains("2 seeds per row") && html.contains("cannot reproduce the paper"), html.substring(0, 600));
  }

  private static int row(Table d, String label, String minus, String classifier) {
    for (int i = 0; i < d.rowCount(); i++) {
      if (d.stringColumn("Row").get(i).equals(label) && d.stringColumn("minus").get(i).equals(minus)
          && d.stringColumn("classifier").get(i).equals(classifier)) {
        return i;
      }
    }
    throw new AssertionError("no row " + label + " minus " + minus + " on " + classifier + " in\n" + d.printAll());
  }

  private static RunSummary run(TrainingConfig config, double main) {
    var names = config.classifierNames();
    double[] acc = new double[names.size()];
    for (int k = 0; k < acc.length; k++) {
      acc[k] = main - (acc.length - 1 - k);
    }
    Accuracies a = new Accuracies(names, acc, main + 0.5, 100);
    return new RunSummary(config.runId(), config.hash(), config, 3, a, 3, a, "0".repeat(64), null, 1, "abc", "cpu", "CPU", false);
  }
}
