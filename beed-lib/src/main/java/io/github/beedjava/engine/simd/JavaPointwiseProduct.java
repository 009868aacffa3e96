package io.github.beedjava.engine.simd;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A 1x1 convolution over 1x1 maps (squeeze-excitation's) as rows of dot products with the Vector
 * API: y = x·wᵀ + bias. ND4J's GEMM into a C-order result copies it once more, and its broadcast
 * bias add makes shape buffers at every call; at these sizes (a batch of a few hundred channels)
 * the calls cost more than the arithmetic.
 */
public final class JavaPointwiseProduct {
  private JavaPointwiseProduct() {}

  /**
   * Writes x·wᵀ + bias into {@code y}.
   *
   * @param x [N, C] elements in C order (any shape with them, e.g. [N, 1, 1, C])
   * @param w [O, C] elements in C order (e.g. DL4J's [O, C, 1, 1] weights)
   * @param bias O elements, or null
   * @param y [N, O] elements in C order
   * @return false, having written nothing, when the Vector API is off or an array is not contiguous
   *     float memory of those sizes (the caller then runs ND4J)
   */
  public static boolean apply(INDArray x, INDArray w, INDArray bias, INDArray y, long samples, long channels, long outputs) {
    if (!HostFloats.vectorLoopsRun() || !HostFloats.isContiguous(x) || !HostFloats.isContiguous(w) || !HostFloats.isContiguous(y)
        || (bias != null && !HostFloats.isContiguous(bias))
        || x.length() != samples * channels || w.length() != outputs * channels || y.length() != samples * outputs
        || (bias != null && bias.length() != outputs) || x.length() > Integer.MAX_VALUE || w.length() > Integer.MAX_VALUE) {
      return false;
    }
    VectorKernels.timesTransposedPlusBias(HostFloats.bytes(x), HostFloats.byteOffset(x), HostFloats.bytes(w),
        HostFloats.byteOffset(w), bias == null ? null : HostFloats.bytes(bias), bias == null ? 0 : HostFloats.byteOffset(bias),
        HostFloats.bytes(y), HostFloats.byteOffset(y), (int) samples, (int) channels, (int) outputs);
    HostFloats.keepAlive(x, w, bias, y);
    return true;
  }
}
