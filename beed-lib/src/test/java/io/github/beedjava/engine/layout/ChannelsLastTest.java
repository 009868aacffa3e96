package io.github.beedjava.engine.layout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.beedjava.engine.onednn.DirectOneDnn;
import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.model.ModelConfig;
import io.github.beedjava.network.MultiExitNetwork;
import io.github.beedjava.network.Outputs;
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

  /**
   * With the blocked layout off ({@code -Dbeed.onednn.blocked=false}, or a CPU without 16-float
   * vectors) eval-mode passes run the channels-last copy; with it on, the NCHW copy whose maps are
   * blocked where the plan holds at least {@link BlockedActivations#INFERENCE_MIN_COVERAGE} of the
   * convolutions, the channels-last copy elsewhere. Both must give the NCHW graph's outputs.
   */
  @Test
  void channelsLastInferenceEqualsTheNchwGraphAndFollowsTraining() {
    String before = System.getProperty(DirectOneDnn.BLOCKED_PROPERTY);
    System.setProperty(DirectOneDnn.BLOCKED_PROPERTY, "false");
    try {
      inferenceCopiesEqualTheNchwGraph(true);
    } finally {
      if (before == null) {
        System.clearProperty(DirectOneDnn.BLOCKED_PROPERTY);
      } else {
        System.setProperty(DirectOneDnn.BLOCKED_PROPERTY, before);
      }
    }
  }

  @Test
  void blockedInferenceEqualsTheNchwGraphAndFollowsTraining() {
    assumeTrue(BlockedActivations.available(), "needs AVX-512 or AVX2, the Vector API and the direct oneDNN convolutions");
    inferenceCopiesEqualTheNchwGraph(false);
  }

  private static void inferenceCopiesEqualTheNchwGraph(boolean channelsLast) {
    int blockedCopies = 0;
    ExitStructure[] allExits = {ExitStructure.BOTTLENECK, ExitStructure.LCT, ExitStructure.TOFD, ExitStructure.BYOT};
    for (String model : new String[] {"resnet18", "wrn16_4", "mobilenetv2", "efficientnet_b0"}) {
      // EfficientNetB0 for its squeeze-excitation (pooling to [N,1,1,C], channel scale), with one exit structure
      for (ExitStructure exits : model.equals("efficientnet_b0") ? new ExitStructure[] {ExitStructure.BOTTLENECK} : allExits) {
        // width 1/4 where the blocked plan holds most convolutions on AVX-512 (16-channel blocks) too
        ModelConfig config = ModelConfig.cifar(model, exits, model.equals("mobilenetv2") ? 0.125 : 0.25, 10);
        MultiExitNetwork net = MultiExitNetwork.create(config);
        assertTrue(ChannelsLast.of(net.blueprint().graph()).isPresent(), model + "/" + exits + " should have an NHWC twin");
        INDArray x = Nd4j.rand(DataType.FLOAT, 8, 3, 32, 32).subi(0.5);
        TrainingStep step = new TrainingStep(net, Method.parse("beed").objective(net.numClassifiers()),
            new PyTorchSgd(0.9, 5e-4));
        for (int round = 0; round < 2; round++) {  // before and after an SGD step: the twin shares the weights
          Outputs fast = net.forward(x, false);
          var copy = net.inferenceGraph().getConfiguration();
          boolean nhwc = copy.getVertices().values().stream().anyMatch(v -> v instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv
              && lv.getLayerConf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.ConvolutionLayer c
              && c.getCnn2dDataFormat() == org.deeplearning4j.nn.conf.CNN2DFormat.NHWC);
          // Blocked where the layout is on and the plan holds most convolutions (not MobileNetV2 at width 1/8).
          var plan = BlockedActivations.plan(net.blueprint().graph());
          boolean blocked = !channelsLast && !plan.isEmpty()
              && BlockedActivations.convolutionCoverage(net.blueprint().graph(), plan) >= BlockedActivations.INFERENCE_MIN_COVERAGE;
          assertEquals(!blocked, nhwc, model + "/" + exits + ": channels-last inference copy");
          assertEquals(blocked, !net.inferenceGraph().blockedVertices().isEmpty(), model + "/" + exits + ": blocked maps");
          blockedCopies += blocked ? 1 : 0;
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
    if (!channelsLast) {
      assertTrue(blockedCopies > 0, "no model ran blocked inference");
    }
  }

  @Test
  void aMaxPoolingToOneByOneHasNoChannelsLastCopy() {
    MultiExitNetwork net = MultiExitNetwork.create(ModelConfig.cifar("efficientnet_b0", ExitStructure.BOTTLENECK, 0.125, 10));
    var conf = net.blueprint().graph().clone();
    var pool = conf.getVertices().values().stream()
        .map(v -> v instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv ? lv.getLayerConf().getLayer() : null)
        .filter(l -> l instanceof org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer p && !p.isCollapseDimensions())
        .map(l -> (org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer) l).findFirst().orElseThrow();
    assertTrue(ChannelsLast.of(conf).isPresent());
    pool.setPoolingType(org.deeplearning4j.nn.conf.layers.PoolingType.MAX);  // only AVG has an NHWC [N,1,1,C] layer here
    assertFalse(ChannelsLast.of(conf).isPresent());
  }
}
