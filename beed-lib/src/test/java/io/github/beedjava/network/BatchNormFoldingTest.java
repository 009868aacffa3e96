package io.github.beedjava.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.beedjava.engine.layers.DirectDepthwiseConvolution;
import io.github.beedjava.engine.layers.FoldedBatchNormalization;
import io.github.beedjava.engine.layers.RectifiedBatchNormalization;
import io.github.beedjava.engine.layers.SinglePassRelu;
import io.github.beedjava.engine.layers.SumVertex;
import io.github.beedjava.engine.layout.ChannelsLast;
import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.model.ModelConfig;
import io.github.beedjava.model.Models;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class BatchNormFoldingTest {

  private static double relErr(INDArray expected, INDArray actual) {
    return expected.sub(actual).norm2Number().doubleValue() / Math.max(1e-12, expected.norm2Number().doubleValue());
  }

  private static long countBatchNorms(ComputationGraphConfiguration conf) {
    return conf.getVertices().values().stream()
        .filter(v -> v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BatchNormalization)
        .count();
  }

  @Test
  void everyBatchNormOfResNetFoldsAndItsReluGoesWithIt() {
    ComputationGraphConfiguration original = Models.blueprint(ModelConfig.cifar("resnet18", ExitStructure.BOTTLENECK, 0.125, 10)).graph();
    ComputationGraphConfiguration folded = BatchNormFolding.apply(ChannelsLast.of(original).orElseThrow());
    assertEquals(countBatchNorms(original), BatchNormFolding.count(folded), "every BN follows a convolution of its own");
    long relusBefore = original.getVertices().values().stream()
        .filter(v -> v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof SinglePassRelu).count();
    long relusAfter = folded.getVertices().values().stream()
        .filter(v -> v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof SinglePassRelu).count();
    assertTrue(relusAfter < relusBefore, "ReLUs after a BN are fused: " + relusBefore + " -> " + relusAfter);
    for (var entry : folded.getVertexInputs().entrySet()) {
      for (String input : entry.getValue()) {
        var v = folded.getVertices().get(input);
        assertTrue(v == null || !(v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof FoldedBatchNormalization),
            entry.getKey() + " still reads the folded BN " + input);
      }
    }
    assertTrue(original.getVertices().values().stream()
        .noneMatch(v -> v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof FoldedBatchNormalization),
        "the training configuration is not touched");
    // Each of the 8 basic blocks ends in sum then ReLU: the ReLU joins the sum, in the copy only.
    assertEquals(8, folded.getVertices().values().stream().filter(v -> v instanceof SumVertex s && s.isRelu()).count());
    assertTrue(original.getVertices().values().stream().noneMatch(v -> v instanceof SumVertex s && s.isRelu()));
    for (var entry : folded.getVertexInputs().entrySet()) {
      boolean relu = folded.getVertices().get(entry.getKey()) instanceof LayerVertex lv
          && lv.getLayerConf().getLayer() instanceof SinglePassRelu;
      for (String input : entry.getValue()) {
        assertTrue(!relu || !(folded.getVertices().get(input) instanceof SumVertex), entry.getKey() + " still reads the sum " + input);
      }
    }
  }

  @Test
  void foldedInferenceEqualsTheUnfoldedGraphWithNonTrivialStatisticsAndFollowsChanges() {
    MultiExitNetwork net = MultiExitNetwork.create(ModelConfig.cifar("resnet18", ExitStructure.BOTTLENECK, 0.25, 10));
    assertFoldedEqualsUnfolded(net, "layer2.0.bn1");
  }

  @Test
  void depthwiseConvolutionsFoldTheirBatchNormAndRelu() {
    for (String model : new String[] {"mobilenetv2", "efficientnet_b0"}) {
      ComputationGraphConfiguration original = Models.blueprint(ModelConfig.cifar(model, ExitStructure.BOTTLENECK, 0.25, 10)).graph();
      ComputationGraphConfiguration folded = BatchNormFolding.apply(ChannelsLast.of(original).orElseThrow());
      assertEquals(countBatchNorms(original), BatchNormFolding.count(folded), model + ": every BN follows a convolution of its own");
      long depthwiseFolds = folded.getVertices().values().stream()
          .filter(v -> v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof DirectDepthwiseConvolution d
              && d.getFoldedBatchNorm() != null)
          .count();
      assertTrue(depthwiseFolds > 0, model + ": the depthwise convolutions fold their BN");
      if (model.equals("mobilenetv2")) {
        assertTrue(folded.getVertices().values().stream().anyMatch(v -> v instanceof LayerVertex lv
            && lv.getLayerConf().getLayer() instanceof DirectDepthwiseConvolution d && d.isFusedRelu()), "and the ReLU after it");
      }
      MultiExitNetwork net = MultiExitNetwork.create(ModelConfig.cifar(model, ExitStructure.BOTTLENECK, 0.25, 10));
      String afterDepthwise = original.getVertexInputs().entrySet().stream()
          .filter(e -> original.getVertices().get(e.getKey()) instanceof LayerVertex lv
              && lv.getLayerConf().getLayer() instanceof BatchNormalization
              && original.getVertices().get(e.getValue().get(0)) instanceof LayerVertex in
              && in.getLayerConf().getLayer() instanceof DirectDepthwiseConvolution)
          .map(java.util.Map.Entry::getKey).findFirst().orElseThrow();
      assertFoldedEqualsUnfolded(net, afterDepthwise);
    }
  }

  /**
   * Eval-mode outputs of the folded inference copy against the unfolded training graph's, with
   * random BN statistics, and again after one running variance ({@code changedBn}) changes in place.
   */
  private static void assertFoldedEqualsUnfolded(MultiExitNetwork net, String changedBn) {
    Nd4j.getRandom().setSeed(7);
    for (ParameterRef ref : net.parameters()) {
      INDArray p = net.parameter(ref);
      switch (ref.dl4jKey()) {
        case "gamma" -> p.assign(Nd4j.rand(DataType.FLOAT, p.shape()).addi(0.5));
        case "beta", "mean" -> p.assign(Nd4j.rand(DataType.FLOAT, p.shape()).subi(0.5));
        case "var" -> p.assign(Nd4j.rand(DataType.FLOAT, p.shape()).muli(2).addi(0.1));
        default -> { }
      }
    }
    INDArray x = Nd4j.rand(net.graph().getConfiguration().getDataType(), 4, 3, 32, 32).subi(0.5);
    for (int change = 0; change < 2; change++) {
      if (change == 1) {  // one running variance changed in place: the kept folded weights must follow
        net.parameter(changedBn, "var").muli(3);
      }
      Outputs folded = net.forward(x, false);
      Outputs reference = Outputs.split(net.graph().output(false, x));
      for (int k = 0; k < folded.logits().length; k++) {
        double e = relErr(reference.logits()[k], folded.logits()[k]);
        assertTrue(e < 1e-4, changedBn + ", change " + change + ": logits " + k + " differ by " + e);
        double f = relErr(reference.features()[k], folded.features()[k]);
        assertTrue(f < 1e-4, changedBn + ", change " + change + ": features " + k + " differ by " + f);
      }
    }
  }

  @Test
  void theBatchNormsAfterResidualSumsTakeOverTheirRelu() {
    ComputationGraphConfiguration original = Models.blueprint(ModelConfig.cifar("wrn16_4", ExitStructure.BOTTLENECK, 0.25, 10)).graph();
    ComputationGraphConfiguration copy = BatchNormFolding.apply(original.clone());
    java.util.List<String> rectified = copy.getVertices().entrySet().stream()
        .filter(e -> e.getValue() instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof RectifiedBatchNormalization)
        .map(java.util.Map.Entry::getKey).sorted().toList();
    // Pre-activation blocks: blocks 2 and 3 of each stage read a sum, the first blocks of stages 2
    // and 3 too, and the final BN; the first block of stage 1 reads the stem convolution and folds.
    assertEquals(6, rectified.size(), "rectified BNs: " + rectified);
    assertEquals(countBatchNorms(original), BatchNormFolding.count(copy) + rectified.size(), "every other BN folds");
    for (String bn : rectified) {
      assertTrue(original.getVertexInputs().entrySet().stream()
          .anyMatch(e -> e.getValue().contains(bn) && original.getVertices().get(e.getKey()) instanceof LayerVertex lv
              && lv.getLayerConf().getLayer() instanceof SinglePassRelu), bn + " was read by a ReLU");
      assertTrue(copy.getVertexInputs().entrySet().stream()
          .noneMatch(e -> e.getValue().contains(bn) && copy.getVertices().get(e.getKey()) instanceof LayerVertex lv
              && lv.getLayerConf().getLayer() instanceof SinglePassRelu), bn + "'s ReLU is gone");
    }
    assertTrue(original.getVertices().values().stream()
        .noneMatch(v -> v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof RectifiedBatchNormalization),
        "the training configuration is not touched");
  }

  @Test
  void rectifiedBatchNormsGiveTheUnfoldedOutputsInEveryLayoutAndPrecision() {
    // Float: the blocked inference copy (Java BN loops rectify). Double: channels-last, DL4J's BN and an in-place ReLU.
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      MultiExitNetwork net = MultiExitNetwork.create(ModelConfig.cifar("wrn16_4", ExitStructure.BOTTLENECK, 0.25, 10).withDataType(type));
      assertTrue(net.inferenceGraph().getConfiguration().getVertices().values().stream()
          .anyMatch(v -> v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof RectifiedBatchNormalization),
          type + ": the inference copy has rectified BNs");
      assertFoldedEqualsUnfolded(net, "block2.layer.0.bn1");
    }
  }

  @Test
  void aFoldedGraphRefusesTraining() {
    ComputationGraphConfiguration original = Models.blueprint(ModelConfig.cifar("resnet18", ExitStructure.BOTTLENECK, 0.125, 10)).graph();
    MultiExitGraph folded = new MultiExitGraph(BatchNormFolding.apply(ChannelsLast.of(original).orElseThrow()));
    folded.init();
    INDArray x = Nd4j.rand(DataType.FLOAT, 2, 32, 32, 3);
    var e = assertThrows(IllegalStateException.class, () -> folded.output(true, x));
    assertTrue(e.getMessage().contains("inference graphs only"), e.getMessage());
  }
}
