package io.github.beedjava.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A clone re-executes notebooks at the quick profile from the committed runs alone: the
 * runs' weights.npz rebuild the networks, nothing trains, no run file changes.
 * anytime-inference.ipynb reads the five ResNet18 Table 2 runs of seed 1, msdnet.ipynb every
 * committed MSDNet run (seeds 1 and 2; weights for seed 1).
 */
class CommittedRunsNotebookIT {
  /** The runs whose weights.npz the repository carries (what a clone has). */
  private static final List<String> COMMITTED = List.of(
      "resnet18-none-baseline-fashion-mnist-quick-s1-1b86d9a00dbb",
      "resnet18-bottleneck-ce-fashion-mnist-quick-s1-6ab7370f6308",
      "resnet18-bottleneck-kd-fashion-mnist-quick-s1-7a764e88a2cf",
      "resnet18-bottleneck-eed-fashion-mnist-quick-s1-6fc446289920",
      "resnet18-bottleneck-beed-fashion-mnist-quick-s1-7d56fbda6881");

  @Test
  void anytimeInferenceRunsFromTheCommittedWeightsWithoutTraining() throws Exception {
    assertEquals(5, executeWithout("anytime-inference", COMMITTED, Map.of()), "the five ResNet18 Table 2 runs of seed 1 carry weights.npz");
  }

  @Test
  void msdnetRunsFromTheCommittedRunsWithoutTraining() throws Exception {
    List<String> runs;
    try (Stream<Path> s = Files.list(ExternalTools.home().resolve("results").resolve("runs"))) {
      runs = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("msdnet-") && n.contains("-quick-s")).sorted().toList();
    }
    assertEquals(5, runs.stream().filter(n -> n.contains("-quick-s1-")).count(), "every method's MSDNet run of seed 1: " + runs);
    // Both seeds' tables from the committed summaries, training nothing.
    assertEquals(5, executeWithout("msdnet", runs, Map.of("BEED_SEEDS", "2", "BEED_TRAIN", "false")),
        "the five MSDNet runs of seed 1 carry weights.npz");
  }

  /**
   * Copies the runs' files into a results folder of its own, executes the notebook at quick on
   * it, and checks that no run was trained again. Returns how many of the runs carried weights.
   */
  private static int executeWithout(String notebook, List<String> runIds, Map<String, String> environment) throws Exception {
    Path results = ExternalTools.target().resolve("it-committed-results-" + notebook);
    Path runs = results.resolve("runs");
    Files.createDirectories(runs);
    Map<Path, byte[]> before = new HashMap<>();
    int weights = 0;
    for (String id : runIds) {
      Path run = ExternalTools.home().resolve("results").resolve("runs").resolve(id);
      Path copy = runs.resolve(id);
      Files.createDirectories(copy);
      for (String f : List.of("config.json", "provenance.json", "metrics.csv", "summary.json", "weights.npz")) {
        if (Files.exists(run.resolve(f))) {
          Files.copy(run.resolve(f), copy.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          weights += f.equals("weights.npz") ? 1 : 0;
        }
      }
      before.put(copy.resolve("summary.json"), Files.readAllBytes(copy.resolve("summary.json")));
    }

    Path out = ExternalTools.target().resolve("it-committed");
    Path log = out.resolve(notebook + ".log");
    int code = ExternalTools.run(List.of("jupyter", "nbconvert", "--to", "notebook", "--execute",
        "--ExecutePreprocessor.kernel_name=beed-java", "--ExecutePreprocessor.timeout=900",
        "--output-dir", out.toString(), "--output", notebook + ".ipynb",
        ExternalTools.home().resolve("notebooks").resolve(notebook + ".ipynb").toString()), log, 1800,
        withProfileAndResults(environment, results));
    assertEquals(0, code, notebook + " at quick failed:\n" + Files.readString(log));

    for (var e : before.entrySet()) {
      assertArrayEquals(e.getValue(), Files.readAllBytes(e.getKey()), e.getKey() + " changed: the run was trained again");
      assertFalse(Files.exists(e.getKey().resolveSibling("checkpoint.bin")), e.getKey().getParent() + " was trained again");
    }
    String executed = Files.readString(out.resolve(notebook + ".ipynb"));
    assertTrue(executed.contains("image/png"), "no figure in the executed notebook");
    assertFalse(executed.contains("\"output_type\": \"error\""), "an error output in the executed notebook");
    return weights;
  }

  private static Map<String, String> withProfileAndResults(Map<String, String> environment, Path results) {
    Map<String, String> all = new HashMap<>(environment);
    all.put("BEED_PROFILE", "quick");
    all.put("BEED_RESULTS_DIR", results.toString());
    return all;
  }
}
