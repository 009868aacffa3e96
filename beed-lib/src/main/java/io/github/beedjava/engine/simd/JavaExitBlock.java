package io.github.beedjava.engine.simd;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The bottleneck exit block E(16, 32, 2) of ResNet18/34's first exit at width 1/4, whole: a 1x1
 * convolution of 16 channels into 32, the 3x3, stride-2, padding-1 convolution of 32 channels into
 * 32 that reads it, and the closing 1x1 convolution of 32 into 32, each with its folded BN and a
 * ReLU, computed image by image in Vector API loops:
 * y = relu(conv1x1(relu(conv3x3s2(relu(conv1x1(x) + b1)) + b2)) + b3) with the weights of
 * {@link ExitBlockWeights}.
 *
 * <p>Why: run as three layers, the maps between them go to memory and back (the first of them
 * twice the input's size); here each image's maps stay in scratch arrays of the core's own cache.
 * The block is in the first segment, which early exit runs for every image. A probe of the first
 * two stages ran 1.40-1.54x faster than oneDNN's two layers in the graph, in-process at batch 256;
 * the closing stage costs about a quarter of oneDNN's layer (bench/HISTORY.md, "Twenty-first pass"
 * and "Twenty-second pass").
 *
 * <p>Loops: each thread takes whole images. The image ([H][W][16]) is copied to the heap; the first
 * 1x1 stage writes the middle map ([H + 1][W + 1][32], a zero top row and left column standing for
 * the stride-2 convolution's padding, which needs none at the bottom or right for even sizes) 8
 * pixels at a time; the stride-2 stage computes 8 output pixels at a time, two 16-channel vectors
 * each, as broadcast FMAs, one kernel row (3 taps x 32 channels, adjacent in the middle map) per
 * loop, into a pixel-major map ([H/2][W/2][32]); the closing stage reads that 8 pixels at a time and
 * writes the blocked output. Eight pixels, not more: with 12 (24 accumulators and two weight
 * vectors) C2 spilled accumulators to the stack inside the loop and the stage ran at half the speed.
 * A map whose pixel count is not a multiple of 8 has its last tile overlap the one before (the same
 * values written twice). Layouts: x is [N][H][W][16] (oneDNN's blocked layout for 16 channels, and
 * NHWC); y is [N][2][H/2][W/2][16], the blocked layout for 32 channels.
 *
 * <p>Rounding: the maps between the stages are rounded to float, as the layers' outputs are, and
 * each output sums the same products as oneDNN's direct kernels in another order: they agree to
 * rounding (the tests hold it to 1e-5 of the outputs' scale).
 * Determinism: each image is computed by the same operations whichever thread runs it.
 */
public final class JavaExitBlock {
  /** System property that, set to {@code false}, runs the block's three layers in turn (for comparisons). */
  public static final String PROPERTY = "beed.exitBlockFusion";

  /** Input channels of the block's first 1x1 convolution: one 16-float vector per pixel. */
  public static final int IN = 16;

  /** Output channels of all three convolutions: two vectors per pixel. */
  public static final int OUT = 32;

  /** Pixels computed together (see the class comment). */
  static final int PIXELS = 8;

  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_512;
  private static final int LANES = 16;

  /** Taps of one kernel row of the stride-2 convolution, adjacent in the middle map: 3 columns x 32 channels. */
  private static final int ROW_TAPS = 3 * OUT;

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(() -> new Scratch(0, 0));

  private JavaExitBlock() {}

  /**
   * One image, its middle map (zero top row and left column, never written), the sums of a tile,
   * the stride-2 stage's map (pixel-major), the output (blocked) and the tile's corners.
   */
  private record Scratch(int height, int width, float[] image, float[] middle, float[] sums, float[] strided, float[] output,
      int[] corners) {
    Scratch(int height, int width) {
      this(height, width, new float[height * width * IN], new float[(height + 1) * (width + 1) * OUT],
          new float[PIXELS * OUT], new float[height / 2 * (width / 2) * OUT], new float[height / 2 * (width / 2) * OUT],
          new int[PIXELS]);
    }
  }

  /** Whether this process runs these loops: 512-bit Vector API loops (an AVX-512 CPU) and {@value #PROPERTY} not {@code false}. */
  public static boolean enabled() {
    return HostFloats.vectorLoopsRun() && FloatVector.SPECIES_PREFERRED.length() == LANES
        && !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true"));
  }

  /** Whether the loops take maps of this size: even sides, and at least one tile of pixels on both sides of the stride. */
  public static boolean takes(long height, long width) {
    return height % 2 == 0 && width % 2 == 0 && height / 2 * (width / 2) >= PIXELS;
  }

  /**
   * y = relu(conv1x1(relu(conv3x3s2(relu(conv1x1(x) + b1)) + b2)) + b3), the weights as
   * {@link ExitBlockWeights#update} left them.
   *
   * @throws IllegalArgumentException when the size is not one {@link #takes}, or x or y does not hold that many dense floats
   */
  public static void forward(INDArray x, int batch, int height, int width, ExitBlockWeights weights, INDArray y) {
    if (!takes(height, width)) {
      throw new IllegalArgumentException("JavaExitBlock: needs even map sides with at least " + PIXELS
          + " output pixels, got " + height + "x" + width);
    }
    check(x, (long) batch * height * width * IN, "input", batch + "x" + height + "x" + width + "x16");
    check(y, (long) batch * height * width / 4 * OUT, "output", batch + "x2x" + height / 2 + "x" + width / 2 + "x16");
    FloatBuffer in = floats(x);
    FloatBuffer out = floats(y);
    IntStream images = IntStream.range(0, batch);
    (batch > 1 ? images.parallel() : images).forEach(n -> image(in, out, weights, height, width, n));
    HostFloats.keepAlive(x, y);
  }

  private static void check(INDArray a, long elements, String what, String shape) {
    if (!HostFloats.isContiguous(a) || a.length() != elements) {
      throw new IllegalArgumentException("JavaExitBlock: expected a dense float " + what + " of " + shape
          + " elements, got " + a.shapeInfoToString());
    }
  }

  /** The array's floats from its first element on (absolute bulk reads and writes only: threads share it). */
  private static FloatBuffer floats(INDArray a) {
    return HostFloats.bytes(a).duplicate().position(HostFloats.byteOffset(a)).slice().order(ByteOrder.nativeOrder()).asFloatBuffer();
  }

  private static void image(FloatBuffer in, FloatBuffer out, ExitBlockWeights weights, int height, int width, int n) {
    Scratch scratch = SCRATCH.get();
    if (scratch.height() != height || scratch.width() != width) {
      scratch = new Scratch(height, width);
      SCRATCH.set(scratch);
    }
    float[] image = scratch.image();
    in.get(n * image.length, image, 0, image.length);
    int pixels = height * width;
    for (int t = 0; t < pixels; t += PIXELS) {
      int p0 = Math.min(t, pixels - PIXELS);
      pointwise(image, p0, width, weights, scratch.sums(), scratch.middle());
    }
    int outputs = height / 2 * (width / 2);
    float[] output = scratch.output();
    for (int t = 0; t < outputs; t += PIXELS) {
      strided(scratch, Math.min(t, outputs - PIXELS), width, weights);
    }
    for (int t = 0; t < outputs; t += PIXELS) {
      closing(scratch.strided(), Math.min(t, outputs - PIXELS), weights, scratch.sums(), output, outputs);
    }
    out.put(n * output.length, output, 0, output.length);
  }

  /** Index in the middle map of pixel p's first channel (row and column shifted by the zero border). */
  private static int middle(int p, int width) {
    return ((p / width + 1) * (width + 1) + p % width + 1) * OUT;
  }

  /** The first 1x1 stage for pixels p0 .. p0 + 7: bias, ReLU, stored into the middle map. */
  private static void pointwise(float[] image, int p0, int width, ExitBlockWeights weights, float[] sums, float[] middle) {
    pointwiseTile(image, p0 * IN, IN, weights.pointwise(), sums);
    float[] bias = weights.pointwiseBias();
    FloatVector zero = FloatVector.zero(SPECIES);
    FloatVector bu = FloatVector.fromArray(SPECIES, bias, 0);
    FloatVector bv = FloatVector.fromArray(SPECIES, bias, LANES);
    for (int j = 0; j < PIXELS; j++) {
      FloatVector.fromArray(SPECIES, sums, 2 * j * LANES).add(bu).max(zero).intoArray(middle, middle(p0 + j, width));
      FloatVector.fromArray(SPECIES, sums, (2 * j + 1) * LANES).add(bv).max(zero).intoArray(middle, middle(p0 + j, width) + LANES);
    }
  }

  /** The stride-2 stage for output pixels q0 .. q0 + 7: three kernel rows into the tile's sums, then bias, ReLU, pixel-major store. */
  private static void strided(Scratch scratch, int q0, int width, ExitBlockWeights weights) {
    float[] sums = scratch.sums();
    Arrays.fill(sums, 0f);
    int[] corners = scratch.corners();
    int outWidth = width / 2;
    for (int j = 0; j < PIXELS; j++) {
      int q = q0 + j;
      corners[j] = (2 * (q / outWidth) * (width + 1) + 2 * (q % outWidth)) * OUT;  // tap (0, 0): input row and column 2q - 1
    }
    for (int ky = 0; ky < 3; ky++) {
      kernelRow(scratch.middle(), ky * (width + 1) * OUT, weights.strided(), ky * ROW_TAPS * OUT, sums, corners);
    }
    float[] bias = weights.stridedBias();
    FloatVector zero = FloatVector.zero(SPECIES);
    FloatVector bu = FloatVector.fromArray(SPECIES, bias, 0);
    FloatVector bv = FloatVector.fromArray(SPECIES, bias, LANES);
    float[] map = scratch.strided();
    for (int j = 0; j < PIXELS; j++) {
      FloatVector.fromArray(SPECIES, sums, 2 * j * LANES).add(bu).max(zero).intoArray(map, (q0 + j) * OUT);
      FloatVector.fromArray(SPECIES, sums, (2 * j + 1) * LANES).add(bv).max(zero).intoArray(map, (q0 + j) * OUT + LANES);
    }
  }

  /** The closing 1x1 stage for pixels q0 .. q0 + 7 of the stride-2 map: bias, ReLU, stored blocked. */
  private static void closing(float[] map, int q0, ExitBlockWeights weights, float[] sums, float[] output, int outputs) {
    pointwiseTile(map, q0 * OUT, OUT, weights.closing(), sums);
    float[] bias = weights.closingBias();
    FloatVector zero = FloatVector.zero(SPECIES);
    FloatVector bu = FloatVector.fromArray(SPECIES, bias, 0);
    FloatVector bv = FloatVector.fromArray(SPECIES, bias, LANES);
    for (int j = 0; j < PIXELS; j++) {
      FloatVector.fromArray(SPECIES, sums, 2 * j * LANES).add(bu).max(zero).intoArray(output, (q0 + j) * LANES);
      FloatVector.fromArray(SPECIES, sums, (2 * j + 1) * LANES).add(bv).max(zero).intoArray(output, (outputs + q0 + j) * LANES);
    }
  }

  /**
   * A 1x1 convolution's sums for 8 adjacent pixels of a pixel-major map (pixel j's {@code channels}
   * inputs from {@code base + j * channels}; weights [channels][32]): pixel j's 32 sums into
   * {@code sums} from {@code 32 * j}, as the stride-2 stage leaves its tile. The stores are written
   * out here, not in a helper taking the 16 vectors: JDK 17 boxes vectors passed to a call it does
   * not inline.
   */
  private static void pointwiseTile(float[] in, int base, int channels, float[] w, float[] sums) {
    FloatVector zero = FloatVector.zero(SPECIES);
    FloatVector
        a0 = zero, b0 = zero,
        a1 = zero, b1 = zero,
        a2 = zero, b2 = zero,
        a3 = zero, b3 = zero,
        a4 = zero, b4 = zero,
        a5 = zero, b5 = zero,
        a6 = zero, b6 = zero,
        a7 = zero, b7 = zero;
    for (int c = 0; c < channels; c++) {
      FloatVector u = FloatVector.fromArray(SPECIES, w, c * OUT);
      FloatVector v = FloatVector.fromArray(SPECIES, w, c * OUT + LANES);
      FloatVector x;
      x = FloatVector.broadcast(SPECIES, in[base + 0 * channels + c]);
      a0 = x.fma(u, a0);
      b0 = x.fma(v, b0);
      x = FloatVector.broadcast(SPECIES, in[base + 1 * channels + c]);
      a1 = x.fma(u, a1);
      b1 = x.fma(v, b1);
      x = FloatVector.broadcast(SPECIES, in[base + 2 * channels + c]);
      a2 = x.fma(u, a2);
      b2 = x.fma(v, b2);
      x = FloatVector.broadcast(SPECIES, in[base + 3 * channels + c]);
      a3 = x.fma(u, a3);
      b3 = x.fma(v, b3);
      x = FloatVector.broadcast(SPECIES, in[base + 4 * channels + c]);
      a4 = x.fma(u, a4);
      b4 = x.fma(v, b4);
      x = FloatVector.broadcast(SPECIES, in[base + 5 * channels + c]);
      a5 = x.fma(u, a5);
      b5 = x.fma(v, b5);
      x = FloatVector.broadcast(SPECIES, in[base + 6 * channels + c]);
      a6 = x.fma(u, a6);
      b6 = x.fma(v, b6);
      x = FloatVector.broadcast(SPECIES, in[base + 7 * channels + c]);
      a7 = x.fma(u, a7);
      b7 = x.fma(v, b7);
    }
    a0.intoArray(sums, 0 * LANES);
    b0.intoArray(sums, 1 * LANES);
    a1.intoArray(sums, 2 * LANES);
    b1.intoArray(sums, 3 * LANES);
    a2.intoArray(sums, 4 * LANES);
    b2.intoArray(sums, 5 * LANES);
    a3.intoArray(sums, 6 * LANES);
    b3.intoArray(sums, 7 * LANES);
    a4.intoArray(sums, 8 * LANES);
    b4.intoArray(sums, 9 * LANES);
    a5.intoArray(sums, 10 * LANES);
    b5.intoArray(sums, 11 * LANES);
    a6.intoArray(sums, 12 * LANES);
    b6.intoArray(sums, 13 * LANES);
    a7.intoArray(sums, 14 * LANES);
    b7.intoArray(sums, 15 * LANES);
  }

  /**
   * One kernel row's 96 taps for the tile's 8 pixels, added to {@code sums}: one loop of constant
   * count, its accumulators in locals (JDK 17 kept vectors carried through nested loops boxed).
   */
  private static void kernelRow(float[] middle, int rowOffset, float[] w, int wOffset, float[] sums, int[] corners) {
    FloatVector
        a0 = FloatVector.fromArray(SPECIES, sums, 0 * LANES), b0 = FloatVector.fromArray(SPECIES, sums, 1 * LANES),
        a1 = FloatVector.fromArray(SPECIES, sums, 2 * LANES), b1 = FloatVector.fromArray(SPECIES, sums, 3 * LANES),
        a2 = FloatVector.fromArray(SPECIES, sums, 4 * LANES), b2 = FloatVector.fromArray(SPECIES, sums, 5 * LANES),
        a3 = FloatVector.fromArray(SPECIES, sums, 6 * LANES), b3 = FloatVector.fromArray(SPECIES, sums, 7 * LANES),
        a4 = FloatVector.fromArray(SPECIES, sums, 8 * LANES), b4 = FloatVector.fromArray(SPECIES, sums, 9 * LANES),
        a5 = FloatVector.fromArray(SPECIES, sums, 10 * LANES), b5 = FloatVector.fromArray(SPECIES, sums, 11 * LANES),
        a6 = FloatVector.fromArray(SPECIES, sums, 12 * LANES), b6 = FloatVector.fromArray(SPECIES, sums, 13 * LANES),
        a7 = FloatVector.fromArray(SPECIES, sums, 14 * LANES), b7 = FloatVector.fromArray(SPECIES, sums, 15 * LANES);
    int q0 = corners[0] + rowOffset;
    int q1 = corners[1] + rowOffset;
    int q2 = corners[2] + rowOffset;
    int q3 = corners[3] + rowOffset;
    int q4 = corners[4] + rowOffset;
    int q5 = corners[5] + rowOffset;
    int q6 = corners[6] + rowOffset;
    int q7 = corners[7] + rowOffset;
    for (int t = 0; t < ROW_TAPS; t++) {
      FloatVector u = FloatVector.fromArray(SPECIES, w, wOffset + t * OUT);
      FloatVector v = FloatVector.fromArray(SPECIES, w, wOffset + t * OUT + LANES);
      FloatVector x;
      x = FloatVector.broadcast(SPECIES, middle[q0 + t]);
      a0 = x.fma(u, a0);
      b0 = x.fma(v, b0);
      x = FloatVector.broadcast(SPECIES, middle[q1 + t]);
      a1 = x.fma(u, a1);
      b1 = x.fma(v, b1);
      x = FloatVector.broadcast(SPECIES, middle[q2 + t]);
      a2 = x.fma(u, a2);
      b2 = x.fma(v, b2);
      x = FloatVector.broadcast(SPECIES, middle[q3 + t]);
      a3 = x.fma(u, a3);
      b3 = x.fma(v, b3);
      x = FloatVector.broadcast(SPECIES, middle[q4 + t]);
      a4 = x.fma(u, a4);
      b4 = x.fma(v, b4);
      x = FloatVector.broadcast(SPECIES, middle[q5 + t]);
      a5 = x.fma(u, a5);
      b5 = x.fma(v, b5);
      x = FloatVector.broadcast(SPECIES, middle[q6 + t]);
      a6 = x.fma(u, a6);
      b6 = x.fma(v, b6);
      x = FloatVector.broadcast(SPECIES, middle[q7 + t]);
      a7 = x.fma(u, a7);
      b7 = x.fma(v, b7);
    }
    a0.intoArray(sums, 0 * LANES);
    b0.intoArray(sums, 1 * LANES);
    a1.intoArray(sums, 2 * LANES);
    b1.intoArray(sums, 3 * LANES);
    a2.intoArray(sums, 4 * LANES);
    b2.intoArray(sums, 5 * LANES);
    a3.intoArray(sums, 6 * LANES);
    b3.intoArray(sums, 7 * LANES);
    a4.intoArray(sums, 8 * LANES);
    b4.intoArray(sums, 9 * LANES);
    a5.intoArray(sums, 10 * LANES);
    b5.intoArray(sums, 11 * LANES);
    a6.intoArray(sums, 12 * LANES);
    b6.intoArray(sums, 13 * LANES);
    a7.intoArray(sums, 14 * LANES);
    b7.intoArray(sums, 15 * LANES);
  }
}
