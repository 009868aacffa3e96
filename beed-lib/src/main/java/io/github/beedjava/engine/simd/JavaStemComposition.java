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
 * pixels at a time, one 16-channel vector each, as broadcast FMAs over the 25 taps and C channels,
 * with the kernel of the row's edge case; a row's first and last pixels then get their column's
 * correction (5 C more taps). Layout: x is the network input ([N][C][H][W], or [N][H][W][C] for
 * channels-last graphs); y is [N][H][W][16], both oneDNN's blocked layout for 16 channels and NHWC.
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

  /**
   * One image, zero-bordered: [C][H + 4][rowLength], its pixels from column 2 on (the borders stay
   * zero between images); and one block's sums.
   */
  private record Scratch(int channels, int height, int width, float[] image, float[] sums) {
    Scratch(int channels, int height, int width) {
      this(channels, height, width, new float[channels * (height + 2 * BORDER) * rowLength(width)], new float[COLUMNS * OUT]);
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
    for (int i = 0; i < h; i++) {
      for (int j0 = 0; j0 < w; j0 += COLUMNS) {
        block(image, row, weights, i, j0, Math.min(COLUMNS, w - j0), scratch.sums(), maps, n);
      }
    }
  }

  /**
   * Output pixels (i, j0 .. j0 + count - 1) of image n: the bias of the row's edge case, plus each
   * input channel's windows in turn, kept in {@code sums} between channels; the map's first and last
   * pixel corrected for the columns outside; then the floor and the store.
   */
  private static void block(float[] image, int row, StemCompositionWeights weights, int i, int j0, int count, float[] sums,
      Maps maps, int n) {
    int c = maps.channels();
    int h = maps.height();
    int w = maps.width();
    int rowCase = StemCompositionWeights.axisCase(i, h) * StemCompositionWeights.CASES_PER_AXIS;
    for (int ch = 0; ch < c; ch++) {  // the first channel starts from the bias, the others from the sums so far
      channel(image, (ch * (h + 2 * BORDER) + i) * row + j0, row, weights.kernels(), StemCompositionWeights.kernelIndex(rowCase, ch, 0, c),
          ch == 0 ? weights.bias() : sums, ch == 0 ? rowCase * OUT : 0, ch == 0 ? 0 : OUT, sums);
    }
    if (j0 == 0) {
      edgeColumn(image, row, weights, i, 0, sums, maps);
    }
    if (j0 + count == w && w > 1) {
      edgeColumn(image, row, weights, i, w - 1, sums, maps);
    }
    ByteBuffer out = maps.out();
    int at = maps.outBase() + maps.output(n, i, j0);
    FloatVector floor = FloatVector.broadcast(SPECIES, maps.floor());
    for (int q = 0; q < count; q++) {
      FloatVector.fromArray(SPECIES, sums, q * OUT).max(floor).intoByteBuffer(out, at + q * PIXEL_BYTES, ORDER);
    }
  }

  /** Adds to pixel (i, j)'s sum, j the map's first or last column, its edge case's difference from its row's ({@link StemCompositionWeights#columnKernels}). */
  private static void edgeColumn(float[] image, int row, StemCompositionWeights weights, int i, int j, float[] sums, Maps maps) {
    int c = maps.channels();
    int h = maps.height();
    int edge = StemCompositionWeights.edgeCase(i, j, h, maps.width());
    int at = (j % COLUMNS) * OUT;
    float[] kernels = weights.columnKernels();
    FloatVector.fromArray(SPECIES, sums, at).add(FloatVector.fromArray(SPECIES, weights.columnBias(), edge * OUT)).intoArray(sums, at);
    for (int ch = 0; ch < c; ch++) {  // the channel loop outside the row's unrolled taps, the sum in memory between: see channel()
      int x = (ch * (h + 2 * BORDER) + i) * row + j + BORDER;
      int k = (edge * c + ch) * 5 * OUT;
      FloatVector.fromArray(SPECIES, kernels, k).fma(FloatVector.broadcast(SPECIES, image[x]),
          FloatVector.fromArray(SPECIES, kernels, k + OUT).fma(FloatVector.broadcast(SPECIES, image[x + row]),
          FloatVector.fromArray(SPECIES, kernels, k + 2 * OUT).fma(FloatVector.broadcast(SPECIES, image[x + 2 * row]),
          FloatVector.fromArray(SPECIES, kernels, k + 3 * OUT).fma(FloatVector.broadcast(SPECIES, image[x + 3 * row]),
          FloatVector.fromArray(SPECIES, kernels, k + 4 * OUT).fma(FloatVector.broadcast(SPECIES, image[x + 4 * row]),
          FloatVector.fromArray(SPECIES, sums, at))))))
          .intoArray(sums, at);
    }
  }

  /**
   * One input channel's share of 8 output pixels, added to the 8 vectors of {@code start} from
   * {@code startAt}, {@code startStep} floats apart, into {@code sums}: the channel's 5x5 windows
   * from {@code at} (the first window's top-left corner in the scratch, rows {@code row} floats
   * apart) times the channel's kernel from {@code k} (its 25 taps in consecutive vectors). The channel
   * loop is outside this method on purpose: nested in the kernel-row loop, it made the JIT keep the
   * accumulators in memory, 8x slower (FloatVectors also stay local: passed or returned, they are boxed).
   */
  private static void channel(float[] image, int at, int row, float[] kernels, int k, float[] start, int startAt,
      int startStep, float[] sums) {
    FloatVector a0 = FloatVector.fromArray(SPECIES, start, startAt);
    FloatVector a1 = FloatVector.fromArray(SPECIES, start, startAt + startStep);
    FloatVector a2 = FloatVector.fromArray(SPECIES, start, startAt + 2 * startStep);
    FloatVector a3 = FloatVector.fromArray(SPECIES, start, startAt + 3 * startStep);
    FloatVector a4 = FloatVector.fromArray(SPECIES, start, startAt + 4 * startStep);
    FloatVector a5 = FloatVector.fromArray(SPECIES, start, startAt + 5 * startStep);
    FloatVector a6 = FloatVector.fromArray(SPECIES, start, startAt + 6 * startStep);
    FloatVector a7 = FloatVector.fromArray(SPECIES, start, startAt + 7 * startStep);
    for (int kr = 0; kr < 5; kr++) {
      int from = at + kr * row;
      FloatVector x0 = FloatVector.broadcast(SPECIES, image[from]);
      FloatVector x1 = FloatVector.broadcast(SPECIES, image[from + 1]);
      FloatVector x2 = FloatVector.broadcast(SPECIES, image[from + 2]);
      FloatVector x3 = FloatVector.broadcast(SPECIES, image[from + 3]);
      FloatVector x4 = FloatVector.broadcast(SPECIES, image[from + 4]);
      FloatVector x5 = FloatVector.broadcast(SPECIES, image[from + 5]);
      FloatVector x6 = FloatVector.broadcast(SPECIES, image[from + 6]);
      FloatVector x7 = FloatVector.broadcast(SPECIES, image[from + 7]);
      FloatVector x8 = FloatVector.broadcast(SPECIES, image[from + 8]);
      FloatVector x9 = FloatVector.broadcast(SPECIES, image[from + 9]);
      FloatVector x10 = FloatVector.broadcast(SPECIES, image[from + 10]);
      FloatVector x11 = FloatVector.broadcast(SPECIES, image[from + 11]);
      int tap = k + kr * 5 * OUT;
      FloatVector u = FloatVector.fromArray(SPECIES, kernels, tap);
      a0 = u.fma(x0, a0); a1 = u.fma(x1, a1); a2 = u.fma(x2, a2); a3 = u.fma(x3, a3);
      a4 = u.fma(x4, a4); a5 = u.fma(x5, a5); a6 = u.fma(x6, a6); a7 = u.fma(x7, a7);
      u = FloatVector.fromArray(SPECIES, kernels, tap + OUT);
      a0 = u.fma(x1, a0); a1 = u.fma(x2, a1); a2 = u.fma(x3, a2); a3 = u.fma(x4, a3);
      a4 = u.fma(x5, a4); a5 = u.fma(x6, a5); a6 = u.fma(x7, a6); a7 = u.fma(x8, a7);
      u = FloatVector.fromArray(SPECIES, kernels, tap + 2 * OUT);
      a0 = u.fma(x2, a0); a1 = u.fma(x3, a1); a2 = u.fma(x4, a2); a3 = u.fma(x5, a3);
      a4 = u.fma(x6, a4); a5 = u.fma(x7, a5); a6 = u.fma(x8, a6); a7 = u.fma(x9, a7);
      u = FloatVector.fromArray(SPECIES, kernels, tap + 3 * OUT);
      a0 = u.fma(x3, a0); a1 = u.fma(x4, a1); a2 = u.fma(x5, a2); a3 = u.fma(x6, a3);
      a4 = u.fma(x7, a4); a5 = u.fma(x8, a5); a6 = u.fma(x9, a6); a7 = u.fma(x10, a7);
      u = FloatVector.fromArray(SPECIES, kernels, tap + 4 * OUT);
      a0 = u.fma(x4, a0); a1 = u.fma(x5, a1); a2 = u.fma(x6, a2); a3 = u.fma(x7, a3);
      a4 = u.fma(x8, a4); a5 = u.fma(x9, a5); a6 = u.fma(x10, a6); a7 = u.fma(x11, a7);
    }
    a0.intoArray(sums, 0);
    a1.intoArray(sums, OUT);
    a2.intoArray(sums, 2 * OUT);
    a3.intoArray(sums, 3 * OUT);
    a4.intoArray(sums, 4 * OUT);
    a5.intoArray(sums, 5 * OUT);
    a6.intoArray(sums, 6 * OUT);
    a7.intoArray(sums, 7 * OUT);
  }
}
