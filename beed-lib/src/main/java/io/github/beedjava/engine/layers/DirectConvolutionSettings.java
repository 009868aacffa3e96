package io.github.beedjava.engine.layers;

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
record DirectConvolutionSettings(boolean channelsLast, int[] kernel, int[] stride, int[] pad) {

  /**
   * The settings of {@code conf}, or null when the layer uses something the direct path is not
   * built for: non-float data, a bias, "same" mode, dropout, weight noise or dilation.
   */
  static DirectConvolutionSettings of(ConvolutionLayer conf, DataType dataType) {
    if (dataType != DataType.FLOAT || conf.hasBias() || conf.getConvolutionMode() == ConvolutionMode.Same
        || conf.getIDropout() != null || conf.getWeightNoise() != null
        || conf.getDilation()[0] != 1 || conf.getDilation()[1] != 1) {
      return null;
    }
    return new DirectConvolutionSettings(conf.getCnn2dDataFormat() == CNN2DFormat.NHWC,
        conf.getKernelSize(), conf.getStride(), conf.getPadding());
  }

  /** The index of the height dimension of the layer's input (width follows it). */
  int heightDimension() {
    return channelsLast ? 1 : 2;
  }
}
