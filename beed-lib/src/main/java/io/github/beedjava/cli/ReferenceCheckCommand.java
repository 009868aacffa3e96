package io.github.beedjava.cli;

import io.github.beedjava.engine.Nd4jRuntime;
import io.github.beedjava.reference.ReferenceCheck;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code beed reference-check FIXTURE.npz}: compare with the official PyTorch implementation. */
@Command(
    name = "reference-check",
    mixinStandardHelpOptions = true,
    description = {
      "Compare forwards, losses, gradients and two SGD steps with a fixture made by PyTorch code: the official",
      "BEED code (tools/make_reference_fixture.py) or a twin of another network (tools/twin/). Prints, per group,",
      "our error, the official float32 code's own error (fixtures with f64/ keys) and the tolerance used.",
      "Exit code 0 only when every group is within tolerance; see docs/equivalence.md."
    })
final class ReferenceCheckCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "FIXTURE.npz", description = "The golden fixture.")
  Path fixture;

  @picocli.CommandLine.Option(
      names = {"-v", "--verbose"},
      description = "Also print the N largest per-array errors of every group (default 0).",
      paramLabel = "N",
      defaultValue = "0")
  int verbose;

  @picocli.CommandLine.Option(
      names = "--precision",
      description = "float (default): run in float32, compare with the f64/ keys where present, tolerance max(fixed, "
          + "3 x the official float32 error); double: run in float64, compare with the f64/ keys at 1e-6.",
      defaultValue = "float")
  String precision;

  @Override
  public Integer call() throws Exception {
    ReferenceCheck.Precision p = ReferenceCheck.Precision.parse(precision);
    System.out.println("fixture: " + fixture + "  precision: " + p.name().toLowerCase(java.util.Locale.ROOT)
        + "  backend: " + Nd4jRuntime.describe());
    ReferenceCheck.Report report = ReferenceCheck.run(
            fixture,
            p,
            c -> {
              System.out.println(c.line());
              c.details().stream().limit(verbose).forEach(System.out::println);
            });
    System.out.println(
        "model: " + report.model().architecture() + " width " + report.model().width() + ", "
            + report.model().numClasses() + " classes, exits " + report.model().exits().cliName());
    System.out.println(report.verdict());
    return report.passed() ? 0 : 1;
  }
}
