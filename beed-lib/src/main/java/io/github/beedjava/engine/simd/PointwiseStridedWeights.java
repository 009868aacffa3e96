package io.github.beedjava.engine.simd;

import io.github.beedjava.engine.layers.BatchNormFold;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The weights {@link JavaPointwiseStrided} runs: both convolutions' weights times their BN's scale
 * (as every folded copy holds them, {@link BatchNormFold#scale}) and the BN's shift as bias, laid
 * out for its loops: the 1x1 weights by input channel ([16][32]), the stride-2 weights by kernel
 * row, column and input channel ([3][3][32][32]). Remade only when the sources' floats change,
 * compared by content as {@link WinogradWeights} does.
 */
public final class PointwiseStridedWeights {
  private static final int IN = JavaPointwiseStrided.IN;
  private static final int OUT = JavaPointwiseStrided.OUT;

  private List<float[]> sources;
  private double[] epsilons;
  private float[] pointwise = new float[IN * OUT];
  private float[] pointwiseBias = new float[OUT];
  private float[] strided = new float[9 * OUT * OUT];
  private float[] stridedBias = new float[OUT];

  /**
   * Brings the weights up to date.
   *
   * @param pointwiseWeights [32, 16, 1, 1]
   * @param pointwiseFold the 1x1 convolution's folded BN, or null
   * @param stridedWeights [32, 32, 3, 3]
   * @param stridedFold the stride-2 convolution's folded BN, or null
   * @throws IllegalArgumentException when a shape is not one of these
   */
  public void update(INDArray pointwiseWeights, BatchNormFold pointwiseFold, INDArray stridedWeights, BatchNormFold stridedFold) {
    if (!Arrays.equals(pointwiseWeights.shape(), new long[] {OUT, IN, 1, 1})
        || !Arrays.equals(stridedWeights.shape(), new long[] {OUT, OUT, 3, 3})) {
      throw new IllegalArgumentException("PointwiseStridedWeights: expected [32, 16, 1, 1] and [32, 32, 3, 3] weights, got "
          + Arrays.toString(pointwiseWeights.shape()) + " and " + Arrays.toString(stridedWeights.shape()));
    }
    List<float[]> now = new ArrayList<>();
    FoldedWeights.addSources(now, pointwiseWeights, pointwiseFold);
    FoldedWeights.addSources(now, stridedWeights, stridedFold);
    double[] nowEps = {pointwiseFold == null ? Double.NaN : pointwiseFold.eps(), stridedFold == null ? Double.NaN : stridedFold.eps()};
    if (sources != null && Arrays.equals(nowEps, epsilons) && FoldedWeights.sameFloats(now, sources)) {
      return;
    }
    int second = pointwiseFold == null ? 1 : 5;
    float[][] first = FoldedWeights.folded(now.get(0), pointwiseFold == null ? null : now.subList(1, 5), pointwiseFold, OUT, IN);
    float[][] last = FoldedWeights.folded(now.get(second), stridedFold == null ? null : now.subList(second + 1, second + 5), stridedFold, OUT, OUT * 9);
    float[] w1 = new float[IN * OUT];
    for (int o = 0; o < OUT; o++) {
      for (int c = 0; c < IN; c++) {
        w1[c * OUT + o] = first[0][o * IN + c];
      }
    }
    float[] w2 = new float[9 * OUT * OUT];
    for (int o = 0; o < OUT; o++) {
      for (int c = 0; c < OUT; c++) {
        for (int tap = 0; tap < 9; tap++) {
          w2[(tap * OUT + c) * OUT + o] = last[0][(o * OUT + c) * 9 + tap];
        }
      }
    }
    pointwise = w1;
    pointwiseBias = first[1];
    strided = w2;
    stridedBias = last[1];
    sources = now;
    epsilons = nowEps;
  }

  /** The 1x1 weights, [16][32]. */
  float[] pointwise() {
    return pointwise;
  }

  /** The 1x1 convolution's bias, [32]. */
  float[] pointwiseBias() {
    return pointwiseBias;
  }

  /** The stride-2 weights, [3][3][32][32] (kernel row, column, input channel, output channel). */
  float[] strided() {
    return strided;
  }

  /** The stride-2 convolution's bias, [32]. */
  float[] stridedBias() {
    return stridedBias;
  }
}
