package io.github.beedjava.engine.simd;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A residual sum and the ReLU after it, max(a + b, 0), as one Vector API pass over ND4J's float
 * memory: as two ops they read and write the map twice.
 */
public final class JavaSumRelu {
  private JavaSumRelu() {}

  /**
   * Writes max(a + b, 0) into {@code out}.
   *
   * @return false, having written nothing, when the Vector API is off or the arrays are not dense
   *     float arrays of one shape on the CPU (the caller then runs ND4J ops)
   */
  public static boolean apply(INDArray a, INDArray b, INDArray out) {
    if (!HostFloats.vectorApi() || !Nd4j.getEnvironment().isCPU() || !HostFloats.isDense(a) || !HostFloats.isDense(b)
        || !HostFloats.isDense(out) || !a.equalShapes(b) || !a.equalShapes(out) || a.length() > Integer.MAX_VALUE) {
      return false;
    }
    VectorKernels.sumRelu(HostFloats.bytes(a), HostFloats.byteOffset(a), HostFloats.bytes(b), HostFloats.byteOffset(b),
        HostFloats.bytes(out), HostFloats.byteOffset(out), (int) a.length());
    HostFloats.keepAlive(a, b, out);
    return true;
  }
}
