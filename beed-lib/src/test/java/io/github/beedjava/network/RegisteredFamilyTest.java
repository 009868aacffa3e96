package io.github.beedjava.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.beedjava.model.Blueprint;
import io.github.beedjava.model.ExitBuilder;
import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.model.GraphAssembler;
import io.github.beedjava.model.ModelConfig;
import io.github.beedjava.model.Models;
import io.github.beedjava.objective.LossResult;
import io.github.beedjava.objective.Method;
import io.github.beedjava.optim.PyTorchSgd;
import io.github.beedjava.train.TrainingStep;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A backbone written outside the model package, with only its public API, registers under a name
 * of its own and trains with every exit structure like a built-in one.
 */
class RegisteredFamilyTest {

  /** Two conv-BN-ReLU stages; the exit reads the first. */
  static Blueprint tinyNet(ModelConfig c) {
    GraphAssembler g = new GraphAssembler(c);
    int w1 = c.scaled(16);
    int w2 = c.scaled(32);
    String stage1 = g.relu("relu1", g.batchNorm("bn1", g.conv("conv1", GraphAssembler.INPUT, w1, 3, 1, 1, false)));
    String stage2 = g.relu("relu2", g.batchNorm("bn2", g.conv("conv2", stage1, w2, 3, 2, 1, false)));
    return ExitBuilder.finish(g, c, new String[] {stage1}, new int[][] {{w2}}, stage2, new ArrayList<>());
  }

  @Test
  void aFamilyFromOutsideThePackageTrainsWithEveryExitStructure() {
    Models.register("tiny_test_net", RegisteredFamilyTest::tinyNet);
    try {
      assertTrue(Models.names().contains("tiny_test_net"));
      for (ExitStructure exits : new ExitStructure[] {ExitStructure.BOTTLENECK, ExitStructure.LCT, ExitStructure.BYOT, ExitStructure.TOFD}) {
        MultiExitNetwork net = MultiExitNetwork.create(ModelConfig.cifar("tiny_test_net", exits, 0.5, 10));
        assertEquals(2, net.numClassifiers(), exits.toString());
        TrainingStep step = new TrainingStep(net, Method.BEED.objective(2), new PyTorchSgd(0.9, 5e-4));
        LossResult first = step.forwardBackward(Nd4j.rand(DataType.FLOAT, 4, 3, 32, 32), new int[] {0, 1, 2, 3});
        assertTrue(Double.isFinite(first.total()) && first.total() > 0, exits + ": loss " + first.total());
        step.update(0.1);
      }
    } finally {
      Models.unregister("tiny_test_net");
    }
    assertTrue(!Models.names().contains("tiny_test_net"));
    assertThrows(IllegalArgumentException.class, () -> Models.register("resnet18", RegisteredFamilyTest::tinyNet));
  }
}
