package io.github.beedjava.network;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.beedjava.engine.layers.LinearConvolutionLayer;
import io.github.beedjava.engine.layers.ResidualConvolutionVertex;
import io.github.beedjava.engine.layers.SumVertex;
import io.github.beedjava.engine.layout.BlockedActivations;
import io.github.beedjava.engine.layout.ChannelsLast;
import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.model.ModelConfig;
import io.github.beedjava.model.Models;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The residual sums joined with the 16-channel 3x3 convolutions before them, in inference copies only. */
class ResidualFusionTest {

  private static ComputationGraphConfiguration fused(String model, double width) {
    ComputationGraphConfiguration original = Models.blueprint(ModelConfig.cifar(model, Models.defaultExits(model), width, 10)).graph();
    return ResidualFusion.apply(BatchNormFolding.apply(ChannelsLast.of(original).orElseThrow()));
  }

  @Test
  void joinsTheSumsOfTheSixteenChannelBlocksOnly() {
    ComputationGraphConfiguration conf = fused("resnet18", 0.25);
    // ResNet18 1/4: layer1's two blocks end in 16-channel 3x3 convolutions; the six deeper blocks have wider ones
    assertEquals(2, ResidualFusion.count(conf));
    assertEquals(6, conf.getVertices().values().stream().filter(v -> v instanceof SumVertex).count());
    for (String block : List.of("layer1.0", "layer1.1")) {
      var vertex = (ResidualConvolutionVertex) conf.getVertices().get(block + ".conv2");
      assertTrue(vertex.isRelu(), block + ": the ReLU after the sum comes along");
      assertEquals(2, conf.getVertexInputs().get(block + ".conv2").size());
      assertTrue(!conf.getVertices().containsKey(block + ".add") && !conf.getTopologicalOrderStr().contains(block + ".add"),
          block + ": the sum is gone from the graph and its order");
    }
    assertEquals(List.of("layer1.0.conv1", "conv1"), conf.getVertexInputs().get("layer1.0.conv2"), "input, then shortcut");
    assertEquals(List.of("layer1.0.conv2"), conf.getVertexInputs().get("layer1.1.conv1"), "the sum's readers read the convolution");
    assertEquals(3, ResidualFusion.count(fused("resnet34", 0.25)), "ResNet34 1/4: layer1's three blocks");
    assertEquals(0, ResidualFusion.count(fused("resnet18", 1.0)), "width 1: 64 channels, nothing JavaWinograd runs");
  }

  @Test
  void givesTheUnfusedLogitsBitForBitOnEitherPathAndRefusesTraining() {
    MultiExitNetwork net = MultiExitNetwork.create(ModelConfig.cifar("resnet18", ExitStructure.BOTTLENECK, 0.25, 10));
    // layer1.0's sum adds the stem, which that block's convolution computes itself (StemShortcutFusion)
    assertEquals(1, ResidualFusion.count(net.inferenceGraph().getConfiguration()), "the network's inference copy is fused");
    assertEquals(1, StemShortcutFusion.count(net.inferenceGraph().getConfiguration()));
    assertFusionChangesNoBit(net);
    var vertex = net.inferenceGraph().getVertex("layer1.1.conv2");
    var e = assertThrows(IllegalStateException.class, () -> vertex.doForward(true, org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces()));
    assertTrue(e.getMessage().contains("never train this graph"), e.getMessage());
  }

  @Test
  void joinsThePreActivationSumsOfWideResNetWithoutAReluAfterThem() {
    // WRN16-4 at width 1/4: its first stage's blocks end in a 16-channel convolution whose sum the
    // next block's BN reads (pre-activation): joined with no ReLU
    MultiExitNetwork net = MultiExitNetwork.create(ModelConfig.cifar("wrn16_4", Models.defaultExits("wrn16_4"), 0.25, 10));
    var conf = net.inferenceGraph().getConfiguration();
    assertEquals(2, ResidualFusion.count(conf), "WRN16-4 1/4: its first stage's two blocks");
    assertTrue(conf.getVertices().values().stream().noneMatch(v -> v instanceof ResidualConvolutionVertex r && r.isRelu()),
        "pre-activation sums have no ReLU of their own");
    assertFusionChangesNoBit(net);
  }

  @Test
  void aResidualPlannedInAnotherLayoutThanTheOutputIsAClearError() {
    assumeTrue(BlockedActivations.available(), "the blocked layout needs oneDNN on an AVX2 or AVX-512 CPU");
    MultiExitNetwork net = MultiExitNetwork.create(ModelConfig.cifar("resnet18", ExitStructure.BOTTLENECK, 0.25, 10));
    var conv = (LinearConvolutionLayer) net.inferenceGraph().getLayer("layer1.1.conv2");
    conv.setResidualBlocked(false);  // as if the plan had left the shortcut in NCHW while the output is blocked
    INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 32, 32);
    var e = assertThrows(IllegalStateException.class, () -> net.logits(x));
    assertTrue(e.getMessage().contains("layer1.1.conv2") && e.getMessage().contains("different layouts")
        && e.getMessage().contains("beed.onednn.blocked=false"), e.getMessage());
  }

  /** Logits with the fusion on and off, on the Java path (16 images) and oneDNN's (2), bit for bit, and near the training graph's. */
  private static void assertFusionChangesNoBit(MultiExitNetwork net) {
    Nd4j.getRandom().setSeed(7);
    // 16 images: JavaWinograd runs those layers and adds the shortcut in its output transform;
    // 2 images: oneDNN runs them and the sum follows. Off, the sum is its own pass either way.
    for (int batch : new int[] {16, 2}) {
      INDArray x = Nd4j.rand(DataType.FLOAT, batch, 3, 32, 32).subi(0.5);
      Outputs on = net.logits(x);
      Outputs off = SwitchedOff.logits(net, x, LinearConvolutionLayer.RESIDUAL_FUSION_PROPERTY);
      for (int k = 0; k < on.logits().length; k++) {
        assertArrayEquals(off.logits()[k].data().asFloat(), on.logits()[k].data().asFloat(), "batch " + batch + ", logits " + k);
      }
      Outputs training = Outputs.split(net.graph().output(false, x));  // the unfused, unfolded training graph in eval mode
      for (int k = 0; k < on.logits().length; k++) {
        double e = training.logits()[k].sub(on.logits()[k]).norm2Number().doubleValue() / training.logits()[k].norm2Number().doubleValue();
        assertTrue(e < 1e-4, "batch " + batch + ", logits " + k + " differ from the training graph's by " + e);
      }
    }
  }
}
