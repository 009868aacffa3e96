package io.github.beedjava.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.beedjava.network.MultiExitNetwork;
import io.github.beedjava.network.Outputs;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ModelTest {

  private static ArchitectureSummary summary(String model, ExitStructure exits, double width) {
    return new ArchitectureSummary(Models.blueprint(ModelConfig.cifar(model, exits, width, 100)));
  }

  @Test
  void parameterCountsEqualTheOfficialModel() {
    assertEquals(21_192_912L, summary("resnet18", ExitStructure.BOTTLENECK, 1).totalParameters());
    assertEquals(31_301_072L, summary("resnet34", ExitStructure.BOTTLENECK, 1).totalParameters());
    assertEquals(11_220_132L, summary("resnet18", ExitStructure.NONE, 1).totalParameters());
    assertEquals(21_328_292L, summary("resnet34", ExitStructure.NONE, 1).totalParameters());
    // The fixture README's width-1/4 count.
    assertEquals(1_367_904L, summary("resnet18", ExitStructure.BOTTLENECK, 0.25).totalParameters());
  }

  @Test
  void perClassifierPathsMatchTheSpec() {
    // docs/method.md: exits 3,669,348 + 3,496,548 + 2,806,884 on top of the backbone.
    List<ArchitectureSummary.ClassifierCost> c = summary("resnet18", ExitStructure.BOTTLENECK, 1).classifiers();
    assertEquals(11_220_132L, c.get(3).params());
    long stem = 64 * 3 * 9 + 128;
    long layer1 = 2 * (2 * (64 * 64 * 9) + 4 * 64);
    assertEquals(stem + layer1 + 3_669_348L, c.get(0).params());
    assertTrue(c.get(0).macs() < c.get(1).macs() && c.get(1).macs() < c.get(2).macs());
  }

  @Test
  void builtNetworkCountsMatchTheBlueprint() {
    MultiExitNetwork net =
        MultiExitNetwork.create(ModelConfig.cifar("resnet18", ExitStructure.BOTTLENECK, 0.25, 100));
    assertEquals(1_367_904L, net.trainableParameterCount());
    assertEquals(4, net.numClassifiers());
  }

  @Test
  void fig1RowsOfResNet18() {
    List<ArchitectureRow> rows = summary("resnet18", ExitStructure.BOTTLENECK, 1).rows();
    assertEquals(new ArchitectureRow("Main", "Conv2d", 64, 1, 1), rows.get(0));
    assertEquals(new ArchitectureRow("Main", "ResNet Block", 512, 2, 2), rows.get(4));
    assertEquals(new ArchitectureRow("Exit1", "Bottleneck Block", 128, 1, 2), rows.get(7));
    assertEquals(new ArchitectureRow("Exit3", "Bottleneck Block", 512, 1, 2), rows.get(rows.size() - 3));
  }

  @Test
  void outputsHaveTheSpecShapes() {
    MultiExitNetwork net =
        MultiExitNetwork.create(ModelConfig.cifar("resnet18", ExitStructure.BOTTLENECK, 0.125, 10));
    INDArray x = Nd4j.rand(DataType.FLOAT, 3, 3, 32, 32);
    for (boolean train : new boolean[] {false, true}) {
      Outputs out = net.forward(x, train);
      for (int k = 0; k < 4; k++) {
        assertArrayEquals(new long[] {3, 10}, out.logits()[k].shape());
        // every classifier's feature is the same 64x4x4 map (512 x 1/8), as FD needs
        assertArrayEquals(new long[] {3, 64, 4, 4}, out.features()[k].shape());
      }
    }
  }

  @Test
  void stemReluSwitchChangesTheForward() {
    ModelConfig base = ModelConfig.cifar("resnet18", ExitStructure.NONE, 0.125, 10);
    INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 32, 32).subi(0.5);
    INDArray off = MultiExitNetwork.create(base).forward(x, false).logits()[0];
    INDArray on = MultiExitNetwork.create(base.withStemRelu(true)).forward(x, false).logits()[0];
    assertTrue(off.sub(on).amaxNumber().doubleValue() > 1e-4);
  }

  @Test
  void initialisationIsSeededAndPyTorchLike() {
    ModelConfig c = ModelConfig.cifar("resnet18", ExitStructure.BOTTLENECK, 0.25, 100);
    MultiExitNetwork a = MultiExitNetwork.create(c);
    MultiExitNetwork b = MultiExitNetwork.create(c);
    MultiExitNetwork other = MultiExitNetwork.create(c.withSeed(2));
    assertEquals(a.graph().params(), b.graph().params());
    assertTrue(!a.graph().params().equals(other.graph().params()));
    INDArray w = a.parameter("layer4.0.conv1", "W"); // 128 out, 3x3: std sqrt(2/(9*128))
    assertEquals(Math.sqrt(2.0 / (9 * 128)), w.stdNumber().doubleValue(), 0.002);
    assertEquals(1.0, a.parameter("bn1", "gamma").meanNumber().doubleValue(), 0);
    assertEquals(1.0, a.parameter("bn1", "var").meanNumber().doubleValue(), 0);
    double bound = 1 / Math.sqrt(128);
    assertTrue(a.parameter("linear", "W").amaxNumber().doubleValue() <= bound);
  }

  @Test
  void badConfigurationsNameTheField() {
    var e1 = assertThrows(IllegalArgumentException.class, () -> Models.blueprint(ModelConfig.cifar("resnet19", ExitStructure.BOTTLENECK, 1, 100)));
    assertTrue(e1.getMessage().startsWith("model: unknown model 'resnet19'"), e1.getMessage());
    var e2 = assertThrows(IllegalArgumentException.class, () -> ModelConfig.cifar("resnet18", ExitStructure.BOTTLENECK, 0, 100));
    assertTrue(e2.getMessage().startsWith("width:"), e2.getMessage());
    var e3 = assertThrows(IllegalArgumentException.class, () -> ExitStructure.parse("lct2"));
    assertTrue(e3.getMessage().startsWith("exits: unknown exit structure"), e3.getMessage());
    var e4 = assertThrows(IllegalArgumentException.class, () -> ModelConfig.cifar("resnet18", ExitStructure.NONE, 1, 1));
    assertTrue(e4.getMessage().startsWith("classes:"), e4.getMessage());
  }
}
