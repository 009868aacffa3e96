package io.github.beedjava.engine.simd;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The per-channel mean of an NHWC map (squeeze-excitation's pooling in a channels-last inference
 * copy) as one Vector API pass: ND4J's mean over dimensions 1 and 2 walks the map with a stride of
 * C and took 9 % of EfficientNetB0's inference (bench/HISTORY.md, "Fifteenth pass").
 */
public final class JavaChannelsLastMean {
  private JavaChannelsLastMean() {}

  /**
   * Writes the mean of {@code x} [N, H, W, C] over H and W into {@code y} ([N, C] elements in C
   * order, e.g. [N, 1, 1, C]).
   *
   * @return false, having written nothing, when the Vector API is off or an array is not a dense
   *     float array on the CPU of those sizes (the caller then runs ND4J's mean)
   */
  public static boolean apply(INDArray x, INDArray y) {
    if (!HostFloats.vectorLoopTakes(x) || !HostFloats.isContiguous(y) || x.rank() != 4 || x.length() > Integer.MAX_VALUE
        || y.length() != x.size(0) * x.size(3)) {
      return false;
    }
    VectorKernels.channelsLastMean(HostFloats.bytes(x), HostFloats.byteOffset(x), HostFloats.bytes(y), HostFloats.byteOffset(y),
        (int) x.size(0), (int) (x.size(1) * x.size(2)), (int) x.size(3));
    HostFloats.keepAlive(x, y);
    return true;
  }
}
