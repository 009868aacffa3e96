package io.github.beedjava.model;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runtime layer of {@link LinearConvolution}: both passes go straight to DL4J's oneDNN helper.
 * DL4J's {@code ConvolutionLayer.backpropGradient}
 * recomputes the layer's forward convolution to apply the activation's derivative, even for the
 * identity activation, so a training step costs four convolutions per layer instead of three. With
 * identity, dLoss/dPreOutput is the incoming error itself, so this hands it straight to the oneDNN
 * {@code conv2d_bp} op, exactly as the original does after the wasted forward.
 */
final class LinearConvolutionLayer extends ConvolutionLayer {

  LinearConvolutionLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  /** Whether the oneDNN helper can take this pass directly (everything this layer is configured with here). */
  private boolean direct(INDArray x, INDArray epsilon) {
    var conf = layerConf();
    return helper != null
        && helperCountFail == 0
        && conf.getConvolutionMode() != ConvolutionMode.Same
        && conf.getIDropout() == null
        && conf.getWeightNoise() == null
        && x != null
        && x.dataType() == DataType.FLOAT
        && dataType == DataType.FLOAT
        && (epsilon == null || epsilon.dataType() == DataType.FLOAT);
  }

  /**
   * Forward straight through the oneDNN helper. DL4J's own forward first makes a permuted NCHW
   * copy of an NHWC input (which the helper then does not use) and adds an all-zero bias.
   */
  @Override
  public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
    if (!direct(input, null)) {
      return super.activate(training, workspaceMgr);
    }
    var conf = layerConf();
    INDArray bias = conf.hasBias() ? getParam(ConvolutionParamInitializer.BIAS_KEY) : null;
    INDArray out =
        helper.preOutput(
            input, getParam(ConvolutionParamInitializer.WEIGHT_KEY), bias, conf.getKernelSize(), conf.getStride(),
            conf.getPadding(), conf.getCudnnAlgoMode(), conf.getCudnnFwdAlgo(), conf.getConvolutionMode(),
            conf.getDilation(), conf.getCnn2dDataFormat(), workspaceMgr);
    return out != null ? out : super.activate(training, workspaceMgr);  // identity activation: z is the output
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
    var conf = layerConf();
    if (!direct(input, epsilon) || conf.getCnn2dDataFormat() != CNN2DFormat.NCHW) {
      return super.backpropGradient(epsilon, workspaceMgr);
    }
    assertInputSet(true);
    if (!((LinearConvolution) conf).isInputGradient() && weightGradientOnly(epsilon, workspaceMgr)) {
      Gradient gradient = new DefaultGradient();
      gradient.setGradientFor(
          ConvolutionParamInitializer.WEIGHT_KEY, gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY), 'c');
      return new Pair<>(gradient, null);  // no input gradient: the graph discards the data's
    }
    INDArray weights = getParam(ConvolutionParamInitializer.WEIGHT_KEY);
    INDArray bias = conf.hasBias() ? getParam(ConvolutionParamInitializer.BIAS_KEY) : null;
    INDArray biasGradView = conf.hasBias() ? gradientViews.get(ConvolutionParamInitializer.BIAS_KEY) : null;
    INDArray weightGradView = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
    Pair<Gradient, INDArray> result =
        helper.backpropGradient(
            input, weights, bias, epsilon, conf.getKernelSize(), conf.getStride(), conf.getPadding(),
            biasGradView, weightGradView, conf.getActivationFn(), conf.getCudnnAlgoMode(),
            conf.getCudnnBwdFilterAlgo(), conf.getCudnnBwdDataAlgo(), conf.getConvolutionMode(),
            conf.getDilation(), conf.getCnn2dDataFormat(), workspaceMgr);
    // The helper declines (null) only for dtypes it cannot run; DL4J's own path handles those.
    return result != null ? result : super.backpropGradient(epsilon, workspaceMgr);
  }

  /**
   * dLoss/dWeights alone, for a layer whose input gradient nobody needs. oneDNN's {@code conv2d_bp}
   * always computes the input gradient too, by Winograd for 3x3 kernels: on the network's stem that
   * was 85 % of the layer's backward time. The weight gradient of a convolution is the weight
   * gradient of the transposed convolution that maps its output error back onto its input, which
   * libnd4j's {@code deconv2d_bp} computes with oneDNN's direct algorithm (its other output, a
   * forward convolution of the input, is cheap and dropped).
   *
   * @return false when the shapes do not allow it (stride that does not tile the input, bias)
   */
  private boolean weightGradientOnly(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
    var conf = layerConf();
    int[] kernel = conf.getKernelSize();
    int[] stride = conf.getStride();
    int[] pad = conf.getPadding();
    int[] dilation = conf.getDilation();
    if (conf.hasBias() || dilation[0] != 1 || dilation[1] != 1) {
      return false;
    }
    // The transposed convolution's output must be exactly the input's size.
    for (int d = 0; d < 2; d++) {
      if (stride[d] * (epsilon.size(2 + d) - 1) + kernel[d] - 2L * pad[d] != input.size(2 + d)) {
        return false;
      }
    }
    INDArray weights = getParam(ConvolutionParamInitializer.WEIGHT_KEY);
    INDArray dropped = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, DataType.FLOAT, epsilon.shape(), 'c');
    Nd4j.exec(
        DynamicCustomOp.builder("deconv2d_bp")
            .addInputs(epsilon, weights, input)
            .addOutputs(dropped, gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY))
            // kH, kW, sH, sW, pH, pW, dH, dW, same mode off, NCHW, weights [iC, oC, kH, kW] of the transposed conv
            .addIntegerArguments(kernel[0], kernel[1], stride[0], stride[1], pad[0], pad[1], 1, 1, 0, 0, 1)
            .build());
    return true;
  }
}
