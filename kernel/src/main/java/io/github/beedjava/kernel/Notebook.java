package io.github.beedjava.kernel;

import io.github.beedjava.config.Profile;
import io.github.beedjava.experiment.Experiment;
import io.github.beedjava.experiment.ExperimentResult;
import io.github.beedjava.experiment.ExperimentRunner;
import io.github.beedjava.report.HtmlReport;
import io.github.beedjava.train.RunOptions;
import io.github.beedjava.train.TrainingListener;
import java.io.IOException;
import java.util.Base64;
import java.util.UUID;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;

/** Static helpers every notebook cell has imported: display, HTML, PNG, profiles, progress. */
public final class Notebook {
  private Notebook() {}

  /** Shows a value the way a cell's last expression would be shown; returns its display id. */
  public static String display(Object value) {
    DisplayData data = value instanceof DisplayData d ? d : BaseKernel.notebookKernel().getRenderer().render(value);
    String id = data.hasDisplayId() ? data.getDisplayId() : UUID.randomUUID().toString();
    data.setDisplayId(id);
    BaseKernel.notebookKernel().display(data);
    return id;
  }

  /** Replaces an earlier display in place. */
  public static void updateDisplay(String id, Object value) {
    DisplayData data = value instanceof DisplayData d ? d : BaseKernel.notebookKernel().getRenderer().render(value);
    BaseKernel.notebookKernel().getIO().display.updateDisplay(id, data);
  }

  /** An HTML fragment as display data (with a text fallback). */
  public static DisplayData html(String html) {
    DisplayData d = new DisplayData(html.replaceAll("<[^>]+>", ""));
    d.putHTML(html);
    return d;
  }

  /** PNG bytes as display data. */
  public static DisplayData png(byte[] bytes) {
    DisplayData d = new DisplayData("[PNG image, " + bytes.length + " bytes]");
    d.putData("image/png", Base64.getEncoder().encodeToString(bytes));
    return d;
  }

  /** A highlighted note (e.g. what a table may be compared with). */
  public static DisplayData note(String text) {
    return html("<p style=\"background:#fff6d5;padding:8px\">" + HtmlReport.escape(text) + "</p>");
  }

  /**
   * The profile to run: the environment variable {@code BEED_PROFILE} when set (CI sets
   * {@code smoke}), else {@code fallback}.
   */
  public static Profile profile(String fallback) {
    String env = System.getenv("BEED_PROFILE");
    return Profile.parse(env != null && !env.isBlank() ? env : fallback);
  }

  /**
   * The networks to show: the comma-separated environment variable {@code BEED_MODELS} when set
   * (CI sets {@code resnet18}), else {@code fallback}; {@code all} means the networks with the
   * proposed exits (Table 2's six).
   */
  public static java.util.List<String> models(String fallback) {
    String env = System.getenv("BEED_MODELS");
    String v = env != null && !env.isBlank() ? env : fallback;
    return v.trim().equals("all") ? io.github.beedjava.model.Models.namesWith(io.github.beedjava.model.ExitStructure.BOTTLENECK)
        : java.util.Arrays.stream(v.split(",")).map(String::trim).toList();
  }

  /** The number of seeds: the environment variable {@code BEED_SEEDS} when set (CI sets 1), else {@code fallback}. */
  public static int seeds(int fallback) {
    String env = System.getenv("BEED_SEEDS");
    return env != null && !env.isBlank() ? Integer.parseInt(env.trim()) : fallback;
  }

  /** Whether missing runs are trained: the environment variable {@code BEED_TRAIN} ({@code true}/{@code false}) when set, else {@code fallback}. */
  public static boolean trainMissing(boolean fallback) {
    String env = System.getenv("BEED_TRAIN");
    return env != null && !env.isBlank() ? Boolean.parseBoolean(env.trim()) : fallback;
  }

  /**
   * An experiment over networks and seeds 1..{@code seeds}: trains the missing runs when {@code
   * train} (with in-place progress), then summarises every finished run; rows report the seeds they have.
   *
   * @param experiments one per network, for seed 1
   */
  public static io.github.beedjava.experiment.SeededResults seeded(java.util.List<Experiment> experiments, int seeds, boolean train)
      throws IOException {
    java.nio.file.Path root = RunOptions.resultsRoot();
    if (train) {
      for (Experiment e : experiments) {
        for (int s = 1; s <= seeds; s++) {
          run(e.forSeed(s));
        }
      }
    }
    return io.github.beedjava.experiment.SeededResults.collect(experiments, seeds, c -> ExperimentRunner.finished(root, c));
  }

  /** A training listener that shows one progress display per run, updated in place. */
  public static TrainingListener progress(String title) {
    return new NotebookProgress(title);
  }

  /**
   * Runs an experiment into the repository's {@code results/}, reusing finished runs and
   * resuming unfinished ones, with in-place progress.
   */
  public static ExperimentResult run(Experiment experiment) throws IOException {
    return new ExperimentRunner(RunOptions.resultsRoot(), null, false,
        entry -> progress(experiment.title() + " / " + entry.label())).run(experiment);
  }
}
