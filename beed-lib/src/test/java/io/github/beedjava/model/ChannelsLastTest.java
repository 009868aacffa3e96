package io.github.beedjava.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.beedjava.objective.DistillationSettings;
import io.github.beedjava.objective.Method;
import io.github.beedjava.optim.PyTorchSgd;
import io.github.beedjava.train.TrainingStep;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ChannelsLastTest {

  private static double relErr(INDArray expected, INDArray actual) {
    return expected.sub(actual).norm2Number().doubleValue() / Math.max(1e-12, expected.norm2Number().doubleValue());
  }

  @Test
  void channelsLastInferenceEqualsTheNchwGraphAndFollowsTraining() {
    for (String model : new String[] {"resnet18", "wrn16_4", "mobilenetv2"}) {
      for (ExitStructure exits : new ExitStructure[] {ExitStructure.BOTTLENECK, ExitStructure.LCT, ExitStructure.TOFD, ExitStructure.BYOT}) {
        ModelConfig config = ModelConfig.cifar(model, exits, 0.125, 10);
        MultiExitNetwork net = MultiExitNetwork.create(config);
        assertTrue(ChannelsLast.of(net.blueprint().graph()).isPresent(), model + "/" + exits + " should have an NHWC twin");
        INDArray x = Nd4j.rand(DataType.FLOAT, 8, 3, 32, 32).subi(0.5);
        TrainingStep step = new TrainingStep(net, Method.parse("beed").objective(net.numClassifiers(), DistillationSettings.DEFAULTS),
            new PyTorchSgd(0.9, 5e-4));
        for (int round = 0; round < 2; round++) {  // before and after an SGD step: the twin shares the weights
          Outputs fast = net.forward(x, false);
          Outputs reference = Outputs.split(net.graph().output(false, x));
          for (int k = 0; k < fast.logits().length; k++) {
            double e = relErr(reference.logits()[k], fast.logits()[k]);
            assertTrue(e < 1e-4, model + "/" + exits + " logits " + k + " differ by " + e);
            assertArrayEquals(reference.features()[k].shape(), fast.features()[k].shape(), "features come back NCHW");
            double f = relErr(reference.features()[k], fast.features()[k]);
            assertTrue(f < 1e-4, model + "/" + exits + " features " + k + " differ by " + f);
          }
          step.forwardBackward(x, new int[] {0, 1, 2, 3, 4, 5, 6, 7});
          step.update(0.1);
        }
      }
    }
  }

  @Test
  void squeezeExcitationKeepsTheNchwGraph() {
    MultiExitNetwork net = MultiExitNetwork.create(ModelConfig.cifar("efficientnet_b0", ExitStructure.BOTTLENECK, 0.125, 10));
    assertFalse(ChannelsLast.of(net.blueprint().graph()).isPresent());
  }
}
