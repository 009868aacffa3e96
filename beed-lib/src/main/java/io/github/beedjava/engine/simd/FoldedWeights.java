package io.github.beedjava.engine.simd;

import io.github.beedjava.engine.layers.BatchNormFold;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the Java kernels' weight holders ({@link StemCompositionWeights}, {@link ExitBlockWeights})
 * share: the floats they are made from, compared by content to know when to remake them, and a
 * convolution's weights with its BN folded in.
 */
final class FoldedWeights {
  private FoldedWeights() {}

  /** Appends a convolution's weights, then its BN's gamma, beta, mean and variance when it folds one, to {@code to}. */
  static void addSources(List<float[]> to, INDArray weights, BatchNormFold fold) {
    to.add(HostFloats.read(weights.reshape(new long[] {weights.length()})));  // a [16, 1, 3, 3] view is not "dense" by its strides
    if (fold != null) {
      to.add(HostFloats.read(fold.gamma()));
      to.add(HostFloats.read(fold.beta()));
      to.add(HostFloats.read(fold.mean()));
      to.add(HostFloats.read(fold.variance()));
    }
  }

  /** Whether two lists of sources hold the same floats. */
  static boolean sameFloats(List<float[]> a, List<float[]> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!Arrays.equals(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  /**
   * {folded weights [outputs][perOutput], bias [outputs]}: the weights times the BN's scale, and the
   * BN's shift ({@link BatchNormFold#scale}, {@link BatchNormFold#shift}); unchanged weights and zeros without a BN.
   *
   * @param bn the BN's gamma, beta, mean and variance as {@link #addSources} read them, or null
   */
  static float[][] folded(float[] w, List<float[]> bn, BatchNormFold fold, int outputs, int perOutput) {
    float[] weights = new float[w.length];
    float[] shift = new float[outputs];
    for (int k = 0; k < outputs; k++) {
      float scale = bn == null ? 1f : BatchNormFold.scale(bn.get(0)[k], bn.get(3)[k], fold.eps());
      shift[k] = bn == null ? 0f : BatchNormFold.shift(bn.get(1)[k], bn.get(2)[k], scale);
      for (int i = 0; i < perOutput; i++) {
        weights[k * perOutput + i] = w[k * perOutput + i] * scale;
      }
    }
    return new float[][] {weights, shift};
  }
}
