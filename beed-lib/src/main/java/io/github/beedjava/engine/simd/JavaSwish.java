package io.github.beedjava.engine.simd;

import org.nd4j.linalg.api.ndarray.INDArray;

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
    return forward(x, x);
  }

  /**
   * Writes x·σ(x) into {@code y} (same shape, may be {@code x} itself).
   *
   * @return false, having written nothing, under the conditions of {@link #forwardInPlace} or when
   *     {@code y} differs in shape or is not dense
   */
  public static boolean forward(INDArray x, INDArray y) {
    if (!HostFloats.vectorLoopTakes(x) || !HostFloats.vectorLoopTakes(y) || !x.equalShapes(y) || x.length() > Integer.MAX_VALUE) {
      return false;
    }
    VectorKernels.swishForward(HostFloats.bytes(x), HostFloats.byteOffset(x), HostFloats.bytes(y), HostFloats.byteOffset(y),
        (int) x.length());
    HostFloats.keepAlive(x, y);
    return true;
  }

  /**
   * Writes dy·σ(x)·(1 + x·(1 − σ(x))), the gradient of swish's input, into {@code dx} (same shape,
   * may be {@code x} or {@code dy} itself).
   *
   * @return false, having written nothing, under the conditions of {@link #forward}
   */
  public static boolean backward(INDArray x, INDArray dy, INDArray dx) {
    if (!HostFloats.vectorLoopTakes(x) || !HostFloats.vectorLoopTakes(dy) || !HostFloats.vectorLoopTakes(dx)
        || !x.equalShapes(dy) || !x.equalShapes(dx) || x.length() > Integer.MAX_VALUE) {
      return false;
    }
    VectorKernels.swishBackward(HostFloats.bytes(x), HostFloats.byteOffset(x), HostFloats.bytes(dy), HostFloats.byteOffset(dy),
        HostFloats.bytes(dx), HostFloats.byteOffset(dx), (int) x.length());
    HostFloats.keepAlive(x, dy, dx);
    return true;
  }

  /**
   * Replaces {@code x} by dy·σ(x)·(1 + x·(1 − σ(x))), the gradient of swish's input.
   *
   * @return false, having written nothing, under the conditions of {@link #forwardInPlace} or when
   *     {@code dy} differs in shape or is not dense
   */
  public static boolean backwardInPlace(INDArray x, INDArray dy) {
    return backward(x, dy, x);
  }
}
