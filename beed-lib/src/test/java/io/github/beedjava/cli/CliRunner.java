package io.github.beedjava.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the CLI in-process and captures exit code, stdout and stderr. */
final class CliRunner {
  private CliRunner() {}

  /** Exit code, stdout and stderr of one invocation. */
  record Result(int code, String out, String err) {}

  static synchronized Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream capturedOut = new ByteArrayOutputStream();
    ByteArrayOutputStream capturedErr = new ByteArrayOutputStream();
    System.setOut(new PrintStream(capturedOut, true));
    System.setErr(new PrintStream(capturedErr, true));
    int code;
    try {
      code = BeedCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    return new Result(code, capturedOut + out.toString(), capturedErr + err.toString());
  }
}
