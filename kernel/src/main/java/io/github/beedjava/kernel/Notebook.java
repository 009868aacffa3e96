package io.github.beedjava.kernel;

import io.github.beedjava.experiment.Experiment;
import io.github.beedjava.experiment.ExperimentResult;
import io.github.beedjava.experiment.ExperimentRunner;
import io.github.beedjava.report.HtmlReport;
import io.github.beedjava.train.Profile;
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
