package io.github.beedjava.engine.layers;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An eval-mode batch norm that an inference convolution applies itself: with
 * s = gamma / sqrt(var + eps), BN(conv(x, w)) = conv(x, w * s) + (beta - mean * s), per output
 * channel. The arrays are the BN layer's live parameters.
 *
 * @param gamma scale, one per channel
 * @param beta shift
 * @param mean running mean
 * @param variance running variance (as stored, not its logarithm)
 * @param eps the BN's epsilon
 */
public record BatchNormFold(INDArray gamma, INDArray beta, INDArray mean, INDArray variance, double eps) {

  /**
   * The scale s = gamma / sqrt(var + eps) of one channel, in the arithmetic of DL4J's and PyTorch's
   * eval-mode BN (float parameters, the root in double, the quotient rounded to float); every
   * folded copy of the weights uses it, so they all hold the same floats.
   */
  public static float scale(float gamma, float variance, double eps) {
    return (float) (gamma / Math.sqrt(variance + eps));
  }

  /** The shift beta - mean * s of one channel (float arithmetic), s from {@link #scale}. */
  public static float shift(float beta, float mean, float scale) {
    return beta - mean * scale;
  }

  /** The four parameter arrays, in the order above. */
  INDArray[] arrays() {
    return new INDArray[] {gamma, beta, mean, variance};
  }
}
