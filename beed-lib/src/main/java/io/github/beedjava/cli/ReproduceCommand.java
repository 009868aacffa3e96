package io.github.beedjava.cli;

import io.github.beedjava.experiment.Experiment;
import io.github.beedjava.experiment.ExperimentReport;
import io.github.beedjava.experiment.ExperimentResult;
import io.github.beedjava.experiment.ExperimentRunner;
import io.github.beedjava.experiment.Selection;
import io.github.beedjava.train.LineProgress;
import io.github.beedjava.train.Profile;
import io.github.beedjava.train.RunOptions;
import io.github.beedjava.train.TerminalProgress;
import io.github.beedjava.train.TrainingListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code beed reproduce table2}: train what a paper table needs, then write its results. */
@Command(
    name = "reproduce",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Reproduce a table of the paper at a profile: trains every missing run (finished runs are reused,",
      "unfinished ones resume), then writes results/<table>/<profile>/{table.csv,table-best.csv,runs.csv,figure.png,table.html}.",
      "Tables: table1 (main network; exit structures LCT, BYOT, TOFD, Proposed x CE, KD, EED, BEED),",
      "        table2 (Baseline, CE, KD, EED, BEED; Exit1..Exit3, Main, Ens),",
      "        figure2 (BEED over a λ x γ grid; main network and ensemble)."
    })
final class ReproduceCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "TARGET", description = "table1, table2 or figure2") String table;
  @Option(names = "--model", defaultValue = "resnet18", description = "Backbone (default ${DEFAULT-VALUE}).") String model;
  @Option(names = "--profile", defaultValue = "quick", description = "smoke, quick or paper (default ${DEFAULT-VALUE}).") String profile;
  @Option(names = "--epochs", description = "Override the profile's epochs (milestones scale).") Integer epochs;
  @Option(names = "--lambdas", split = ",", defaultValue = "1.0,1.6,2.2", description = "figure2: λ grid (default ${DEFAULT-VALUE}).") double[] lambdas;
  @Option(names = "--gammas", split = ",", defaultValue = "1.0,1.15,1.25", description = "figure2: γ grid (default ${DEFAULT-VALUE}; γ must stay below 2^(1/(K-1))).") double[] gammas;
  @Option(names = "--results", paramLabel = "DIR", description = "Results folder (default: the repository's results/).") Path results;
  @Option(names = "--data-dir", paramLabel = "DIR", description = "Dataset folder (default: see data/README.md).") Path dataDir;
  @Option(names = "--force", description = "Retrain runs that already finished.") boolean force;
  @Option(names = {"-q", "--quiet"}, description = "One line per epoch instead of progress bars.") boolean quiet;

  @Override
  public Integer call() throws IOException {
    Profile p = Profile.parse(profile);
    java.util.function.UnaryOperator<io.github.beedjava.train.TrainingConfig.Builder> base = epochs == null ? null : b -> b.epochs(epochs);
    Experiment experiment = switch (table) {
      case "table1" -> Experiment.table1(model, p, base);
      case "table2" -> Experiment.table2(model, p, base);
      case "figure2" -> Experiment.figure2(model, p, lambdas, gammas, base);
      default -> throw new IllegalArgumentException("table: unknown target '" + table + "'; available: table1, table2, figure2");
    };
    Path root = results != null ? results : RunOptions.resultsRoot();
    boolean terminal = !quiet && System.console() != null;
    ExperimentRunner runner = new ExperimentRunner(root, dataDir, force, entry -> {
      System.err.println("== " + experiment.title() + " / " + entry.label() + " (" + p.cliName() + ")");
      TrainingListener l = terminal ? new TerminalProgress(System.err) : new LineProgress(System.err);
      return l;
    });
    long t0 = System.nanoTime();
    ExperimentResult result = runner.run(experiment);
    Path dir = ExperimentReport.write(result, root);
    System.out.println(result.comparison(Selection.FINAL).printAll());
    System.out.println();
    System.out.println(ExperimentReport.note(result));
    System.out.printf("reproduce %s: %d runs in %.0f s -> %s%n", experiment.name(), result.runs().size(), (System.nanoTime() - t0) / 1e9, dir);
    return 0;
  }
}
