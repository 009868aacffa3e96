package io.github.beedjava.engine.layout;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Test helper: NCHW maps to and from oneDNN's blocked order ({@code nChw16c} or {@code nChw8c}). */
public final class BlockedArrays {
  private BlockedArrays() {}

  /** The same values in the blocked order, as a float array of the same logical shape. */
  public static INDArray toBlocked(INDArray nchw) {
    return reorder(nchw, true);
  }

  /** The inverse of {@link #toBlocked}: a blocked map's values in NCHW order. */
  public static INDArray toNchw(INDArray blocked) {
    return reorder(blocked, false);
  }

  private static INDArray reorder(INDArray map, boolean toBlocked) {
    int n = (int) map.size(0);
    int c = (int) map.size(1);
    int hw = (int) (map.size(2) * map.size(3));
    float[] in = map.dup('c').data().asFloat();
    float[] out = new float[in.length];
    int block = BlockedActivations.BLOCK;
    for (int i = 0; i < n; i++) {
      for (int ch = 0; ch < c; ch++) {
        for (int p = 0; p < hw; p++) {
          int nchw = (i * c + ch) * hw + p;
          int blocked = ((i * (c / block) + ch / block) * hw + p) * block + ch % block;
          if (toBlocked) {
            out[blocked] = in[nchw];
          } else {
            out[nchw] = in[blocked];
          }
        }
      }
    }
    return Nd4j.createFromArray(out).reshape(map.shape());
  }
}
