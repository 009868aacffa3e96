package io.github.beedjava.engine.simd;

import java.nio.FloatBuffer;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ReLU's backward pass, dx = dy where x > 0 and 0 elsewhere, as a Java loop over ND4J's float
 * buffers in chunks ({@link VectorKernels} in place where the JVM has the Vector API, else copies
 * into Java arrays). libnd4j's {@code relu_bp} calls a {@code std::function} per element, which
 * made it about 6 % of a width-1/4 training step (bench/HISTORY.md).
 */
public final class JavaReluBackward {
  private JavaReluBackward() {}

  /** Elements per task: large enough to amortise the copies, small enough to stay in L2. */
  static final int CHUNK = 1 << 14;

  private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[][] {new float[CHUNK], new float[CHUNK]});

  /**
   * Writes dy masked by x > 0 into dx.
   *
   * @return false, having written nothing, when the arrays are not dense float arrays of one shape
   *     on the CPU (the caller then runs the native op)
   */
  public static boolean apply(INDArray x, INDArray dy, INDArray dx) {
    return apply(x, dy, dx, HostFloats.vectorApi());
  }

  /** {@link #apply(INDArray, INDArray, INDArray)} with the Vector API loop (needs {@link HostFloats#vectorApi()}) or the scalar one. */
  public static boolean apply(INDArray x, INDArray dy, INDArray dx, boolean vector) {
    if (vector) {
      HostFloats.requireVectorApi("JavaReluBackward");
    }
    if (!Nd4j.getEnvironment().isCPU() || !HostFloats.isDense(x) || !HostFloats.isDense(dy) || !HostFloats.isDense(dx)
        || !x.equalShapes(dy) || !x.equalShapes(dx) || x.length() > Integer.MAX_VALUE) {
      return false;
    }
    if (vector) {
      VectorKernels.reluBackward(HostFloats.bytes(x), HostFloats.byteOffset(x), HostFloats.bytes(dy), HostFloats.byteOffset(dy),
          HostFloats.bytes(dx), HostFloats.byteOffset(dx), (int) x.length());
      HostFloats.keepAlive(x, dy, dx);
      return true;
    }
    FloatBuffer xs = HostFloats.buffer(x);
    FloatBuffer es = HostFloats.buffer(dy);
    FloatBuffer out = HostFloats.buffer(dx);
    int length = (int) x.length();
    int chunks = (length + CHUNK - 1) / CHUNK;
    IntStream range = IntStream.range(0, chunks);
    (chunks > 1 ? range.parallel() : range).forEach(k -> {
      int start = k * CHUNK;
      int len = Math.min(CHUNK, length - start);
      float[][] scratch = SCRATCH.get();
      float[] xv = scratch[0];
      float[] ev = scratch[1];
      xs.get(start, xv, 0, len);
      es.get(start, ev, 0, len);
      // Branch-free (signs are random, a branch mispredicts half the time): the mask is all ones
      // exactly when x's bits are a positive int, i.e. x > 0 (not +0, -0 or any negative).
      for (int j = 0; j < len; j++) {
        int bits = Float.floatToRawIntBits(xv[j]);
        int mask = ((-bits) & ~bits) >> 31;
        ev[j] = Float.intBitsToFloat(Float.floatToRawIntBits(ev[j]) & mask);
      }
      out.put(start, ev, 0, len);
    });
    HostFloats.keepAlive(x, dy, dx);
    return true;
  }
}
