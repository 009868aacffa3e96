package io.github.beedjava.engine.simd;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The convolution after a linear stem, computed from the network input: y = relu?(K * x + bias) with
 * the 5x5 kernels of {@link StemCompositionWeights}, in Vector API loops.
 *
 * <p>Why: in ResNet18/34 at width 1/4 with the official stem (no ReLU after its BN), the first
 * block's first convolution reads only the stem's 16 channels, so with the stem it is one 5x5
 * convolution of the image's C channels: 25 C multiply-adds per output channel and pixel, where the
 * 16-channel 3x3 layer needs 144 (36 by Winograd, whose transforms cost more than its products).
 * The layer is in the first segment, which early exit runs for every image.
 *
 * <p>Loops: each thread takes whole images. An image is first copied into a zero-bordered scratch
 * (2 pixels on each side), so every 5x5 window reads in bounds; each output row is then computed 8
 * pixels at a time, one 16-channel vector each, as broadcast FMAs over the 25 taps and C channels.
 * Pixels on the map's edge are computed again with their edge case's kernel. Layout: x is the
 * network input ([N][C][H][W], or [N][H][W][C] for channels-last graphs); y is [N][H][W][16], both
 * oneDNN's blocked layout for 16 channels and NHWC.
 *
 * <p>Rounding: the composed sum rounds differently from the stem and the convolution computed in
 * turn, by about 1e-6 of the output's scale. Determinism: each image is computed by the same
 * operations whichever thread runs it.
 */
public final class JavaStemComposition {
  /** System property that, set to {@code false}, runs the stem and the convolution in turn (for comparisons). */
  public static final String PROPERTY = "beed.stemComposition";

  /** Output channels: one 512-bit vector of floats. */
  static final int OUT = 16;

  /** Taps of the composed 5x5 kernel. */
  static final int TAPS = 25;

  /** Most input channels taken: the kernels hold 25 C vectors per edge case, and the image datasets have 1 or 3. */
  public static final int MAX_CHANNELS = 4;

  /** Output pixels computed together: 8 accumulators and 12 broadcast inputs fit AVX-512's 32 vector registers. */
  private static final int COLUMNS = 8;

  /** Zero border of the scratch copy on each side: the 5x5 window's reach. */
  private static final int BORDER = 2;

  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_512;
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();
  private static final int PIXEL_BYTES = OUT * Float.BYTES;

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(() -> new Scratch(0, 0, 0));

  private JavaStemComposition() {}

  /** One image, zero-bordered: [C][H + 4][rowLength], its pixels from column 2 on; the borders stay zero between images. */
  private record Scratch(int channels, int height, int width, float[] image) {
    Scratch(int channels, int height, int width) {
      this(channels, height, width, new float[channels * (height + 2 * BORDER) * rowLength(width)]);
    }

    /** Row length: the width rounded up to whole blocks of {@link #COLUMNS}, plus both borders. */
    static int rowLength(int width) {
      return (width + COLUMNS - 1) / COLUMNS * COLUMNS + 2 * BORDER;
    }

    boolean fits(int c, int h, int w) {
      return channels == c && height == h && width == w;
    }
  }

  /**
   * Whether this process runs these loops: 512-bit Vector API loops (an AVX-512 CPU) and
   * {@value #PROPERTY} not {@code false}.
   */
  public static boolean enabled() {
    return HostFloats.vectorLoopsRun() && FloatVector.SPECIES_PREFERRED.length() == OUT
        && !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true"));
  }

  /**
   * y = relu?(conv(x, K) + bias), the weights as {@link StemCompositionWeights#update} left them.
   *
   * @param channelsLast whether x is [N][H][W][C] rather than [N][C][H][W]
   * @throws IllegalArgumentException when x or y does not hold that many dense floats, or the weights are for another channel count
   */
  public static void forward(INDArray x, boolean channelsLast, int batch, int height, int width, StemCompositionWeights weights,
      boolean relu, INDArray y) {
    int c = weights.channels();
    check(x, (long) batch * c * height * width, "input", batch + "x" + c + "x" + height + "x" + width);
    check(y, (long) batch * height * width * OUT, "output", batch + "x" + height + "x" + width + "x16");
    Maps maps = new Maps(HostFloats.bytes(x), HostFloats.byteOffset(x), HostFloats.bytes(y), HostFloats.byteOffset(y),
        channelsLast, c, height, width, relu ? 0f : Float.NEGATIVE_INFINITY);
    IntStream images = IntStream.range(0, batch);
    (batch > 1 ? images.parallel() : images).forEach(n -> image(maps, weights, n));
    HostFloats.keepAlive(x, y);
  }

  private static void check(INDArray a, long elements, String what, String shape) {
    if (!HostFloats.isContiguous(a) || a.length() != elements) {
      throw new IllegalArgumentException("JavaStemComposition: expected a dense float " + what + " of " + shape
          + " elements, got " + a.shapeInfoToString());
    }
  }

  /** The maps' memory and geometry, and the output's floor (0 with the ReLU, else -infinity). */
  private record Maps(ByteBuffer in, int inBase, ByteBuffer out, int outBase, boolean channelsLast, int channels, int height,
      int width, float floor) {
    /** Byte offset of input channel c of pixel (h, w) of image n, from the input's base. */
    int input(int n, int c, int h, int w) {
      return (channelsLast ? ((n * height + h) * width + w) * channels + c : ((n * channels + c) * height + h) * width + w) * Float.BYTES;
    }

    /** Byte offset of output pixel (h, w) of image n, from the output's base. */
    int output(int n, int h, int w) {
      return ((n * height + h) * width + w) * PIXEL_BYTES;
    }
  }

  private static void image(Maps maps, StemCompositionWeights weights, int n) {
    int c = maps.channels();
    int h = maps.height();
    int w = maps.width();
    Scratch scratch = SCRATCH.get();
    if (!scratch.fits(c, h, w)) {
      scratch = new Scratch(c, h, w);
      SCRATCH.set(scratch);
    }
    float[] image = scratch.image();
    int row = Scratch.rowLength(w);
    for (int ch = 0; ch < c; ch++) {
      for (int i = 0; i < h; i++) {
        int to = (ch * (h + 2 * BORDER) + i + BORDER) * row + BORDER;
        for (int j = 0; j < w; j++) {
          image[to + j] = maps.in().getFloat(maps.inBase() + maps.input(n, ch, i, j));
        }
      }
    }
    float[] kernels = weights.kernels();
    float[] bias = weights.bias();
    for (int i = 0; i < h; i++) {
      int rowCase = StemCompositionWeights.axisCase(i, h) * StemCompositionWeights.CASES_PER_AXIS;
      for (int j0 = 0; j0 < w; j0 += COLUMNS) {
        block(image, row, c, h, i, j0, Math.min(COLUMNS, w - j0), kernels, bias, rowCase, maps, n);
      }
      // the edge columns again, with the kernel that leaves out the padding beside them
      pixel(image, row, c, h, i, 0, kernels, bias, StemCompositionWeights.edgeCase(i, 0, h, w), maps, n);
      if (w > 1) {
        pixel(image, row, c, h, i, w - 1, kernels, bias, StemCompositionWeights.edgeCase(i, w - 1, h, w), maps, n);
      }
    }
  }

  /** Output pixels (i, j0 .. j0 + count - 1) of image n with edge case {@code edge}'s kernel (the row's case, no column's). */
  private static void block(float[] image, int row, int c, int h, int i, int j0, int count, float[] kernels, float[] bias, int edge,
      Maps maps, int n) {
    FloatVector a0 = FloatVector.fromArray(SPECIES, bias, edge * OUT);
    FloatVector a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    for (int kr = 0; kr < 5; kr++) {
      for (int ch = 0; ch < c; ch++) {
        int at = (ch * (h + 2 * BORDER) + i + kr) * row + j0;
        FloatVector x0 = FloatVector.broadcast(SPECIES, image[at]);
        FloatVector x1 = FloatVector.broadcast(SPECIES, image[at + 1]);
        FloatVector x2 = FloatVector.broadcast(SPECIES, image[at + 2]);
        FloatVector x3 = FloatVector.broadcast(SPECIES, image[at + 3]);
        FloatVector x4 = FloatVector.broadcast(SPECIES, image[at + 4]);
        FloatVector x5 = FloatVector.broadcast(SPECIES, image[at + 5]);
        FloatVector x6 = FloatVector.broadcast(SPECIES, image[at + 6]);
        FloatVector x7 = FloatVector.broadcast(SPECIES, image[at + 7]);
        FloatVector x8 = FloatVector.broadcast(SPECIES, image[at + 8]);
        FloatVector x9 = FloatVector.broadcast(SPECIES, image[at + 9]);
        FloatVector x10 = FloatVector.broadcast(SPECIES, image[at + 10]);
        FloatVector x11 = FloatVector.broadcast(SPECIES, image[at + 11]);
        int k = ((edge * TAPS + kr * 5) * c + ch) * OUT;
        int step = c * OUT;  // from one tap of the kernel row to the next
        FloatVector u = FloatVector.fromArray(SPECIES, kernels, k);
        a0 = u.fma(x0, a0); a1 = u.fma(x1, a1); a2 = u.fma(x2, a2); a3 = u.fma(x3, a3);
        a4 = u.fma(x4, a4); a5 = u.fma(x5, a5); a6 = u.fma(x6, a6); a7 = u.fma(x7, a7);
        u = FloatVector.fromArray(SPECIES, kernels, k + step);
        a0 = u.fma(x1, a0); a1 = u.fma(x2, a1); a2 = u.fma(x3, a2); a3 = u.fma(x4, a3);
        a4 = u.fma(x5, a4); a5 = u.fma(x6, a5); a6 = u.fma(x7, a6); a7 = u.fma(x8, a7);
        u = FloatVector.fromArray(SPECIES, kernels, k + 2 * step);
        a0 = u.fma(x2, a0); a1 = u.fma(x3, a1); a2 = u.fma(x4, a2); a3 = u.fma(x5, a3);
        a4 = u.fma(x6, a4); a5 = u.fma(x7, a5); a6 = u.fma(x8, a6); a7 = u.fma(x9, a7);
        u = FloatVector.fromArray(SPECIES, kernels, k + 3 * step);
        a0 = u.fma(x3, a0); a1 = u.fma(x4, a1); a2 = u.fma(x5, a2); a3 = u.fma(x6, a3);
        a4 = u.fma(x7, a4); a5 = u.fma(x8, a5); a6 = u.fma(x9, a6); a7 = u.fma(x10, a7);
        u = FloatVector.fromArray(SPECIES, kernels, k + 4 * step);
        a0 = u.fma(x4, a0); a1 = u.fma(x5, a1); a2 = u.fma(x6, a2); a3 = u.fma(x7, a3);
        a4 = u.fma(x8, a4); a5 = u.fma(x9, a5); a6 = u.fma(x10, a6); a7 = u.fma(x11, a7);
      }
    }
    // FloatVectors stay local to this method: passed or returned, the JIT may box them at every use
    FloatVector floor = FloatVector.broadcast(SPECIES, maps.floor());
    ByteBuffer out = maps.out();
    int at = maps.outBase() + maps.output(n, i, j0);
    a0.max(floor).intoByteBuffer(out, at, ORDER);
    if (count > 1) {
      a1.max(floor).intoByteBuffer(out, at + PIXEL_BYTES, ORDER);
    }
    if (count > 2) {
      a2.max(floor).intoByteBuffer(out, at + 2 * PIXEL_BYTES, ORDER);
    }
    if (count > 3) {
      a3.max(floor).intoByteBuffer(out, at + 3 * PIXEL_BYTES, ORDER);
    }
    if (count > 4) {
      a4.max(floor).intoByteBuffer(out, at + 4 * PIXEL_BYTES, ORDER);
    }
    if (count > 5) {
      a5.max(floor).intoByteBuffer(out, at + 5 * PIXEL_BYTES, ORDER);
    }
    if (count > 6) {
      a6.max(floor).intoByteBuffer(out, at + 6 * PIXEL_BYTES, ORDER);
    }
    if (count > 7) {
      a7.max(floor).intoByteBuffer(out, at + 7 * PIXEL_BYTES, ORDER);
    }
  }

  /** Output pixel (i, j) of image n with edge case {@code edge}'s kernel. */
  private static void pixel(float[] image, int row, int c, int h, int i, int j, float[] kernels, float[] bias, int edge,
      Maps maps, int n) {
    FloatVector a = FloatVector.fromArray(SPECIES, bias, edge * OUT);
    for (int kr = 0; kr < 5; kr++) {
      for (int ch = 0; ch < c; ch++) {
        int at = (ch * (h + 2 * BORDER) + i + kr) * row + j;
        int k = ((edge * TAPS + kr * 5) * c + ch) * OUT;
        for (int kc = 0; kc < 5; kc++) {
          a = FloatVector.fromArray(SPECIES, kernels, k + kc * c * OUT).fma(FloatVector.broadcast(SPECIES, image[at + kc]), a);
        }
      }
    }
    a.max(FloatVector.broadcast(SPECIES, maps.floor())).intoByteBuffer(maps.out(), maps.outBase() + maps.output(n, i, j), ORDER);
  }
}
