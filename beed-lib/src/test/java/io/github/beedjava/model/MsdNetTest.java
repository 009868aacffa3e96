package io.github.beedjava.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * MSDNet against the original implementation (kalviny/MSDNet-PyTorch, CIFAR anytime configuration:
 * nBlocks 4, base 4, step 2 even, nChannels 16, growthRate 6, grFactor and bnFactor 1-2-4, prune max,
 * reduction 0.5, bottleneck). The expected numbers were printed by its own {@code op_counter.measure_model}
 * on a 32x32 input (docs/models.md has the command): parameters and "FLOPs" per exit, each counting
 * everything computed up to the exit, earlier classifiers included; and the same counter restricted to
 * convolution and Linear weights (multiply-accumulates).
 */
class MsdNetTest {

  private static ArchitectureSummary summary(int classes) {
    return new ArchitectureSummary(Models.blueprint(ModelConfig.cifar("msdnet", ExitStructure.MSDNET, 1, classes)));
  }

  @Test
  void countsPerExitEqualTheOriginalImplementationsForCifar100() {
    List<ArchitectureSummary.ClassifierCost> leaving = summary(100).leavingCosts();
    assertEquals(List.of(433_876L, 786_868L, 1_176_360L, 1_534_716L), leaving.stream().map(c -> c.params()).toList());
    assertEquals(List.of(15_140_452L, 24_341_960L, 32_692_268L, 39_885_968L), leaving.stream().map(c -> c.counterOps()).toList());
    assertEquals(List.of(14_967_296L, 24_104_960L, 32_412_160L, 39_578_624L), leaving.stream().map(c -> c.macs()).toList());
    assertEquals(1_534_716L, summary(100).totalParameters());
  }

  @Test
  void countsPerExitEqualTheOriginalImplementationsForCifar10() {
    List<ArchitectureSummary.ClassifierCost> leaving = summary(10).leavingCosts();
    assertEquals(List.of(422_266L, 763_648L, 1_141_530L, 1_488_276L), leaving.stream().map(c -> c.params()).toList());
    assertEquals(List.of(15_128_842L, 24_318_740L, 32_657_438L, 39_839_528L), leaving.stream().map(c -> c.counterOps()).toList());
  }

  @Test
  void realEarlyExitDefersTheFinerScalesItsClassifierDoesNotRead() {
    ArchitectureSummary s = summary(100);
    double[] lazy = s.earlyExitMflops();
    List<ArchitectureSummary.ClassifierCost> blockwise = s.leavingCosts();
    for (int i = 0; i < 3; i++) {
      assertTrue(lazy[i] < blockwise.get(i).mflops(), "exit " + (i + 1) + ": " + lazy[i] + " vs " + blockwise.get(i).mflops());
    }
    assertEquals(blockwise.get(3).mflops(), lazy[3], 1e-9, "by the last classifier everything has been computed");
  }

  @Test
  void everyClassifierDistilsFromA128By2By2Map() {
    Blueprint b = Models.blueprint(ModelConfig.cifar("msdnet", ExitStructure.MSDNET, 1, 100));
    assertEquals(4, b.numClassifiers());
    assertEquals(Initialisation.PYTORCH_DEFAULT, b.initialisation());
    assertEquals(List.of("classifier.0.linear", "classifier.1.linear", "classifier.2.linear", "classifier.3.linear"), b.logits());
  }

  @Test
  void theBaselineKeepsOnlyTheLastClassifier() {
    Blueprint b = Models.blueprint(ModelConfig.cifar("msdnet", ExitStructure.NONE, 1, 100));
    assertEquals(List.of("classifier.3.linear"), b.logits());
    long removed = summary(100).totalParameters() - new ArchitectureSummary(b).totalParameters();
    // The early classifiers read the coarsest scale after blocks 1-3: 4 x 40, 4 x 29 and 4 x 41 channels.
    assertEquals(classifierParameters(160, 100) + classifierParameters(116, 100) + classifierParameters(164, 100), removed);
  }

  /** Two ConvBasic 3x3 (no bias, BN weight and bias) with 128 channels and a Linear layer. */
  private static long classifierParameters(int in, int classes) {
    return 128L * in * 9 + 2 * 128 + 128L * 128 * 9 + 2 * 128 + 128L * classes + classes;
  }

  @Test
  void exitStructuresAreCheckedAgainstTheNetwork() {
    assertEquals(ExitStructure.MSDNET, Models.defaultExits("msdnet"));
    assertEquals(ExitStructure.BOTTLENECK, Models.defaultExits("resnet18"));
    IllegalArgumentException own = assertThrows(IllegalArgumentException.class,
        () -> Models.blueprint(ModelConfig.cifar("msdnet", ExitStructure.BOTTLENECK, 1, 100)));
    assertTrue(own.getMessage().contains("use msdnet or none"), own.getMessage());
    IllegalArgumentException foreign = assertThrows(IllegalArgumentException.class,
        () -> Models.blueprint(ModelConfig.cifar("resnet18", ExitStructure.MSDNET, 1, 100)));
    assertTrue(foreign.getMessage().startsWith("exits: resnet18 cannot be built with msdnet"), foreign.getMessage());
    assertTrue(!Models.namesWith(ExitStructure.BOTTLENECK).contains("msdnet"));
  }
}
