package io.github.beedjava.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code beed kernel install}: registers the BEED Java kernel with the user's Jupyter. */
@Command(
    name = "kernel",
    mixinStandardHelpOptions = true,
    description = {
      "kernel install: register the 'Java (BEED)' kernel (beed-java) with Jupyter (--user by default).",
      "The kernelspec points at this checkout's build, so rebuild (mvn package) after changing the code."
    })
final class KernelCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "ACTION", description = "install") String action;

  @ArgGroup(exclusive = true)
  Where where;

  static final class Where {
    @Option(names = "--user", description = "Install for the current user (default).") boolean user;
    @Option(names = "--prefix", paramLabel = "DIR", description = "Install under DIR/share/jupyter (then set JUPYTER_PATH=DIR/share/jupyter).") Path prefix;
    @Option(names = "--sys-prefix", description = "Install into Python's sys.prefix.") boolean sysPrefix;
  }

  @Override
  public Integer call() throws IOException {
    if (!action.equals("install")) {
      throw new IllegalArgumentException("kernel: unknown action '" + action + "'; available: install");
    }
    List<String> cmd = new ArrayList<>(List.of("jupyter", "kernelspec", "install", "--name", "beed-java", "--replace"));
    if (where != null && where.prefix != null) {
      cmd.addAll(List.of("--prefix", where.prefix.toAbsolutePath().toString()));
    } else if (where != null && where.sysPrefix) {
      cmd.add("--sys-prefix");
    } else {
      cmd.add("--user");
    }
    cmd.add(Jupyter.kernelspec().toString());
    int code = Jupyter.run(cmd, Map.of());
    if (code == 0) {
      System.out.println("kernel install: 'Java (BEED)' (beed-java) registered; notebooks/ name it in their metadata");
    }
    return code == 0 ? 0 : 1;
  }
}
