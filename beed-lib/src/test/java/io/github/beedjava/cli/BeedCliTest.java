package io.github.beedjava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BeedCliTest {

  private static String[] run(String... args) {
    CliRunner.Result r = CliRunner.run(args);
    return new String[] {Integer.toString(r.code()), r.out(), r.err()};
  }

  @Test
  void summaryEndsWithTheTotalParameterCount() {
    String[] r = run("summary", "--model", "resnet18", "--exits", "bottleneck");
    assertEquals("0", r[0], r[2]);
    String[] lines = r[1].strip().split("\n");
    assertEquals("total parameters: 21192912", lines[lines.length - 1]);
    String[] r34 = run("summary", "--model", "resnet34");
    assertTrue(r34[1].strip().endsWith("total parameters: 31301072"), r34[1]);
  }

  @Test
  void everyCommandHasHelp() {
    var commands = new picocli.CommandLine(new BeedCli()).getSubcommands().keySet();
    assertTrue(commands.containsAll(java.util.List.of("summary", "reference-check", "train", "bench", "reproduce", "predict")),
        commands.toString());
    for (String cmd : commands) {
      String[] r = run(cmd, "--help");
      assertEquals("0", r[0], cmd);
      assertTrue(r[1].contains("Usage: beed " + cmd), r[1]);
      // picocli prints a description it cannot format (a lone '%') raw, with its %n left in
      assertTrue(!r[1].contains("%n") && !r[2].contains("Could not format"), cmd + ": " + r[2]);
    }
    assertTrue(run("--help")[1].contains("reference-check"));
  }

  @Test
  void badInputIsOneClearLineAndExitCode2() {
    String[] r = run("summary", "--model", "resnet19");
    assertEquals("2", r[0]);
    assertTrue(r[2].contains("model: unknown model 'resnet19'; available: resnet18, resnet34, wrn16_4, wrn28_4"), r[2]);
    String[] missing = run("reference-check", "/nonexistent/fixture.npz");
    assertEquals("2", missing[0]);
    assertTrue(missing[2].contains("/nonexistent/fixture.npz: no such file"), missing[2]);
    String[] noRounds = run("predict", "--bench", "--rounds", "0", "--run", "/nonexistent/run");
    assertEquals("2", noRounds[0]);
    assertTrue(noRounds[2].contains("--rounds: need at least 1 round, got 0"), noRounds[2]);
  }
}
