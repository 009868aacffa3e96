package io.github.beedjava.model;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

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
}
