package io.github.beedjava.engine.simd;

import io.github.beedjava.engine.layers.BatchNormFold;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The weights {@link JavaExitBlock} runs: the three convolutions' weights times their BN's scale
 * (as every folded copy holds them, {@link BatchNormFold#scale}) and the BN's shift as bias, laid
 * out for its loops: the 1x1 weights by input channel ([16][32] and [32][32]), the stride-2 weights
 * by kernel row, column and input channel ([3][3][32][32]). Remade only when the sources' floats
 * change, compared by content as {@link WinogradWeights} does.
 */
public final class ExitBlockWeights {
  private static final int IN = JavaExitBlock.IN;
  private static final int OUT = JavaExitBlock.OUT;

  private List<float[]> sources;
  private double[] epsilons;
  private float[] pointwise = new float[IN * OUT];
  private float[] pointwiseBias = new float[OUT];
  private float[] strided = new float[9 * OUT * OUT];
  private float[] stridedBias = new float[OUT];
  private float[] closing = new float[OUT * OUT];
  private float[] closingBias = new float[OUT];

  /**
   * Brings the weights up to date.
   *
   * @param pointwiseWeights [32, 16, 1, 1]
   * @param pointwiseFold the 1x1 convolution's folded BN, or null
   * @param stridedWeights [32, 32, 3, 3]
   * @param stridedFold the stride-2 convolution's folded BN, or null
   * @param closingWeights [32, 32, 1, 1]
   * @param closingFold the closing 1x1 convolution's folded BN, or null
   * @throws IllegalArgumentException when a shape is not one of these
   */
  public void update(INDArray pointwiseWeights, BatchNormFold pointwiseFold, INDArray stridedWeights, BatchNormFold stridedFold,
      INDArray closingWeights, BatchNormFold closingFold) {
    if (!Arrays.equals(pointwiseWeights.shape(), new long[] {OUT, IN, 1, 1})
        || !Arrays.equals(stridedWeights.shape(), new long[] {OUT, OUT, 3, 3})
        || !Arrays.equals(closingWeights.shape(), new long[] {OUT, OUT, 1, 1})) {
      throw new IllegalArgumentException("ExitBlockWeights: expected [32, 16, 1, 1], [32, 32, 3, 3] and [32, 32, 1, 1] weights, got "
          + Arrays.toString(pointwiseWeights.shape()) + ", " + Arrays.toString(stridedWeights.shape()) + " and "
          + Arrays.toString(closingWeights.shape()));
    }
    List<float[]> now = new ArrayList<>();
    int[] starts = new int[3];  // where each convolution's sources begin in the list
    FoldedWeights.addSources(now, pointwiseWeights, pointwiseFold);
    starts[1] = now.size();
    FoldedWeights.addSources(now, stridedWeights, stridedFold);
    starts[2] = now.size();
    FoldedWeights.addSources(now, closingWeights, closingFold);
    BatchNormFold[] folds = {pointwiseFold, stridedFold, closingFold};
    double[] nowEps = new double[folds.length];
    for (int i = 0; i < folds.length; i++) {
      nowEps[i] = folds[i] == null ? Double.NaN : folds[i].eps();
    }
    if (sources != null && Arrays.equals(nowEps, epsilons) && FoldedWeights.sameFloats(now, sources)) {
      return;
    }
    float[][] first = folded(now, starts[0], pointwiseFold, IN);
    float[][] second = folded(now, starts[1], stridedFold, OUT * 9);
    float[][] third = folded(now, starts[2], closingFold, OUT);
    float[] w2 = new float[9 * OUT * OUT];
    for (int o = 0; o < OUT; o++) {
      for (int c = 0; c < OUT; c++) {
        for (int tap = 0; tap < 9; tap++) {
          w2[(tap * OUT + c) * OUT + o] = second[0][(o * OUT + c) * 9 + tap];
        }
      }
    }
    pointwise = byInputChannel(first[0], IN);
    pointwiseBias = first[1];
    strided = w2;
    stridedBias = second[1];
    closing = byInputChannel(third[0], OUT);
    closingBias = third[1];
    sources = now;
    epsilons = nowEps;
  }

  /** One convolution's folded weights and bias, its sources from {@code start} in {@code sources}. */
  private static float[][] folded(List<float[]> sources, int start, BatchNormFold fold, int perOutput) {
    return FoldedWeights.folded(sources.get(start), fold == null ? null : sources.subList(start + 1, start + 5), fold, OUT, perOutput);
  }

  /** 1x1 weights [32][in] as [in][32]. */
  private static float[] byInputChannel(float[] weights, int in) {
    float[] w = new float[in * OUT];
    for (int o = 0; o < OUT; o++) {
      for (int c = 0; c < in; c++) {
        w[c * OUT + o] = weights[o * in + c];
      }
    }
    return w;
  }

  /** The first 1x1 weights, [16][32] (input channel, output channel). */
  float[] pointwise() {
    return pointwise;
  }

  /** The first 1x1 convolution's bias, [32]. */
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

  /** The closing 1x1 weights, [32][32] (input channel, output channel). */
  float[] closing() {
    return closing;
  }

  /** The closing 1x1 convolution's bias, [32]. */
  float[] closingBias() {
    return closingBias;
  }
}
