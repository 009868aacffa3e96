package io.github.beedjava.engine.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.model.ModelConfig;
import io.github.beedjava.model.Models;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LinearConvolutionTest {

  private static ConvolutionLayer.Builder builder(boolean bias) {
    return new ConvolutionLayer.Builder(3, 3).stride(2, 2).padding(1, 1).nIn(4).nOut(6).hasBias(bias).activation(Activation.IDENTITY);
  }

  private static MultiLayerNetwork single(Layer layer) {
    MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT)
        .list().layer(layer).setInputType(InputType.convolutional(9, 9, 4)).build());
    net.init();
    net.initGradientsView();
    return net;
  }

  @Test
  void backwardWithoutTheRepeatedForwardGivesDl4jsGradientsExactly() {
    for (boolean bias : new boolean[] {false, true}) {
      MultiLayerNetwork plain = single(builder(bias).build());
      MultiLayerNetwork linear = single(new LinearConvolution(builder(bias)));
      linear.setParams(plain.params().dup());
      assertInstanceOf(LinearConvolutionLayer.class, linear.getLayer(0));
      assertTrue(((LinearConvolutionLayer) linear.getLayer(0)).getHelper() instanceof MKLDNNConvHelper,
          "the fast path needs the oneDNN helper (run with the project's -D flags)");
      INDArray x = Nd4j.rand(DataType.FLOAT, 5, 4, 9, 9).subi(0.5);
      INDArray eps = Nd4j.rand(DataType.FLOAT, 5, 6, 5, 5).subi(0.5);
      Pair<Gradient, INDArray> expected = LayerPasses.backward(plain, x, eps);
      Pair<Gradient, INDArray> actual = LayerPasses.backward(linear, x, eps);
      assertEquals(expected.getSecond(), actual.getSecond(), "dLoss/dInput, bias " + bias);
      for (String key : expected.getFirst().gradientForVariable().keySet()) {
        assertEquals(expected.getFirst().getGradientFor(key), actual.getFirst().getGradientFor(key), key + ", bias " + bias);
      }
    }
  }

  @Test
  void withoutInputGradientTheWeightGradientIsUnchanged() {
    // stride 1 (the stem) takes the weight-only path; stride 2 over 9x9 does not tile, so it falls back
    for (int stride : new int[] {1, 2}) {
      ConvolutionLayer.Builder b = builder(false).stride(stride, stride);
      MultiLayerNetwork full = single(new LinearConvolution(b));
      LinearConvolution dataOnly = new LinearConvolution(builder(false).stride(stride, stride));
      dataOnly.setInputGradient(false);
      MultiLayerNetwork stem = single(dataOnly);
      stem.setParams(full.params().dup());
      int out = stride == 1 ? 9 : 5;
      INDArray x = Nd4j.rand(DataType.FLOAT, 5, 4, 9, 9).subi(0.5);
      INDArray eps = Nd4j.rand(DataType.FLOAT, 5, 6, out, out).subi(0.5);
      Pair<Gradient, INDArray> expected = LayerPasses.backward(full, x, eps);
      Pair<Gradient, INDArray> actual = LayerPasses.backward(stem, x, eps);
      INDArray want = expected.getFirst().getGradientFor("W");
      INDArray got = actual.getFirst().getGradientFor("W");
      assertEquals(0, want.sub(got).norm2Number().doubleValue() / want.norm2Number().doubleValue(), 1e-6, "dW, stride " + stride);
      if (stride == 1) {
        assertNull(actual.getSecond(), "no input gradient on the weight-only path");
      }
    }
  }

  @Test
  void narrowLayersOverLargeMapsGetTheSameGradientsByTransposedConvolutions() {
    // 16 -> 16 channels over 32x32, 3x3 stride 1: the direct path instead of conv2d_bp's Winograd
    int[] k3 = {3, 3};
    int[] s1 = {1, 1};
    assertTrue(LinearConvolutionLayer.winogradIsSlow(k3, s1, 16, 16, 32 * 32));
    assertFalse(LinearConvolutionLayer.winogradIsSlow(k3, s1, 24, 24, 32 * 32), "24 channels: Winograd wins");
    assertFalse(LinearConvolutionLayer.winogradIsSlow(k3, s1, 16, 16, 16 * 16), "16x16 maps: Winograd wins");
    assertFalse(LinearConvolutionLayer.winogradIsSlow(k3, new int[] {2, 2}, 16, 16, 32 * 32), "no Winograd at stride 2");
    ConvolutionLayer.Builder b = new ConvolutionLayer.Builder(3, 3).stride(1, 1).padding(1, 1).nIn(16).nOut(16)
        .hasBias(false).activation(Activation.IDENTITY);
    MultiLayerNetwork plain = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
        .list().layer(b.build()).setInputType(InputType.convolutional(32, 32, 16)).build());
    MultiLayerNetwork narrow = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
        .list().layer(new LinearConvolution(b)).setInputType(InputType.convolutional(32, 32, 16)).build());
    for (MultiLayerNetwork net : new MultiLayerNetwork[] {plain, narrow}) {
      net.init();
      net.initGradientsView();
    }
    narrow.setParams(plain.params().dup());
    INDArray x = Nd4j.rand(DataType.FLOAT, 3, 16, 32, 32).subi(0.5);
    INDArray eps = Nd4j.rand(DataType.FLOAT, 3, 16, 32, 32).subi(0.5);
    Pair<Gradient, INDArray> expected = LayerPasses.backward(plain, x, eps);
    Pair<Gradient, INDArray> actual = LayerPasses.backward(narrow, x, eps);
    assertEquals(0, relErr(expected.getSecond(), actual.getSecond()), 1e-5, "dLoss/dInput");
    assertEquals(0, relErr(expected.getFirst().getGradientFor("W"), actual.getFirst().getGradientFor("W")), 1e-5, "dLoss/dW");
  }

  private static double relErr(INDArray want, INDArray got) {
    return want.sub(got).norm2Number().doubleValue() / want.norm2Number().doubleValue();
  }

  @Test
  void onlyTheConvolutionsThatReadTheDataSkipTheInputGradient() {
    for (String model : new String[] {"resnet18", "wrn16_4", "mobilenetv2", "efficientnet_b0"}) {
      var conf = Models.blueprint(ModelConfig.cifar(model, ExitStructure.BOTTLENECK, 0.125, 10)).graph();
      int skipping = 0;
      for (var e : conf.getVertices().entrySet()) {
        if (e.getValue() instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv
            && lv.getLayerConf().getLayer() instanceof LinearConvolution linear) {
          boolean readsData = conf.getNetworkInputs().containsAll(conf.getVertexInputs().get(e.getKey()));
          assertEquals(!readsData, linear.isInputGradient(), model + ": " + e.getKey());
          skipping += readsData ? 1 : 0;
        }
      }
      assertEquals(1, skipping, model + ": exactly the stem reads the data");
    }
  }

  @Test
  void aPointwiseConvolutionOverOnePixelIsDl4jsConvolutionInBothLayouts() {
    // squeeze-excitation's 1x1 convolutions with a bias over [N, C, 1, 1] (NHWC: [N, 1, 1, C]) maps, in eval mode
    for (org.deeplearning4j.nn.conf.CNN2DFormat format : org.deeplearning4j.nn.conf.CNN2DFormat.values()) {
      ConvolutionLayer.Builder b = new ConvolutionLayer.Builder(1, 1).nIn(12).nOut(20).hasBias(true)
          .activation(Activation.IDENTITY).dataFormat(format);
      MultiLayerNetwork plain = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.FLOAT)
          .list().layer(b.build()).setInputType(InputType.convolutional(1, 1, 12, format)).build());
      plain.init();
      MultiLayerNetwork linear = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.FLOAT)
          .list().layer(new LinearConvolution(b)).setInputType(InputType.convolutional(1, 1, 12, format)).build());
      linear.init();
      linear.setParams(plain.params().dup());
      linear.getLayer(0).setParam("b", Nd4j.rand(DataType.FLOAT, 1, 20).subi(0.5));
      plain.getLayer(0).setParam("b", linear.getLayer(0).getParam("b").dup());
      INDArray x = Nd4j.rand(DataType.FLOAT, format == org.deeplearning4j.nn.conf.CNN2DFormat.NHWC
          ? new long[] {7, 1, 1, 12} : new long[] {7, 12, 1, 1}).subi(0.5);
      INDArray want = plain.output(x, false);
      // C order takes the Vector API product; an F-order copy of the same input takes ND4J's GEMM
      for (INDArray input : new INDArray[] {x, x.dup('f')}) {
        INDArray got = linear.output(input, false);
        String what = format + ", order " + input.ordering();
        assertEquals(java.util.Arrays.toString(want.shape()), java.util.Arrays.toString(got.shape()), what);
        assertEquals(0, relErr(want, got), 1e-6, what);
        assertTrue(want.sub(got).amaxNumber().doubleValue() < 1e-5, what + ": the bias is added");
      }
    }
  }

  @Test
  void refusesAnActivation() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new LinearConvolution(builder(false).activation(Activation.RELU)));
    assertTrue(e.getMessage().contains("identity"), e.getMessage());
  }
}
