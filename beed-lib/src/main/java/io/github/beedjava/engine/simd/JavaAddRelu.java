package io.github.beedjava.engine.simd;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A residual sum and the ReLU after it, max(a + b, 0), as one Vector API pass over ND4J's float
 * memory: ND4J's add and then its ReLU read and write the map twice.
 */
public final class JavaAddRelu {
  private JavaAddRelu() {}

  /**
   * Writes max(a + b, 0) into {@code y} (all three one shape; y may be a or b itself).
   *
   * @return false, having written nothing, when the Vector API is off or an array is not a dense
   *     float array on the CPU of that shape (the caller then runs ND4J ops)
   */
  public static boolean apply(INDArray a, INDArray b, INDArray y) {
    if (!HostFloats.vectorLoopTakes(a) || !HostFloats.vectorLoopTakes(b) || !HostFloats.vectorLoopTakes(y)
        || !a.equalShapes(b) || !a.equalShapes(y) || a.length() > Integer.MAX_VALUE) {
      return false;
    }
    VectorKernels.addRelu(HostFloats.bytes(a), HostFloats.byteOffset(a), HostFloats.bytes(b), HostFloats.byteOffset(b),
        HostFloats.bytes(y), HostFloats.byteOffset(y), (int) a.length());
    HostFloats.keepAlive(a, b, y);
    return true;
  }
}
