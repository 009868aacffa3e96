package io.github.beedjava.engine.layers;

import io.github.beedjava.engine.onednn.DirectOneDnn;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * What the direct oneDNN convolution reads from a DL4J convolution layer's configuration, shared by
 * {@link LinearConvolutionLayer} and {@link DirectDepthwiseConvolutionLayer}.
 *
 * @param channelsLast whether the layer's maps are NHWC
 * @param kernel kernel height and width
 * @param stride stride along height and width
 * @param pad padding along height and width
 */
public record DirectConvolutionSettings(boolean channelsLast, int[] kernel, int[] stride, int[] pad) {

  /**
   * The settings of {@code conf}, or null when the layer uses something the direct path is not
   * built for: non-float data, a bias, "same" mode, dropout, weight noise or dilation.
   */
  static DirectConvolutionSettings of(ConvolutionLayer conf, DataType dataType) {
    if (dataType != DataType.FLOAT || !takes(conf)) {
      return null;
    }
    return new DirectConvolutionSettings(conf.getCnn2dDataFormat() == CNN2DFormat.NHWC,
        conf.getKernelSize(), conf.getStride(), conf.getPadding());
  }

  /**
   * Whether the direct path is built for what {@code conf} configures: no bias, not "same" mode, no
   * dropout or weight noise, no dilation (the data type is a property of the network, not checked).
   */
  public static boolean takes(ConvolutionLayer conf) {
    return !conf.hasBias() && conf.getConvolutionMode() != ConvolutionMode.Same
        && conf.getIDropout() == null && conf.getWeightNoise() == null
        && conf.getDilation()[0] == 1 && conf.getDilation()[1] == 1;
  }

  /** The error of a pass planned for the blocked layout that the direct convolution does not take. */
  static IllegalStateException blockedPassRefused(String layerId) {
    return new IllegalStateException("layer " + layerId + ": planned for the blocked layout, but the direct oneDNN "
        + "convolution does not take this pass (arrays not dense?); run with -D"
        + DirectOneDnn.BLOCKED_PROPERTY + "=false and report this");
  }

  /** The index of the height dimension of the layer's input (width follows it). */
  int heightDimension() {
    return channelsLast ? 1 : 2;
  }
}
