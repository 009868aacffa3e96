package io.github.beedjava.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.beedjava.engine.layers.DeferredConvolutionVertex;
import io.github.beedjava.engine.layers.ExitBlockConvolutionVertex;
import io.github.beedjava.engine.simd.JavaExitBlock;
import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.model.ModelConfig;
import io.github.beedjava.model.Models;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The first exit block's three convolutions computed together, in inference copies only. */
class ExitBlockFusionTest {

  private static ModelConfig resnet(String model, ExitStructure exits, double width) {
    return ModelConfig.cifar(model, exits, width, 10).withInput(1, 32);
  }

  private static ComputationGraphConfiguration fused(ModelConfig config) {
    ComputationGraphConfiguration original = Models.blueprint(config).graph();
    return ExitBlockFusion.apply(StemComposition.apply(ResidualFusion.apply(BatchNormFolding.apply(original))));
  }

  @Test
  void marksTheFirstExitsFirstBlockOnly() {
    ComputationGraphConfiguration conf = fused(resnet("resnet18", ExitStructure.BOTTLENECK, 0.25));
    assertEquals(1, ExitBlockFusion.count(conf));
    var fused = (ExitBlockConvolutionVertex) conf.getVertices().get("ex1conv1.conv3");
    assertEquals("ex1conv1.conv1", fused.getPointwise());
    assertEquals("ex1conv1.conv2", fused.getStrided());
    for (String deferred : new String[] {"ex1conv1.conv1", "ex1conv1.conv2"}) {
      assertEquals("ex1conv1.conv3", ((DeferredConvolutionVertex) conf.getVertices().get(deferred)).getConsumer(), deferred);
    }
    assertEquals(conf.getVertexInputs().get("ex1conv1.conv1"), conf.getVertexInputs().get("ex1conv1.conv3"),
        "the closing convolution reads the block's input");
    assertEquals(1, ExitBlockFusion.count(fused(resnet("resnet34", ExitStructure.BOTTLENECK, 0.25))), "ResNet34 1/4");
    assertEquals(0, ExitBlockFusion.count(fused(resnet("resnet18", ExitStructure.BOTTLENECK, 1.0))), "width 1: 64 channels in");
    assertEquals(0, ExitBlockFusion.count(fused(resnet("resnet18", ExitStructure.BYOT, 0.25))), "BYOT exits: no such block");
  }

  @Test
  void givesTheUnfusedLogitsToRounding() {
    assumeTrue(JavaExitBlock.enabled(), "the fused kernel runs on 512-bit Vector API loops only");
    MultiExitNetwork net = MultiExitNetwork.create(resnet("resnet18", ExitStructure.BOTTLENECK, 0.25));
    assertEquals(1, ExitBlockFusion.count(net.inferenceGraph().getConfiguration()), "the network's inference copy is fused");
    Nd4j.getRandom().setSeed(13);
    for (int batch : new int[] {16, 1}) {
      INDArray x = Nd4j.rand(DataType.FLOAT, batch, 1, 32, 32).subi(0.5);
      Outputs on = net.logits(x);
      Outputs off = SwitchedOff.logits(net, x, JavaExitBlock.PROPERTY);
      Outputs training = Outputs.split(net.graph().output(false, x));  // the unfolded training graph in eval mode
      String where = "batch " + batch + ", first exit";
      assertNotEquals(0.0, relative(off.logits()[0], on.logits()[0]), where + ": the fused kernel did not run");
      for (int k = 0; k < on.logits().length; k++) {
        where = "batch " + batch + ", logits " + k;
        assertTrue(relative(off.logits()[k], on.logits()[k]) < 1e-5, where + ": " + relative(off.logits()[k], on.logits()[k]));
        assertTrue(relative(training.logits()[k], on.logits()[k]) < 1e-4, where + " against the training graph");
      }
    }
  }

  @Test
  void refusesTraining() {
    MultiExitNetwork net = MultiExitNetwork.create(resnet("resnet18", ExitStructure.BOTTLENECK, 0.25));
    for (String name : new String[] {"ex1conv1.conv1", "ex1conv1.conv2", "ex1conv1.conv3"}) {
      var vertex = net.inferenceGraph().getVertex(name);
      var e = assertThrows(IllegalStateException.class, () -> vertex.doForward(true, LayerWorkspaceMgr.noWorkspaces()));
      assertTrue(e.getMessage().contains("never train this graph"), name + ": " + e.getMessage());
    }
  }

  private static double relative(INDArray expected, INDArray actual) {
    return expected.sub(actual).norm2Number().doubleValue() / expected.norm2Number().doubleValue();
  }
}
