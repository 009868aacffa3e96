package io.github.beedjava.cli;

import io.github.beedjava.config.Profile;
import io.github.beedjava.runtime.BuildInfo;
import io.github.beedjava.train.RunOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code beed notebook table2}: executes a notebook headless and renders it to HTML. */
@Command(
    name = "notebook",
    mixinStandardHelpOptions = true,
    description = {
      "Execute notebooks/NAME.ipynb headless with the BEED kernel (nbconvert/nbclient), then render it to HTML.",
      "Writes <results>/notebooks/NAME-<profile>.ipynb and NAME-<profile>.html; fails when any cell fails."
    })
final class NotebookCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "NAME", description = "Notebook name in notebooks/, e.g. table2.") String name;
  @Option(names = "--profile", defaultValue = "quick", description = "Profile passed as BEED_PROFILE (default ${DEFAULT-VALUE}).") String profile;
  @Option(names = "--timeout", defaultValue = "-1", description = "Seconds a cell may run (default: no limit).") int timeout;

  @Override
  public Integer call() throws IOException {
    Profile p = Profile.parse(profile);
    Path notebook = BuildInfo.home().resolve("notebooks").resolve(name.endsWith(".ipynb") ? name : name + ".ipynb");
    if (!Files.isRegularFile(notebook)) {
      throw new IOException(notebook + ": no such notebook; see notebooks/");
    }
    String base = notebook.getFileName().toString().replace(".ipynb", "") + "-" + p.cliName();
    Path out = RunOptions.resultsRoot().resolve("notebooks");
    Files.createDirectories(out);
    Map<String, String> env = Map.of(
        "JUPYTER_PATH", Jupyter.jupyterPath(),
        "BEED_PROFILE", p.cliName(),
        "PYDEVD_DISABLE_FILE_VALIDATION", "1");
    int code = Jupyter.run(List.of("jupyter", "nbconvert", "--to", "notebook", "--execute",
        "--ExecutePreprocessor.kernel_name=beed-java", "--ExecutePreprocessor.timeout=" + timeout,
        "--output-dir", out.toString(), "--output", base + ".ipynb", notebook.toString()), env);
    if (code != 0) {
      System.err.println("beed notebook: executing " + notebook + " failed (exit " + code + "); the cell and its error are printed above");
      return 1;
    }
    code = Jupyter.run(List.of("jupyter", "nbconvert", "--to", "html",
        "--output-dir", out.toString(), "--output", base + ".html", out.resolve(base + ".ipynb").toString()), env);
    if (code != 0) {
      return 1;
    }
    System.out.println("notebook: " + out.resolve(base + ".ipynb") + " and " + out.resolve(base + ".html"));
    return 0;
  }
}
