package io.github.beedjava.network;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.beedjava.engine.layers.DeferredConvolutionVertex;
import io.github.beedjava.engine.layers.StemShortcutConvolutionVertex;
import io.github.beedjava.engine.layout.ChannelsLast;
import io.github.beedjava.engine.simd.JavaStemComposition;
import io.github.beedjava.engine.simd.JavaWinograd;
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

/** The linear stem computed by the first residual block's sum (and the convolution composed with it), in inference copies only. */
class StemShortcutFusionTest {

  private static ModelConfig resnet(String model, double width, int channels) {
    return ModelConfig.cifar(model, ExitStructure.BOTTLENECK, width, 10).withInput(channels, 32).withStemRelu(false);
  }

  private static ComputationGraphConfiguration fused(ModelConfig config) {
    ComputationGraphConfiguration original = Models.blueprint(config).graph();
    return StemShortcutFusion.apply(StemComposition.apply(ResidualFusion.apply(BatchNormFolding.apply(ChannelsLast.of(original).orElseThrow()))));
  }

  @Test
  void defersTheStemOfTheFirstBlockOnly() {
    ComputationGraphConfiguration conf = fused(resnet("resnet18", 0.25, 1));
    assertEquals(1, StemShortcutFusion.count(conf));
    var vertex = (StemShortcutConvolutionVertex) conf.getVertices().get("layer1.0.conv2");
    assertEquals("conv1", vertex.getStem());
    assertTrue(vertex.isRelu(), "the ReLU after the block's sum comes along");
    assertEquals(List.of("layer1.0.conv1", conf.getNetworkInputs().get(0)), conf.getVertexInputs().get("layer1.0.conv2"),
        "the convolution's input, then the network input");
    assertEquals("layer1.0.conv2", ((DeferredConvolutionVertex) conf.getVertices().get("conv1")).getConsumer());
    assertEquals(1, ResidualFusion.count(conf), "layer1.1's sum still adds its map");
    assertEquals(1, StemShortcutFusion.count(fused(resnet("resnet34", 0.25, 3))), "ResNet34 1/4 on three channels");
    assertEquals(0, StemShortcutFusion.count(fused(resnet("resnet18", 0.25, 1).withStemRelu(true))), "a ReLU after the stem");
    assertEquals(0, StemShortcutFusion.count(fused(resnet("resnet18", 1.0, 1))), "width 1: 64 channels");
  }

  @Test
  void givesTheLogitsOfTheStemsOwnPassToRoundingOnEitherPath() {
    assumeTrue(JavaWinograd.stemEnabled() && JavaStemComposition.enabled(), "the kernels run on 512-bit Vector API loops only");
    for (int channels : new int[] {1, 3}) {
      MultiExitNetwork net = MultiExitNetwork.create(resnet("resnet18", 0.25, channels));
      assertEquals(1, StemShortcutFusion.count(net.inferenceGraph().getConfiguration()), "the network's inference copy is fused");
      Nd4j.getRandom().setSeed(21);
      // running statistics as after training: with a fresh BN's zero shift, oneDNN's stem over one
      // channel sums the same terms in the same order as the transform, bit for bit
      var stemBatchNorm = net.graph().getLayer("bn1");
      stemBatchNorm.getParam("beta").addi(Nd4j.randn(DataType.FLOAT, 16));
      stemBatchNorm.getParam("mean").addi(Nd4j.randn(DataType.FLOAT, 16).muli(0.1));
      // 16 images: JavaWinograd computes the stem in its output transform; 1 image: oneDNN runs the
      // block, and both the composed convolution and the sum run the stem's layer themselves
      for (int batch : new int[] {16, 1}) {
        INDArray x = Nd4j.rand(DataType.FLOAT, batch, channels, 32, 32).subi(0.5);
        Outputs on = net.logits(x);
        Outputs off = SwitchedOff.logits(net, x, JavaWinograd.STEM_PROPERTY);
        Outputs training = Outputs.split(net.graph().output(false, x));  // the unfolded, unfused training graph in eval mode
        for (int k = 0; k < on.logits().length; k++) {
          String where = channels + " channels, batch " + batch + ", logits " + k;
          if (batch == 16) {
            assertNotEquals(0.0, relative(off.logits()[k], on.logits()[k]), where + ": the stem was not computed in the transform");
          } else {
            assertArrayEquals(off.logits()[k].data().asFloat(), on.logits()[k].data().asFloat(), where + ": the same layers ran");
          }
          assertTrue(relative(off.logits()[k], on.logits()[k]) < 1e-5, where + ": " + relative(off.logits()[k], on.logits()[k]));
          assertTrue(relative(training.logits()[k], on.logits()[k]) < 1e-4, where + " against the training graph");
        }
      }
    }
  }

  @Test
  void refusesTraining() {
    MultiExitNetwork net = MultiExitNetwork.create(resnet("resnet18", 0.25, 1));
    for (String name : List.of("layer1.0.conv2", "conv1")) {
      var vertex = net.inferenceGraph().getVertex(name);
      var e = assertThrows(IllegalStateException.class, () -> vertex.doForward(true, LayerWorkspaceMgr.noWorkspaces()));
      assertTrue(e.getMessage().contains("never train this graph"), name + ": " + e.getMessage());
    }
  }

  private static double relative(INDArray expected, INDArray actual) {
    return expected.sub(actual).norm2Number().doubleValue() / expected.norm2Number().doubleValue();
  }
}
