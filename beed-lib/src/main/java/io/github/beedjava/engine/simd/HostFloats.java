package io.github.beedjava.engine.simd;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

/** Direct access to the host memory of dense float ND4J arrays, for the Java loops of this package. */
public final class HostFloats {
  private HostFloats() {}

  /** True for a float array in C order with default strides (its elements are one contiguous run). */
  public static boolean isDense(INDArray a) {
    return a.dataType() == DataType.FLOAT && a.ordering() == 'c' && Shape.hasDefaultStridesForShape(a);
  }

  /**
   * True for float data laid out densely in C order, dimensions of size 1 whatever their stride
   * (ND4J gives [N, 1, 1, C] strides that {@link #isDense} does not count as its default, and
   * DL4J's bias rows are F-order [1, C] arrays, the same memory as C order).
   */
  public static boolean isContiguous(INDArray a) {
    if (a == null || a.dataType() != DataType.FLOAT) {
      return false;
    }
    long expected = 1;
    int longDimensions = 0;
    for (int d = a.rank() - 1; d >= 0; d--) {
      if (a.size(d) != 1) {
        longDimensions++;
        if (a.stride(d) != expected) {
          return false;
        }
      }
      expected *= a.size(d);
    }
    return a.ordering() == 'c' || longDimensions <= 1;
  }

  /** Whether {@link VectorKernels} can run in this JVM (see {@link io.github.beedjava.engine.simd.VectorApi}). */
  public static boolean vectorApi() {
    return io.github.beedjava.engine.simd.VectorApi.available();
  }

  /** Whether a {@link VectorKernels} loop can run over {@code a}: the Vector API is on, ND4J runs on the CPU, {@code a} is dense. */
  static boolean vectorLoopTakes(INDArray a) {
    return vectorLoopsRun() && isDense(a);
  }

  /** Whether {@link VectorKernels} loops can run at all: the Vector API is on and ND4J runs on the CPU. */
  static boolean vectorLoopsRun() {
    return vectorApi() && org.nd4j.linalg.factory.Nd4j.getEnvironment().isCPU();
  }

  /** Throws, naming {@code who} and the JVM flag, unless {@link #vectorApi()}. */
  static void requireVectorApi(String who) {
    if (!vectorApi()) {
      throw new IllegalStateException(who + ": the Vector API is not available; start the JVM with "
          + "--add-modules jdk.incubator.vector (and without -D" + io.github.beedjava.engine.simd.VectorApi.PROPERTY + "=false)");
    }
  }

  /** The native memory of the array's data buffer as bytes; element 0 of the array is at {@link #byteOffset}. */
  static ByteBuffer bytes(INDArray a) {
    return a.data().asNio();
  }

  /** Byte offset of the array's first element in {@link #bytes}. */
  static int byteOffset(INDArray a) {
    long offset = a.offset() * Float.BYTES;
    if (offset + a.length() * Float.BYTES > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("HostFloats: arrays beyond 2 GiB are not supported here, got " + a.length() + " floats");
    }
    return (int) offset;
  }

  /**
   * The elements of a small float array (a BN's per-channel parameters) in one bulk copy from its
   * memory where it is dense; else ND4J's {@code toFloatVector}, which goes element by element.
   */
  static float[] read(INDArray a) {
    if (!isDense(a) && !isContiguousVector(a)) {
      return a.toFloatVector();
    }
    float[] out = new float[(int) a.length()];
    buffer(a).get(out);
    keepAlive(a);
    return out;
  }

  /**
   * Keeps the arrays reachable up to this call. The views handed out here (and raw addresses
   * handed to oneDNN) do not reference the array, so without this fence an array its caller no
   * longer uses, a temporary output error say, could be collected and its memory freed by ND4J
   * while a loop or a native call still reads it. Call it after the last use of the memory.
   */
  public static void keepAlive(Object... arrays) {
    java.lang.ref.Reference.reachabilityFence(arrays);
  }

  /** Writes {@code values} into {@code target} (same length) in one bulk copy where it is dense. */
  static void write(float[] values, INDArray target) {
    if (target.length() != values.length) {
      throw new IllegalArgumentException("HostFloats: " + values.length + " values for an array of " + target.length());
    }
    if (isDense(target) || isContiguousVector(target)) {
      buffer(target).put(values);
      keepAlive(target);
    } else {
      target.assign(org.nd4j.linalg.factory.Nd4j.createFromArray(values).reshape(target.shape()));
    }
  }

  /** A float vector (rank 1, or [1, n] / [n, 1] in either order) whose elements are adjacent in memory. */
  private static boolean isContiguousVector(INDArray a) {
    return a.dataType() == DataType.FLOAT && (a.rank() == 1 || (a.rank() == 2 && (a.size(0) == 1 || a.size(1) == 1)))
        && (a.length() == 1 || a.elementWiseStride() == 1);
  }

  /** The array's elements as a buffer indexed from 0 (the array's offset applied). */
  public static FloatBuffer buffer(INDArray a) {
    FloatBuffer b = a.data().asNioFloat();
    return a.offset() == 0 ? b : b.position((int) a.offset()).slice();
  }
}
