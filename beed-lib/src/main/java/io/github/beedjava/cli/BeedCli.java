package io.github.beedjava.cli;

import io.github.beedjava.engine.ArrayRelease;
import io.github.beedjava.engine.NativeBuild;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./beed}. */
@Command(
    name = "beed",
    mixinStandardHelpOptions = true,
    version = "beed 0.1.0",
    description = "Multi-exit networks and exit-ensemble distillation (BEED, ACCV 2022) on Deeplearning4j.",
    subcommands = {
      TrainCommand.class,
      ReproduceCommand.class,
      GridCommand.class,
      NotebookCommand.class,
      KernelCommand.class,
      BenchCommand.class,
      PredictCommand.class,
      SummaryCommand.class,
      ReferenceCheckCommand.class,
      ExportCommand.class,
      CommandLine.HelpCommand.class
    })
public final class BeedCli implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Runs the CLI and exits with its status. */
  public static void main(String[] args) {
    try {
      NativeBuild.select();  // before ND4J loads: the libnd4j build this CPU can run
    } catch (IllegalStateException wrongBuild) {
      System.err.println("beed: " + wrongBuild.getMessage());
      System.exit(2);
    }
    if (args.length > 0 && args[0].equals("reference-check")) {
      ArrayRelease.atExit();  // a short process: no freeing race inside ND4J's broadcast ops
    }
    System.exit(commandLine().execute(args));
  }

  /** The configured command line (error handling included), for main and tests. */
  static CommandLine commandLine() {
    return new CommandLine(new BeedCli())
            .setExecutionExceptionHandler(
                (ex, cmd, parse) -> {
                  // Bad input is reported as one clear line, not a stack trace.
                  if (ex instanceof IllegalArgumentException || ex instanceof java.io.IOException) {
                    cmd.getErr().println("beed " + cmd.getCommandName() + ": " + ex.getMessage());
                    return 2;
                  }
                  if (ex instanceof io.github.beedjava.train.TrainingDivergedException) {
                    cmd.getErr().println("beed " + cmd.getCommandName() + ": " + ex.getMessage());
                    return 3;
                  }
                  throw ex;
                });
  }
}
