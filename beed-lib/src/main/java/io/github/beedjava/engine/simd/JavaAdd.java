package io.github.beedjava.engine.simd;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A residual sum, and optionally the ReLU after it, max(a + b, 0), as one Vector API pass over
 * ND4J's float memory: ND4J's add and then its ReLU read and write the map twice, and its add alone
 * took 1.1–1.7x this pass's time at WRN16-4's map shapes (bench/HISTORY.md, "Sixteenth pass").
 */
public final class JavaAdd {
  private JavaAdd() {}

  /**
   * Writes a + b, or max(a + b, 0) with {@code relu}, into {@code y} (all three one shape; y may be
   * a or b itself). The sums are the float sums ND4J's add writes, bit for bit.
   *
   * @return false, having written nothing, when the Vector API is off or an array is not a dense
   *     float array on the CPU of that shape (the caller then runs ND4J ops)
   */
  public static boolean apply(INDArray a, INDArray b, INDArray y, boolean relu) {
    if (!HostFloats.vectorLoopTakes(a) || !HostFloats.vectorLoopTakes(b) || !HostFloats.vectorLoopTakes(y)
        || !a.equalShapes(b) || !a.equalShapes(y) || a.length() > Integer.MAX_VALUE) {
      return false;
    }
    VectorKernels.add(HostFloats.bytes(a), HostFloats.byteOffset(a), HostFloats.bytes(b), HostFloats.byteOffset(b),
        HostFloats.bytes(y), HostFloats.byteOffset(y), (int) a.length(), relu);
    HostFloats.keepAlive(a, b, y);
    return true;
  }
}
