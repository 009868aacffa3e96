package io.github.beedjava.engine.simd;

import io.github.beedjava.engine.layers.BatchNormFold;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A linear stem's weights as {@link JavaWinograd} reads them when it computes the stem as the first
 * residual block's shortcut ({@link JavaWinograd#forwardWithStem}): the 3x3 convolution of C
 * channels into 16 with its BN folded in (weights times the BN's scale, bias its shift: the floats
 * of every other folded copy), one vector of 16 outputs per input channel and tap. Remade only when
 * the sources' floats change, compared by content as {@link WinogradWeights} does.
 */
public final class StemShortcutWeights {
  private List<float[]> sources;
  private double eps = Double.NaN;
  private int channels;
  private float[] taps = new float[0];
  private float[] bias = new float[0];

  /**
   * Brings the copy up to date.
   *
   * @param weights the stem's [16, C, 3, 3] weights, 1 <= C <= {@link JavaStemComposition#MAX_CHANNELS}
   * @param fold the stem's folded BN, or null
   * @throws IllegalArgumentException when the weights have another shape
   */
  public void update(INDArray weights, BatchNormFold fold) {
    int out = JavaWinograd.CHANNELS;
    long[] shape = weights.shape();
    if (shape.length != 4 || shape[0] != out || shape[1] < 1 || shape[1] > JavaStemComposition.MAX_CHANNELS
        || shape[2] != 3 || shape[3] != 3) {
      throw new IllegalArgumentException("StemShortcutWeights: expected [16, C <= " + JavaStemComposition.MAX_CHANNELS
          + ", 3, 3] stem weights, got " + Arrays.toString(shape));
    }
    List<float[]> now = new ArrayList<>();
    FoldedWeights.addSources(now, weights, fold);
    double nowEps = fold == null ? Double.NaN : fold.eps();
    if (sources != null && Double.compare(nowEps, eps) == 0 && FoldedWeights.sameFloats(now, sources)) {
      return;
    }
    int c = (int) shape[1];
    float[][] folded = FoldedWeights.folded(now.get(0), fold == null ? null : now.subList(1, 5), fold, out, c * 9);
    taps = new float[c * 9 * out];
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < c * 9; i++) {
        taps[i * out + o] = folded[0][o * c * 9 + i];
      }
    }
    bias = folded[1];
    channels = c;
    sources = now;
    eps = nowEps;
  }

  /** Input channels of the stem. */
  int channels() {
    return channels;
  }

  /** W[input channel][kernel row][kernel column][16 outputs]: tap (c, i, j) starts at ((c * 3 + i) * 3 + j) * 16. */
  float[] taps() {
    return taps;
  }

  /** The folded BN's shift per output (zeros without a BN). */
  float[] bias() {
    return bias;
  }
}
