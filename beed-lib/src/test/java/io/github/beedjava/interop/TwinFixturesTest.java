package io.github.beedjava.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.beedjava.TestFixtures;
import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.model.Models;
import java.io.IOException;
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

  /** Every model of the registry with every exit structure (the 24 combinations the CLI offers). */
  static Stream<String> fixtures() {
    List<String> names = new ArrayList<>();
    for (String model : Models.names()) {
      for (ExitStructure exits : ExitStructure.values()) {
        if (exits != ExitStructure.NONE) {
          names.add(model + "-" + exits.cliName());
        }
      }
    }
    return names.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void matchesItsTwinInDoublePrecision(String name) throws IOException {
    ReferenceCheck.Report report = ReferenceCheck.run(
        TestFixtures.reference("twins/" + name + ".npz"), ReferenceCheck.Precision.DOUBLE, c -> {});
    report.comparisons().forEach(c -> System.out.println(name + "  " + c.line()));
    assertTrue(report.passed(), report.verdict());
    String[] parts = name.split("-");
    assertEquals(parts[0], report.model().architecture());
    assertEquals(parts[1], report.model().exits().cliName());
    for (String g : List.of("eval/logits", "eval/features", "train/logits", "train/features", "train/running-stats",
        "loss/CE", "loss/KD", "loss/EED", "loss/BEED", "teacher/BEED", "grad/BEED")) {
      assertTrue(report.group(g).compared(), name + ": " + g + " was not compared");
    }
  }
}
