package io.github.beedjava.engine.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.beedjava.engine.layout.BlockedActivations;
import io.github.beedjava.engine.layout.BlockedArrays;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The oneDNN depthwise path against DL4J's own depthwise layer (libnd4j's op), both passes. */
class DirectDepthwiseConvolutionTest {

  private static DepthwiseConvolution2D.Builder builder(int kernel, int stride, int channels, int multiplier, CNN2DFormat format) {
    return new DepthwiseConvolution2D.Builder(kernel, kernel).stride(stride, stride).padding(kernel / 2, kernel / 2)
        .depthMultiplier(multiplier).nIn(channels).nOut(channels * multiplier).hasBias(false)
        .activation(Activation.IDENTITY).dataFormat(format);
  }

  private static MultiLayerNetwork single(Layer layer, int size, int channels, CNN2DFormat format) {
    MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(11).dataType(DataType.FLOAT)
        .list().layer(layer).setInputType(InputType.convolutional(size, size, channels, format)).build());
    net.init();
    net.initGradientsView();
    return net;
  }

  private static double relErr(INDArray want, INDArray got) {
    return want.sub(got).norm2Number().doubleValue() / want.norm2Number().doubleValue();
  }

  /** kernel, stride, channels, depth multiplier, size */
  private static final int[][] CASES = {{3, 1, 16, 1, 9}, {3, 2, 24, 1, 9}, {5, 2, 8, 1, 12}, {3, 1, 4, 2, 6}};

  @Test
  void bothPassesEqualDl4jsDepthwiseLayer() {
    for (int[] c : CASES) {
      MultiLayerNetwork plain = single(builder(c[0], c[1], c[2], c[3], CNN2DFormat.NCHW).build(), c[4], c[2], CNN2DFormat.NCHW);
      MultiLayerNetwork direct = single(new DirectDepthwiseConvolution(builder(c[0], c[1], c[2], c[3], CNN2DFormat.NCHW)),
          c[4], c[2], CNN2DFormat.NCHW);
      assertInstanceOf(DirectDepthwiseConvolutionLayer.class, direct.getLayer(0));
      direct.setParams(plain.params().dup());
      INDArray x = Nd4j.rand(DataType.FLOAT, 5, c[2], c[4], c[4]).subi(0.5);
      INDArray y = plain.output(x, false);
      String what = java.util.Arrays.toString(c);
      assertEquals(0, relErr(y, direct.output(x, false)), 1e-6, "eval forward " + what);
      INDArray eps = Nd4j.rand(DataType.FLOAT, y.shape()).subi(0.5);
      Pair<Gradient, INDArray> want = LayerPasses.backward(plain, x, eps);
      Pair<Gradient, INDArray> got = LayerPasses.backward(direct, x, eps);
      assertEquals(0, relErr(want.getSecond(), got.getSecond()), 1e-6, "dLoss/dInput " + what);
      assertEquals(0, relErr(want.getFirst().getGradientFor("W"), got.getFirst().getGradientFor("W")), 1e-6, "dLoss/dW " + what);
      assertEquals(2, ((DirectDepthwiseConvolutionLayer) direct.getLayer(0)).directGeometries(), "eval and training ran on oneDNN");
    }
  }

  @Test
  void aFoldedBatchNormAndReluEqualTheLayersTheyReplaceOnOneDnnAndOnTheFallback() {
    int[] c = CASES[1];  // 3x3, stride 2, 24 channels, 9x9
    MultiLayerNetwork plain = single(builder(c[0], c[1], c[2], c[3], CNN2DFormat.NCHW).build(), c[4], c[2], CNN2DFormat.NCHW);
    DirectDepthwiseConvolution foldingConf = new DirectDepthwiseConvolution(builder(c[0], c[1], c[2], c[3], CNN2DFormat.NCHW));
    foldingConf.setFoldedBatchNorm("bn");
    foldingConf.setFusedRelu(true);
    MultiLayerNetwork folding = single(foldingConf, c[4], c[2], CNN2DFormat.NCHW);
    folding.setParams(plain.params().dup());
    MultiLayerNetwork bn = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT).list()
        .layer(new org.deeplearning4j.nn.conf.layers.BatchNormalization.Builder().name("bn").nIn(c[2]).nOut(c[2]).build())
        .layer(new org.deeplearning4j.nn.conf.layers.ActivationLayer(Activation.RELU))
        .setInputType(InputType.convolutional(5, 5, c[2])).build());
    bn.init();
    Nd4j.getRandom().setSeed(9);
    bn.getLayer(0).setParam("gamma", Nd4j.rand(DataType.FLOAT, 1, c[2]).addi(0.5));
    bn.getLayer(0).setParam("beta", Nd4j.rand(DataType.FLOAT, 1, c[2]).subi(0.5));
    bn.getLayer(0).setParam("mean", Nd4j.rand(DataType.FLOAT, 1, c[2]).subi(0.5));
    bn.getLayer(0).setParam("var", Nd4j.rand(DataType.FLOAT, 1, c[2]).addi(0.1));
    var layer = (DirectDepthwiseConvolutionLayer) folding.getLayer(0);
    layer.foldBatchNorm((org.deeplearning4j.nn.layers.normalization.BatchNormalization) bn.getLayer(0));
    INDArray x = Nd4j.rand(DataType.FLOAT, 5, c[2], c[4], c[4]).subi(0.5);
    INDArray want = bn.output(plain.output(x, false), false);
    // C order runs oneDNN with the folded weights, bias and ReLU post-op; an F-order copy is not
    // dense, so DL4J's depthwise layer runs and the BN and ReLU follow on its output
    for (INDArray input : new INDArray[] {x, x.dup('f')}) {
      INDArray got = folding.output(input, false);
      assertEquals(0, relErr(want, got), 1e-6, "order " + input.ordering());
    }
    assertEquals(1, layer.directGeometries(), "the C-order pass ran on oneDNN");
    var e = assertThrows(IllegalArgumentException.class,
        () -> layer.foldBatchNorm((org.deeplearning4j.nn.layers.normalization.BatchNormalization) plainBatchNorm("other", c[2]).getLayer(0)));
    assertTrue(e.getMessage().contains("folds BN bn, not other"), e.getMessage());
  }

  private static MultiLayerNetwork plainBatchNorm(String name, int channels) {
    MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).list()
        .layer(new org.deeplearning4j.nn.conf.layers.BatchNormalization.Builder().name(name).nIn(channels).nOut(channels).build())
        .setInputType(InputType.convolutional(5, 5, channels)).build());
    net.init();
    return net;
  }

  @Test
  void channelsLastInferenceEqualsDl4jsDepthwiseLayer() {
    int[] c = CASES[1];
    MultiLayerNetwork plain = single(builder(c[0], c[1], c[2], c[3], CNN2DFormat.NHWC).build(), c[4], c[2], CNN2DFormat.NHWC);
    MultiLayerNetwork direct = single(new DirectDepthwiseConvolution(builder(c[0], c[1], c[2], c[3], CNN2DFormat.NHWC)),
        c[4], c[2], CNN2DFormat.NHWC);
    direct.setParams(plain.params().dup());
    INDArray x = Nd4j.rand(DataType.FLOAT, 3, c[4], c[4], c[2]).subi(0.5);
    assertEquals(0, relErr(plain.output(x, false), direct.output(x, false)), 1e-6);
    assertEquals(1, ((DirectDepthwiseConvolutionLayer) direct.getLayer(0)).directGeometries(), "NHWC inference ran on oneDNN");
  }

  /**
   * With its maps in oneDNN's blocked layout (input, output, their errors) the layer computes what it
   * computes in NCHW, in both passes.
   */
  @Test
  void blockedPassesEqualTheNchwPasses() {
    assumeTrue(BlockedActivations.available(), "needs AVX-512 or AVX2, the Vector API and the direct oneDNN convolutions");
    int b = BlockedActivations.BLOCK;
    for (int[] c : new int[][] {{3, 1, b, 1, 9}, {3, 2, 2 * b, 1, 10}, {5, 1, b, 1, 8}}) {
      MultiLayerNetwork nchw = single(new DirectDepthwiseConvolution(builder(c[0], c[1], c[2], c[3], CNN2DFormat.NCHW)),
          c[4], c[2], CNN2DFormat.NCHW);
      MultiLayerNetwork blocked = single(new DirectDepthwiseConvolution(builder(c[0], c[1], c[2], c[3], CNN2DFormat.NCHW)),
          c[4], c[2], CNN2DFormat.NCHW);
      blocked.setParams(nchw.params().dup());
      var layer = (DirectDepthwiseConvolutionLayer) blocked.getLayer(0);
      layer.setBlockedLayout(true, true);
      String what = java.util.Arrays.toString(c);

      INDArray x = Nd4j.rand(DataType.FLOAT, 4, c[2], c[4], c[4]).subi(0.5);
      INDArray y = nchw.output(x, false);
      INDArray yBlocked = BlockedActivations.with(true, () -> {
        layer.setInput(BlockedArrays.toBlocked(x), LayerWorkspaceMgr.noWorkspaces());
        return layer.activate(false, LayerWorkspaceMgr.noWorkspaces()).dup();
      });
      assertEquals(0, relErr(y, BlockedArrays.toNchw(yBlocked)), 1e-6, "eval forward " + what);

      INDArray eps = Nd4j.rand(DataType.FLOAT, y.shape()).subi(0.5);
      Pair<Gradient, INDArray> want = LayerPasses.backward(nchw, x, eps);
      Pair<Gradient, INDArray> got = BlockedActivations.with(true,
          () -> LayerPasses.backward(blocked, BlockedArrays.toBlocked(x), BlockedArrays.toBlocked(eps)));
      assertEquals(0, relErr(want.getSecond(), BlockedArrays.toNchw(got.getSecond())), 1e-6, "dLoss/dInput " + what);
      assertEquals(0, relErr(want.getFirst().getGradientFor("W"), got.getFirst().getGradientFor("W")), 1e-6, "dLoss/dW " + what);
      assertEquals(2, layer.directGeometries(), "blocked eval and training ran on oneDNN");
    }
  }

  @Test
  void refusesAnActivation() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new DirectDepthwiseConvolution(builder(3, 1, 8, 1, CNN2DFormat.NCHW).activation(Activation.RELU)));
    assertTrue(e.getMessage().contains("identity"), e.getMessage());
  }
}
