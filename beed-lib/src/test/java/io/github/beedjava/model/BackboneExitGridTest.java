package io.github.beedjava.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.beedjava.network.MultiExitNetwork;
import io.github.beedjava.network.Outputs;
import io.github.beedjava.objective.LossResult;
import io.github.beedjava.objective.Method;
import io.github.beedjava.optim.PyTorchSgd;
import io.github.beedjava.train.TrainingStep;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Every registered backbone with every exit structure it accepts builds, runs and trains. */
class BackboneExitGridTest {

  static Stream<Arguments> grid() {
    return Models.names().stream().flatMap(m -> Models.exitStructures(m).stream().map(e -> Arguments.of(m, e)));
  }

  @ParameterizedTest(name = "{0} + {1}")
  @MethodSource("grid")
  void buildsRunsAndTakesATrainingStep(String model, ExitStructure exits) {
    ModelConfig config = ModelConfig.cifar(model, exits, 1.0 / 16, 10);
    MultiExitNetwork net = MultiExitNetwork.create(config);
    int k = net.numClassifiers();
    int expectedK = exits == ExitStructure.NONE ? 1 : model.startsWith("wrn") ? 3 : 4;  // mobilenetv2: 4
    assertEquals(expectedK, k);
    Nd4j.getRandom().setSeed(1);
    INDArray x = Nd4j.rand(DataType.FLOAT, 4, 3, 32, 32);
    Outputs out = net.forward(x, false);
    long[] mainFeature = out.features()[k - 1].shape();
    for (int i = 0; i < k; i++) {
      assertArrayEquals(new long[] {4, 10}, out.logits()[i].shape());
      assertArrayEquals(mainFeature, out.features()[i].shape(),
          "feature of classifier " + (i + 1) + " must match the main feature for distillation");
    }
    Method method = exits == ExitStructure.NONE ? Method.BASELINE : Method.BEED;
    TrainingStep step = new TrainingStep(net, method.objective(k), new PyTorchSgd(0.9, 5e-4));
    INDArray before = net.graph().params().dup();
    LossResult loss = step.forwardBackward(x, new int[] {0, 1, 2, 3});
    step.update(0.1);
    assertTrue(Double.isFinite(loss.total()), "loss " + loss.total());
    assertTrue(net.graph().params().sub(before).norm2Number().doubleValue() > 0, "parameters did not move");
    assertEquals(new ArchitectureSummary(net.blueprint()).totalParameters(), net.trainableParameterCount());
  }

  @Test
  void imagenetStemResNet18IsTorchvisionsAndKeepsExitShapesEqual() {
    ModelConfig imagenet = ModelConfig.cifar("resnet18", ExitStructure.NONE, 1, 1000).withInput(3, 224).withImagenetStem(true);
    assertEquals(11_689_512L, new ArchitectureSummary(Models.blueprint(imagenet)).totalParameters(),
        "torchvision's resnet18 has 11,689,512 parameters");
    MultiExitNetwork net = MultiExitNetwork.create(
        ModelConfig.cifar("resnet18", ExitStructure.BOTTLENECK, 1.0 / 16, 10).withInput(3, 64).withImagenetStem(true));
    Outputs out = net.forward(Nd4j.rand(DataType.FLOAT, 2, 3, 64, 64), false);
    for (INDArray f : out.features()) {
      assertArrayEquals(new long[] {2, 32, 2, 2}, f.shape());
    }
  }

  @Test
  void wideResNetRowsMatchFigure1() {
    for (String model : List.of("wrn16_4", "wrn28_4")) {
      List<ArchitectureRow> rows = Models.blueprint(ModelConfig.cifar(model, ExitStructure.BOTTLENECK, 1, 100)).rows();
      int n = model.equals("wrn16_4") ? 2 : 4;
      assertEquals(List.of(
              new ArchitectureRow("Main", "WRN Block", 16, n, 1, 4),
              new ArchitectureRow("Main", "WRN Block", 32, n, 2, 4),
              new ArchitectureRow("Main", "WRN Block", 64, n, 2, 4)),
          rows.stream().filter(r -> r.operator().equals("WRN Block")).toList());
      assertEquals(List.of(
              new ArchitectureRow("Exit1", "Bottleneck Block", 128, 1, 2),
              new ArchitectureRow("Exit1", "Bottleneck Block", 256, 1, 2),
              new ArchitectureRow("Exit2", "Bottleneck Block", 256, 1, 2)),
          rows.stream().filter(r -> r.operator().equals("Bottleneck Block")).toList());
    }
  }

  @Test
  void baselineExitsFollowTheirRules() {
    List<ArchitectureRow> lct = Models.blueprint(ModelConfig.cifar("resnet18", ExitStructure.LCT, 1, 100)).rows();
    assertEquals(3 + 2 + 1, lct.stream().filter(r -> r.operator().equals("ReLU-Conv3x3-BN")).count());
    List<ArchitectureRow> byot = Models.blueprint(ModelConfig.cifar("resnet18", ExitStructure.BYOT, 1, 100)).rows();
    // k x k convolutions with stride k = 8, 4, 2 take 32², 16², 8² down to 4² (docs/method.md)
    assertEquals(List.of(8, 4, 2), byot.stream().filter(r -> r.operator().matches("Conv[248]x[248]")).map(ArchitectureRow::stride).toList());
    assertTrue(byot.stream().anyMatch(r -> r.operator().equals("Conv1x1") && r.channels() == 128));
  }
}
