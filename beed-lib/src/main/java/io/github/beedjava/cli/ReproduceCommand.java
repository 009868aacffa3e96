package io.github.beedjava.cli;

import io.github.beedjava.config.Profile;
import io.github.beedjava.experiment.Experiment;
import io.github.beedjava.experiment.ExperimentReport;
import io.github.beedjava.experiment.ExperimentResult;
import io.github.beedjava.experiment.ExperimentRunner;
import io.github.beedjava.experiment.SeededReport;
import io.github.beedjava.experiment.SeededResults;
import io.github.beedjava.experiment.Selection;
import io.github.beedjava.train.LineProgress;
import io.github.beedjava.train.RunOptions;
import io.github.beedjava.train.RunSummary;
import io.github.beedjava.train.TerminalProgress;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

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
      "        figure2 (BEED over a λ x γ grid; main network and ensemble).",
      "With --seeds N or several models it also writes results/<table>/<profile>/{summary.csv,differences.csv,",
      "summary.html,figure-<model>.png}: mean ± sd over seeds and paired differences with 95%% intervals."
    })
final class ReproduceCommand implements Callable<Integer> {
  @Mixin ExperimentOptions grid;
  @Option(names = "--collect", description = "Train nothing: build the tables from the finished run directories "
      + "(e.g. written by a Slurm array); rows report the seeds they have.") boolean collect;
  @Option(names = "--results", paramLabel = "DIR", description = "Results folder (default: the repository's results/).") Path results;
  @Option(names = "--data-dir", paramLabel = "DIR", description = "Dataset folder (default: see data/README.md).") Path dataDir;
  @Option(names = "--force", description = "Retrain runs that already finished.") boolean force;
  @Option(names = {"-q", "--quiet"}, description = "One line per epoch instead of progress bars.") boolean quiet;

  @Override
  public Integer call() throws IOException {
    Profile p = grid.profile();
    int seeds = grid.seeds;
    List<Experiment> experiments = grid.experiments();
    Path root = results != null ? results : RunOptions.resultsRoot();
    long t0 = System.nanoTime();
    for (Experiment experiment : experiments) {
      ExperimentResult seedOne = collect ? collected(experiment, root) : train(experiment, root, p);
      if (seedOne != null) {
        Path dir = ExperimentReport.write(seedOne, root);
        System.out.println(seedOne.comparison(Selection.FINAL).printAll());
        System.out.println();
        System.out.println(ExperimentReport.note(seedOne));
        System.out.println("seed 1 of " + experiment.title() + " -> " + dir);
      } else {
        System.out.println(experiment.title() + ": seed 1 is not finished for every row; its seed-1 table is not written");
      }
      if (!collect) {
        for (int s = 2; s <= seeds; s++) {
          train(experiment.forSeed(s), root, p);
        }
      }
    }
    if (seeds > 1 || experiments.size() > 1) {
      SeededResults seeded = SeededResults.collect(experiments, seeds, config -> ExperimentRunner.finished(root, config));
      Path dir = SeededReport.write(seeded, root, Selection.FINAL);
      System.out.println(seeded.summaryText(Selection.FINAL).printAll());
      System.out.println();
      seeded.findings(Selection.FINAL).forEach(System.out::println);
      System.out.println();
      System.out.println(SeededReport.note(seeded));
      System.out.println("over seeds -> " + dir);
    }
    System.out.printf("reproduce %s: %d network(s), %d seed(s) in %.0f s%n", grid.target, experiments.size(), seeds, (System.nanoTime() - t0) / 1e9);
    return 0;
  }

  private ExperimentResult train(Experiment experiment, Path root, Profile p) throws IOException {
    boolean terminal = !quiet && System.console() != null;
    ExperimentRunner runner = new ExperimentRunner(root, dataDir, force, entry -> {
      System.err.println("== " + experiment.title() + " / " + entry.label() + " (" + p.cliName() + ", seed " + entry.config().seed() + ")");
      return terminal ? new TerminalProgress(System.err) : new LineProgress(System.err);
    });
    return runner.run(experiment);
  }

  /** The experiment's seed-1 result from finished run directories, or null when a row is missing. */
  private static ExperimentResult collected(Experiment experiment, Path root) throws IOException {
    List<RunSummary> runs = new ArrayList<>();
    for (Experiment.Entry e : experiment.entries()) {
      java.util.Optional<RunSummary> r = ExperimentRunner.finished(root, e.config());
      if (r.isEmpty()) {
        return null;
      }
      runs.add(r.get().asReused());
    }
    return new ExperimentResult(experiment, runs);
  }
}
