package io.github.beedjava.cli;

import io.github.beedjava.interop.ReferenceCheck;
import io.github.beedjava.runtime.Nd4jRuntime;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code beed reference-check FIXTURE.npz}: compare with the official PyTorch implementation. */
@Command(
    name = "reference-check",
    mixinStandardHelpOptions = true,
    description = {
      "Compare forwards, losses, gradients and two SGD steps with a fixture made by the official",
      "PyTorch code (shared/reference/README.md). Exit code 0 only when every group is within tolerance."
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

  @Override
  public Integer call() throws Exception {
    System.out.println("fixture: " + fixture + "  backend: " + Nd4jRuntime.describe());
    ReferenceCheck.Report report = ReferenceCheck.run(
            fixture,
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
