package io.github.beedjava.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.beedjava.TestFixtures;
import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.model.Models;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every backbone × exit structure against its PyTorch twin (tools/reference/twin_models.py), in
 * double precision: forwards, running statistics, the four losses, the teachers and BEED's gradients
 * agree with the twin's float64 results to 1e-6. The fixtures are committed; none is ever skipped.
 */
class TwinFixturesTest {

  /** Every model of the registry with every exit structure it accepts (the 25 combinations the CLI offers). */
  static Stream<String> fixtures() {
    List<String> names = new ArrayList<>();
    for (String model : Models.names()) {
      for (ExitStructure exits : Models.exitStructures(model)) {
        if (exits != ExitStructure.NONE) {
          names.add(model + "-" + exits.cliName());
        }
      }
    }
    return names.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void matchesItsTwinInDoublePrecision(String name) throws Exception {
    // As a user runs it: `beed reference-check --precision double` in a JVM of its own, with the
    // flags of this one, where ND4J keeps its arrays until exit (ArrayRelease; docs/equivalence.md
    // tells of the rare native crash that ND4J's early freeing caused here).
    java.util.List<String> cmd = new java.util.ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.github.beedjava.cli.BeedCli",
        "reference-check", "--precision", "double", TestFixtures.reference("twins/" + name + ".npz").toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    int code = p.waitFor();
    System.out.println(out);
    String[] parts = name.split("-");
    assertEquals(0, code, name + ": reference-check exited with " + code + "\n" + out);
    assertTrue(out.contains("arrayRelease=exit"), name + ": ND4J may free arrays early in this check\n" + out);
    assertTrue(out.contains("reference-check: PASS"), out);
    assertTrue(out.contains("model: " + parts[0] + " width ") && out.contains("exits " + parts[1]), out);
    for (String g : List.of("eval/logits", "eval/features", "train/logits", "train/features", "train/running-stats",
        "loss/CE", "loss/KD", "loss/EED", "loss/BEED", "teacher/BEED", "grad/BEED")) {
      assertTrue(java.util.regex.Pattern.compile("(?m)^" + java.util.regex.Pattern.quote(g) + " +ours .* ok ").matcher(out).find(),
          name + ": " + g + " was not compared\n" + out);
    }
  }
}
