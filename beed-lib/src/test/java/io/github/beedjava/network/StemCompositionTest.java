package io.github.beedjava.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.beedjava.engine.layers.StemComposedConvolutionVertex;
import io.github.beedjava.engine.layout.ChannelsLast;
import io.github.beedjava.engine.simd.JavaStemComposition;
import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.model.ModelConfig;
import io.github.beedjava.model.Models;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The convolution after a linear stem, computed from the network input in inference copies only. */
class StemCompositionTest {

  private static ModelConfig resnet(String model, double width, int channels) {
    return ModelConfig.cifar(model, ExitStructure.BOTTLENECK, width, 10).withInput(channels, 32).withStemRelu(false);
  }

  private static ComputationGraphConfiguration composed(ModelConfig config) {
    ComputationGraphConfiguration original = Models.blueprint(config).graph();
    return StemComposition.apply(ResidualFusion.apply(BatchNormFolding.apply(ChannelsLast.of(original).orElseThrow())));
  }

  @Test
  void marksTheFirstBlocksFirstConvolutionAfterALinearStemOnly() {
    ComputationGraphConfiguration conf = composed(resnet("resnet18", 0.25, 1));
    assertEquals(1, StemComposition.count(conf));
    var vertex = (StemComposedConvolutionVertex) conf.getVertices().get("layer1.0.conv1");
    assertEquals("conv1", vertex.getStem());
    assertEquals(List.of("conv1", conf.getNetworkInputs().get(0)), conf.getVertexInputs().get("layer1.0.conv1"),
        "the stem's output, then the network input");
    assertEquals(1, StemComposition.count(composed(resnet("resnet34", 0.25, 3))), "ResNet34 1/4 on three channels");
    assertEquals(0, StemComposition.count(composed(resnet("resnet18", 0.25, 1).withStemRelu(true))), "a ReLU after the stem");
    assertEquals(0, StemComposition.count(composed(resnet("resnet18", 1.0, 1))), "width 1: 64 channels");
  }

  @Test
  void givesTheUncomposedLogitsToRoundingOnOneAndThreeChannels() {
    assumeTrue(JavaStemComposition.enabled(), "the composed kernel runs on 512-bit Vector API loops only");
    for (int channels : new int[] {1, 3}) {
      MultiExitNetwork net = MultiExitNetwork.create(resnet("resnet18", 0.25, channels));
      assertEquals(1, StemComposition.count(net.inferenceGraph().getConfiguration()), "the network's inference copy is composed");
      Nd4j.getRandom().setSeed(11);
      for (int batch : new int[] {16, 1}) {
        INDArray x = Nd4j.rand(DataType.FLOAT, batch, channels, 32, 32).subi(0.5);
        Outputs on = net.logits(x);
        Outputs off = SwitchedOff.logits(net, x, JavaStemComposition.PROPERTY);
        Outputs training = Outputs.split(net.graph().output(false, x));  // the unfolded training graph in eval mode
        for (int k = 0; k < on.logits().length; k++) {
          String where = channels + " channels, batch " + batch + ", logits " + k;
          assertNotEquals(0.0, relative(off.logits()[k], on.logits()[k]), where + ": the composed kernel did not run");
          assertTrue(relative(off.logits()[k], on.logits()[k]) < 1e-5, where + ": " + relative(off.logits()[k], on.logits()[k]));
          assertTrue(relative(training.logits()[k], on.logits()[k]) < 1e-4, where + " against the training graph");
        }
      }
    }
  }

  @Test
  void refusesTraining() {
    MultiExitNetwork net = MultiExitNetwork.create(resnet("resnet18", 0.25, 1));
    var vertex = net.inferenceGraph().getVertex("layer1.0.conv1");
    var e = assertThrows(IllegalStateException.class, () -> vertex.doForward(true, LayerWorkspaceMgr.noWorkspaces()));
    assertTrue(e.getMessage().contains("never train this graph"), e.getMessage());
  }

  private static double relative(INDArray expected, INDArray actual) {
    return expected.sub(actual).norm2Number().doubleValue() / expected.norm2Number().doubleValue();
  }
}
