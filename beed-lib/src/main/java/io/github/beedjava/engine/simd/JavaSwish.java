package io.github.beedjava.engine.simd;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Swish and its derivative as one Vector API pass over ND4J's float memory each. Composed of ND4J
 * ops they took a sigmoid copy and two (forward) or five (backward) more passes, about a fifth of
 * an EfficientNetB0 training step at width 1/4 (bench/HISTORY.md, "Eighth pass").
 */
public final class JavaSwish {
  private JavaSwish() {}

  /**
   * Replaces {@code x} by x·σ(x).
   *
   * @return false, having written nothing, when the Vector API is off or {@code x} is not a dense
   *     float array on the CPU (the caller then runs ND4J ops)
   */
  public static boolean forwardInPlace(INDArray x) {
    if (!usable(x) || x.length() > Integer.MAX_VALUE) {
      return false;
    }
    VectorKernels.swishForward(HostFloats.bytes(x), HostFloats.byteOffset(x), HostFloats.bytes(x), HostFloats.byteOffset(x),
        (int) x.length());
    HostFloats.keepAlive(x);
    return true;
  }

  /**
   * Replaces {@code x} by dy·σ(x)·(1 + x·(1 − σ(x))), the gradient of swish's input.
   *
   * @return false, having written nothing, under the conditions of {@link #forwardInPlace} or when
   *     {@code dy} differs in shape or is not dense
   */
  public static boolean backwardInPlace(INDArray x, INDArray dy) {
    if (!usable(x) || !usable(dy) || !x.equalShapes(dy) || x.length() > Integer.MAX_VALUE) {
      return false;
    }
    VectorKernels.swishBackward(HostFloats.bytes(x), HostFloats.byteOffset(x), HostFloats.bytes(dy), HostFloats.byteOffset(dy),
        HostFloats.bytes(x), HostFloats.byteOffset(x), (int) x.length());
    HostFloats.keepAlive(x, dy);
    return true;
  }

  private static boolean usable(INDArray a) {
    return HostFloats.vectorApi() && Nd4j.getEnvironment().isCPU() && HostFloats.isDense(a);
  }
}
