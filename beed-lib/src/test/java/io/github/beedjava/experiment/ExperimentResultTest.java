package io.github.beedjava.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.beedjava.config.Profile;
import io.github.beedjava.eval.Accuracies;
import io.github.beedjava.objective.Method;
import io.github.beedjava.train.RunSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

class ExperimentResultTest {
  @TempDir Path dir;

  /** Made-up accuracies, distinct per method, to check where each value lands. */
  private static ExperimentResult fake(Profile profile) {
    return fake("resnet18", profile);
  }

  private static ExperimentResult fake(String model, Profile profile) {
    Experiment e = Experiment.table2(model, profile);
    List<RunSummary> runs = new ArrayList<>();
    int i = 0;
    for (Experiment.Entry entry : e.entries()) {
      var names = entry.config().classifierNames();
      double[] acc = new double[names.size()];
      for (int k = 0; k < acc.length; k++) {
        acc[k] = 10 * i + k;
      }
      Accuracies a = new Accuracies(names, acc, 10 * i + 9, 100);
      Accuracies best = new Accuracies(names, acc.clone(), 10 * i + 8, 100);
      runs.add(new RunSummary(entry.config().runId(), entry.config().hash(), entry.config(), 3, a, 2, best,
          "0".repeat(64), null, 12.5, "abc", "cpu", "CPU", false));
      i++;
    }
    return new ExperimentResult(e, runs);
  }

  @Test
  void table2HasTheFiveRowsAndPutsEveryValueInItsColumn() {
    ExperimentResult r = fake(Profile.SMOKE);
    Table t = r.measured(Selection.FINAL);
    assertEquals(List.of("Baseline", "CE", "KD", "EED", "BEED"), t.stringColumn("Method").asList());
    assertEquals(List.of("Method", "Exit1", "Exit2", "Exit3", "Main", "Ens"), t.columnNames());
    assertTrue(t.doubleColumn("Exit1").isMissing(0), "the baseline has no exits");
    assertTrue(t.doubleColumn("Ens").isMissing(0), "the baseline has no ensemble");
    assertEquals(0.0, t.doubleColumn("Main").get(0));
    assertEquals(40.0, t.doubleColumn("Exit1").get(4));
    assertEquals(43.0, t.doubleColumn("Main").get(4));
    assertEquals(49.0, t.doubleColumn("Ens").get(4));
    assertEquals(48.0, r.measured(Selection.BEST_MAIN).doubleColumn("Ens").get(4));
  }

  @Test
  void paperColumnsAreLabelledAndHoldThePapersNumbers() {
    Table t = fake(Profile.QUICK).withPaper(Selection.FINAL);
    assertEquals(80.58, t.doubleColumn("Main (paper)").get(4));
    assertEquals(77.60, t.doubleColumn("Main (paper)").get(0));
    assertEquals(43.0, t.doubleColumn("Main (measured)").get(4));
    assertTrue(t.name().contains("profile quick"), t.name());
    String note = ExperimentReport.note(fake(Profile.QUICK));
    assertTrue(note.contains("not a reproduction"), note);
    assertTrue(note.contains("copied from the supplement's Table 2"), note);
    // MSDNet: the supplement names it but publishes no numbers, and the note must not claim any
    String msdnet = ExperimentReport.note(fake("msdnet", Profile.QUICK));
    assertTrue(msdnet.contains("has no numbers for msdnet") && !msdnet.contains("copied"), msdnet);
  }

  @Test
  void writesEveryFileWithProvenance() throws IOException {
    Path out = ExperimentReport.write(fake(Profile.SMOKE), dir);
    assertEquals(dir.resolve("table2/smoke"), out);
    for (String f : List.of("table.csv", "table-best.csv", "runs.csv", "figure.png", "table.html")) {
      assertTrue(Files.size(out.resolve(f)) > 0, f + " is empty");
    }
    List<String> csv = Files.readAllLines(out.resolve("table.csv"));
    assertEquals(6, csv.size());
    assertTrue(csv.get(5).startsWith("BEED,40.0,77.55,"), csv.get(5));
    String runs = Files.readString(out.resolve("runs.csv"));
    for (String field : List.of("model", "exits", "dataset", "profile", "epochs", "seed", "commit", "hardware", "backend", "wall s")) {
      assertTrue(runs.startsWith("Row,") && runs.lines().findFirst().orElseThrow().contains(field), "runs.csv lacks " + field);
    }
    String html = Files.readString(out.resolve("table.html"));
    assertTrue(html.contains("data:image/png;base64,") && html.contains("<table"), "table.html is not self-contained");
  }

  @Test
  void figure2GridRefusesInvalidGammaAndPlotsBothSweeps() throws IOException {
    IllegalArgumentException bad = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> Experiment.figure2("resnet18", Profile.SMOKE, new double[] {1.6}, new double[] {1.3}, null));
    assertTrue(bad.getMessage().contains("figure2 grid: λ 1.6, γ 1.3") && bad.getMessage().contains("1.2599"), bad.getMessage());
    Experiment e = Experiment.figure2("resnet18", Profile.SMOKE);
    assertEquals(9, e.entries().size());
    List<RunSummary> runs = new ArrayList<>();
    for (Experiment.Entry entry : e.entries()) {
      var names = entry.config().classifierNames();
      double main = 50 + 10 * entry.config().lambda() + entry.config().gamma();
      Accuracies a = new Accuracies(names, new double[] {1, 2, 3, main}, main + 1, 100);
      runs.add(new RunSummary(entry.config().runId(), entry.config().hash(), entry.config(), 3, a, 3, a,
          "0".repeat(64), null, 1, "abc", "cpu", "CPU", false));
    }
    ExperimentResult r = new ExperimentResult(e, runs);
    Table t = r.ablation(Selection.FINAL);
    assertEquals(9, t.rowCount());
    assertEquals(50 + 16 + 1.15, t.doubleColumn("Main").get(4), 1e-9); // λ 1.6, γ 1.15 is the centre of the grid
    assertEquals(List.of("figure-lambda-main", "figure-gamma-main", "figure-lambda-ens", "figure-gamma-ens"),
        List.copyOf(ExperimentReport.figures(r).keySet()));
    assertTrue(ExperimentReport.figures(r).get("figure-lambda-main").getSeriesMap().containsKey("official (λ 1.6, γ 1.15)"));
    Path out = ExperimentReport.write(r, dir);
    assertTrue(Files.size(out.resolve("figure-gamma-ens.png")) > 0);
  }
}
