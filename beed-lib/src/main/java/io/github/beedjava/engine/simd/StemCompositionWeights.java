package io.github.beedjava.engine.simd;

import io.github.beedjava.engine.layers.BatchNormFold;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The 5x5 kernels that {@link JavaStemComposition} applies to the network input: a linear stem
 * (3x3 convolution of C channels into 16, its BN folded, no ReLU) followed by a 3x3 convolution of
 * 16 channels into 16 (its BN folded) is one 5x5 convolution of C channels into 16, K = W2 * W1,
 * with bias b2 + sum(W2) b1.
 *
 * <p>That holds where all nine stem outputs the second convolution reads lie inside the map. At the
 * map's edge some of them are the second convolution's zero padding, not stem outputs, so their
 * terms (and their share of the stem's bias) drop out: there is one kernel and bias per edge case,
 * indexed by {@link #edgeCase}. Each is summed in double from the folded float weights (weights
 * times the BN's scale, as the other folded copies hold them) and rounded once. Remade only when the
 * sources' floats change, compared by content as {@link WinogradWeights} does.
 */
public final class StemCompositionWeights {
  /** Edge cases per axis: bit 0, the low neighbour lies outside the map; bit 1, the high one. */
  static final int CASES_PER_AXIS = 4;

  private List<float[]> sources;
  private double[] epsilons;
  private int channels;
  private float[] kernels = new float[0];
  private float[] bias = new float[0];
  private float[] columnKernels = new float[0];
  private float[] columnBias = new float[0];

  /**
   * Brings the kernels up to date.
   *
   * @param stemWeights [16, C, 3, 3] with 1 <= C <= {@link JavaStemComposition#MAX_CHANNELS}
   * @param stemFold the stem's folded BN, or null
   * @param weights [16, 16, 3, 3]: the convolution that reads the stem
   * @param fold its folded BN, or null
   * @throws IllegalArgumentException when a shape is not one of these
   */
  public void update(INDArray stemWeights, BatchNormFold stemFold, INDArray weights, BatchNormFold fold) {
    int out = JavaStemComposition.OUT;
    long[] stemShape = stemWeights.shape();
    if (stemShape.length != 4 || stemShape[0] != out || stemShape[1] < 1 || stemShape[1] > JavaStemComposition.MAX_CHANNELS
        || stemShape[2] != 3 || stemShape[3] != 3 || !Arrays.equals(weights.shape(), new long[] {out, out, 3, 3})) {
      throw new IllegalArgumentException("StemCompositionWeights: expected [16, C <= " + JavaStemComposition.MAX_CHANNELS
          + ", 3, 3] stem weights and [16, 16, 3, 3] weights, got " + Arrays.toString(stemShape) + " and "
          + Arrays.toString(weights.shape()));
    }
    List<float[]> now = new ArrayList<>();
    FoldedWeights.addSources(now, stemWeights, stemFold);
    FoldedWeights.addSources(now, weights, fold);
    double[] nowEps = {stemFold == null ? Double.NaN : stemFold.eps(), fold == null ? Double.NaN : fold.eps()};
    if (sources != null && Arrays.equals(nowEps, epsilons) && FoldedWeights.sameFloats(now, sources)) {
      return;
    }
    int c = (int) stemShape[1];
    float[][] stem = FoldedWeights.folded(now.get(0), stemFold == null ? null : now.subList(1, 5), stemFold, out, c * 9);
    float[][] second = FoldedWeights.folded(now.get(stemFold == null ? 1 : 5), fold == null ? null : now.subList(now.size() - 4, now.size()), fold, out, out * 9);
    compose(stem[0], stem[1], second[0], second[1], c);
    edgeColumns(c);
    channels = c;
    sources = now;
    epsilons = nowEps;
  }

  /** Fills the kernels and biases of every edge case from the folded stem (w1, b1) and second convolution (w2, b2). */
  private void compose(float[] w1, float[] b1, float[] w2, float[] b2, int c) {
    int out = JavaStemComposition.OUT;
    int cases = CASES_PER_AXIS * CASES_PER_AXIS;
    kernels = new float[cases * JavaStemComposition.TAPS * c * out];
    bias = new float[cases * out];
    for (int edge = 0; edge < cases; edge++) {
      int rows = edge / CASES_PER_AXIS;
      int columns = edge % CASES_PER_AXIS;
      for (int o = 0; o < out; o++) {
        double sum = b2[o];
        for (int dr = -1; dr <= 1; dr++) {
          for (int dc = -1; dc <= 1; dc++) {
            if (inside(rows, dr) && inside(columns, dc)) {
              for (int m = 0; m < out; m++) {
                sum += (double) w2[((o * out + m) * 3 + dr + 1) * 3 + dc + 1] * b1[m];
              }
            }
          }
        }
        bias[edge * out + o] = (float) sum;
      }
      for (int ur = -2; ur <= 2; ur++) {
        for (int uc = -2; uc <= 2; uc++) {
          int tap = (ur + 2) * 5 + uc + 2;
          for (int ch = 0; ch < c; ch++) {
            for (int o = 0; o < out; o++) {
              kernels[kernelIndex(edge, ch, tap, c) + o] =
                  (float) tap(w1, w2, c, rows, columns, ur, uc, ch, o);
            }
          }
        }
      }
    }
  }

  /**
   * For each edge case, its kernel's centre column and bias minus those of the case with the same
   * rows and no column outside: a map's first and last pixels of a row are the row's sum plus this
   * difference over the input column under them. (The two kernels also differ in the columns beside
   * it, but those lie outside the map, where the input is zero.)
   */
  private void edgeColumns(int c) {
    int out = JavaStemComposition.OUT;
    int cases = CASES_PER_AXIS * CASES_PER_AXIS;
    columnKernels = new float[cases * 5 * c * out];
    columnBias = new float[cases * out];
    for (int edge = 0; edge < cases; edge++) {
      int rowsOnly = edge / CASES_PER_AXIS * CASES_PER_AXIS;
      for (int o = 0; o < out; o++) {
        columnBias[edge * out + o] = bias[edge * out + o] - bias[rowsOnly * out + o];
      }
      for (int kr = 0; kr < 5; kr++) {
        int tap = kr * 5 + 2;
        for (int ch = 0; ch < c; ch++) {
          for (int o = 0; o < out; o++) {
            columnKernels[((edge * c + ch) * 5 + kr) * out + o] = kernels[kernelIndex(edge, ch, tap, c) + o]
                - kernels[kernelIndex(rowsOnly, ch, tap, c) + o];
          }
        }
      }
    }
  }

  /** Weight of input channel {@code ch} at offset (ur, uc) for output {@code o}: the sum over the stem outputs read that lie inside. */
  private static double tap(float[] w1, float[] w2, int c, int rows, int columns, int ur, int uc, int ch, int o) {
    int out = JavaStemComposition.OUT;
    double sum = 0;
    for (int dr = -1; dr <= 1; dr++) {
      for (int dc = -1; dc <= 1; dc++) {
        int sr = ur - dr;  // the stem's own offset, from the stem output at (dr, dc) to the input
        int sc = uc - dc;
        if (!inside(rows, dr) || !inside(columns, dc) || Math.abs(sr) > 1 || Math.abs(sc) > 1) {
          continue;
        }
        for (int m = 0; m < out; m++) {
          sum += (double) w2[((o * out + m) * 3 + dr + 1) * 3 + dc + 1] * w1[((m * c + ch) * 3 + sr + 1) * 3 + sc + 1];
        }
      }
    }
    return sum;
  }

  /** Whether the neighbour at offset {@code d} (-1, 0, 1) lies inside the map, for an axis in edge case {@code axisCase}. */
  private static boolean inside(int axisCase, int d) {
    return !(d < 0 && (axisCase & 1) != 0) && !(d > 0 && (axisCase & 2) != 0);
  }

  /** The edge case of a pixel at {@code i} on an axis of {@code size}: which of its neighbours fall outside. */
  static int axisCase(int i, int size) {
    return (i == 0 ? 1 : 0) | (i == size - 1 ? 2 : 0);
  }

  /** The edge case of pixel (i, j) of an h x w map, indexing {@link #kernels} and {@link #bias}. */
  static int edgeCase(int i, int j, int h, int w) {
    return axisCase(i, h) * CASES_PER_AXIS + axisCase(j, w);
  }

  /** Input channels of the stem. */
  int channels() {
    return channels;
  }

  /**
   * Where tap {@code tap} (5x5, row-major) of input channel {@code ch} of edge case {@code edge}
   * starts in {@link #kernels}, for {@code c} input channels: a channel's taps are consecutive
   * vectors, so the loops read a kernel row at constant offsets.
   */
  static int kernelIndex(int edge, int ch, int tap, int c) {
    return ((edge * c + ch) * JavaStemComposition.TAPS + tap) * JavaStemComposition.OUT;
  }

  /** K[edge case][input channel][tap (5x5, row-major)][16 outputs] ({@link #kernelIndex}). */
  float[] kernels() {
    return kernels;
  }

  /** Bias[edge case][16 outputs]. */
  float[] bias() {
    return bias;
  }

  /** The edge cases' differences from their rows' case over the centre column ({@link #edgeColumns}): [edge case][input channel][kernel row][16 outputs]. */
  float[] columnKernels() {
    return columnKernels;
  }

  /** The edge cases' bias differences from their rows' case: [edge case][16 outputs]. */
  float[] columnBias() {
    return columnBias;
  }
}
