package io.github.beedjava.engine.layers;

import io.github.beedjava.engine.layout.BlockedActivations;
import io.github.beedjava.engine.onednn.ConvolutionCache;
import io.github.beedjava.engine.onednn.DirectOneDnn;
import io.github.beedjava.engine.onednn.OneDnnConvolution;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.DepthwiseConvolution2DLayer;
import org.deeplearning4j.nn.params.DepthwiseConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runtime layer of {@link DirectDepthwiseConvolution}. libnd4j's {@code depthwise_conv2d} and its
 * backward do not call oneDNN (they are libnd4j's own loops, 31 % of an EfficientNetB0 training
 * step); this layer runs them as oneDNN grouped convolutions ({@link OneDnnConvolution} with a
 * depthwise geometry), reading DL4J's weights in place. Passes it is not built for (bias, dilation,
 * "same" mode, dropout, weight noise, non-float or non-dense arrays, NHWC in training, or without the
 * oneDNN library) run DL4J's own code.
 */
public final class DirectDepthwiseConvolutionLayer extends DepthwiseConvolution2DLayer implements BatchNormFoldingLayer {

  private final ConvolutionCache convolutions = new ConvolutionCache();

  /** Whether input and output are in oneDNN's blocked layout in passes that use it ({@link BlockedActivations}). */
  private final BlockedLayoutFlags blocked = new BlockedLayoutFlags();

  /** The BN this layer applies in an inference graph ({@code BatchNormFolding}); unlinked otherwise. */
  private final FoldedBatchNormLink foldedBatchNorm = new FoldedBatchNormLink();

  DirectDepthwiseConvolutionLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  /** How many geometries this layer has run through oneDNN (tests: the direct path was taken). */
  int directGeometries() {
    return convolutions.size();
  }

  @Override
  public void foldBatchNorm(org.deeplearning4j.nn.layers.normalization.BatchNormalization bn) {
    foldedBatchNorm.link((DirectDepthwiseConvolution) layerConf(), layerId(), bn);
  }

  /** Sets the layouts that {@link BlockedActivations#plan} chose for this layer's input and output. */
  public void setBlockedLayout(boolean input, boolean output) {
    blocked.set(input, output);
  }

  /**
   * The oneDNN convolution for this pass, or null when DL4J's own code must run it.
   *
   * @throws IllegalStateException when the pass is planned for the blocked layout, which DL4J's code cannot read
   */
  private OneDnnConvolution direct(boolean training, INDArray... arrays) {
    return blocked.required(directOrNull(training, arrays), layerId());
  }

  private OneDnnConvolution directOrNull(boolean training, INDArray... arrays) {
    var conf = (DirectDepthwiseConvolution) layerConf();
    DirectOneDnn dnn = DirectOneDnn.get();
    var settings = DirectConvolutionSettings.of(conf, dataType);
    if (dnn == null || input == null || settings == null
        || !OneDnnConvolution.takes(settings.channelsLast(), training, arrays)) {
      return null;
    }
    int h = settings.heightDimension();
    int[] kernel = settings.kernel();
    int[] stride = settings.stride();
    int[] pad = settings.pad();
    boolean folded = !training && conf.getFoldedBatchNorm() != null;
    var geometry = OneDnnConvolution.Geometry.depthwise(input.size(0), conf.getNIn(), input.size(h), input.size(h + 1),
        conf.getNOut(), kernel[0], kernel[1], stride[0], stride[1], pad[0], pad[1], settings.channelsLast(), training,
        true, folded, folded && conf.isFusedRelu());
    geometry = blocked.applyTo(geometry);
    return convolutions.get(geometry, g -> new OneDnnConvolution(g, dnn));
  }

  @Override
  public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
    INDArray weights = getParam(DepthwiseConvolutionParamInitializer.WEIGHT_KEY);
    var conf = (DirectDepthwiseConvolution) layerConf();
    BatchNormFold fold = foldedBatchNorm.fold(conf, layerId(), training);
    OneDnnConvolution convolution = direct(training, input, weights);
    if (convolution == null) {
      INDArray out = super.activate(training, workspaceMgr);
      if (fold != null) {
        FoldedBatchNormLink.applyInPlace(out, fold, conf.isFusedRelu(), conf.getCnn2dDataFormat());
      }
      return out;
    }
    INDArray out = workspaceMgr.createUninitialized(
        ArrayType.ACTIVATIONS, DataType.FLOAT, convolution.geometry().outputShape(), 'c');
    convolution.forward(input, weights, fold, out);
    return out;
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
    assertInputSet(true);
    INDArray weights = getParam(DepthwiseConvolutionParamInitializer.WEIGHT_KEY);
    INDArray weightGradView = gradientViews.get(DepthwiseConvolutionParamInitializer.WEIGHT_KEY);
    OneDnnConvolution convolution = direct(true, input, weights, epsilon, weightGradView);
    if (convolution == null) {
      return super.backpropGradient(epsilon, workspaceMgr);
    }
    INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, input.shape(), 'c');
    convolution.backward(input, weights, epsilon, dx, weightGradView);
    Gradient gradient = new DefaultGradient();
    gradient.setGradientFor(DepthwiseConvolutionParamInitializer.WEIGHT_KEY, weightGradView, 'c');
    return new Pair<>(gradient, dx);
  }
}
