package io.github.beedjava.engine.simd;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An inference convolution of 16 channels into 16, 3x3, stride 1, padding 1, by Winograd's
 * F(4x4, 3x3) in Vector API loops, with the folded BN's bias and an optional ReLU.
 *
 * <p>Why: these are the first-stage layers of ResNet18/34 and WRN at width 1/4. oneDNN runs them by
 * its direct kernel at about 250 GFLOP/s on the 2-core AVX-512 VM, and its own Winograd is slower
 * there (its transforms dominate at 16 channels). They are about half of the first segment's time,
 * which is what early exit pays for every image. F(4x4, 3x3) needs 36 products per 16 outputs
 * instead of 144; here each 4x4 output tile's 6x6 input is transformed (V = B^T d B), the products
 * run 24 tiles at a time as broadcast FMAs against the transformed kernels ({@link WinogradWeights}),
 * and each tile is transformed back (Y = A^T M A) with the bias and ReLU on the way out.
 *
 * <p>Layout: one block of 16 channels, [N][H][W][16] in memory, which is both oneDNN's blocked
 * layout for 16 channels and NHWC. Rounding: the outputs differ from a direct sum in double by up
 * to about 4e-6 of the output's largest magnitude (a float direct sum: about 5e-7). Determinism:
 * every tile is computed by the same operations in the same order whichever thread runs it, so
 * results do not depend on the thread count.
 */
public final class JavaWinograd {
  /** System property that, set to {@code false}, leaves these layers to oneDNN's direct kernel (for comparisons). */
  public static final String PROPERTY = "beed.javaWinograd";

  /**
   * System property that, set to {@code false}, has the first residual block's stem shortcut computed
   * by the stem's own layer and added as a map, instead of in the output transform ({@link #forwardWithStem}; for comparisons).
   */
  public static final String STEM_PROPERTY = "beed.stemShortcut";

  /** Input and output channels: one 512-bit vector of floats. */
  static final int CHANNELS = 16;

  /** Positions of a transformed tile (6x6). */
  static final int POSITIONS = 36;

  /** Tiles whose products run together: 24 accumulators and a kernel row fit AVX-512's 32 vector registers. */
  private static final int TILES = 24;

  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_512;
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();
  private static final int PIXEL_BYTES = CHANNELS * Float.BYTES;

  /**
   * Fewest output tiles (4x4 pixels) for which these loops beat oneDNN's direct kernel: on the
   * 2-core AVX-512 VM, 32x32 maps (64 tiles an image), they took 1.9x oneDNN's time at batch 1,
   * 1.15x at 4, 1.02-1.04x at 8, 0.83-0.93x at 16, 0.80x at 32 and 0.75-0.78x at 64 and 256
   * (bench/HISTORY.md, "Eighteenth pass").
   */
  public static final long MIN_TILES = 1024;

  /**
   * Smallest map, in bytes, over which each group first reads its rows ahead ({@link #readAhead}):
   * measured on the 2-core VM over 32x32 maps (in-process alternation), reading ahead took the
   * layer 0.90x the time at batch 256 (16 MB maps) and 0.96x at 128, but 1.04x at 64 and 1.05x at 16,
   * whose maps the caches hold anyway (bench/HISTORY.md, "Nineteenth pass").
   */
  static final long READ_AHEAD_MAP_BYTES = 8L << 20;

  private JavaWinograd() {}

  /** Whether maps of this size hold enough tiles ({@link #MIN_TILES}) for these loops to pay. */
  public static boolean pays(long batch, long height, long width) {
    return batch * ((height + 3) / 4) * ((width + 3) / 4) >= MIN_TILES;
  }

  /** Per-thread working memory: one group's transformed tiles, and one tile's half-transformed rows. */
  private static final class Scratch {
    final float[] tiles = new float[POSITIONS * TILES * CHANNELS];
    final float[] rows = new float[POSITIONS * CHANNELS];
    final float[] shortcut = new float[16 * CHANNELS];  // one tile's stem outputs
    int sink;  // what the reads ahead of a group load, kept so that the compiler keeps them
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  /**
   * Whether these loops can take such layers in this process: the Vector API loops run on 512-bit
   * vectors (an AVX-512 CPU; elsewhere oneDNN keeps the layers) and {@value #PROPERTY} is not
   * {@code false}. The convolution layer also requires Winograd inference to be on
   * ({@code beed.onednn.winograd}).
   */
  public static boolean enabled() {
    return HostFloats.vectorLoopsRun() && FloatVector.SPECIES_PREFERRED.length() == CHANNELS
        && !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true"));
  }

  /** Whether {@link #forwardWithStem} may take the layers it is built for: {@link #enabled} and {@value #STEM_PROPERTY} not {@code false}. */
  public static boolean stemEnabled() {
    return enabled() && !"false".equalsIgnoreCase(System.getProperty(STEM_PROPERTY, "true"));
  }

  /**
   * y = relu?(conv(x, w) + bias) for [N][H][W][16] maps x and y (dense float arrays of N*H*W*16
   * elements), the weights as {@link WinogradWeights#update} left them.
   *
   * @throws IllegalArgumentException when an array does not hold N*H*W*16 dense floats
   */
  public static void forward(INDArray x, int batch, int height, int width, WinogradWeights weights, boolean relu, INDArray y) {
    forward(x, batch, height, width, weights, null, relu, y);
  }

  /**
   * y = relu?(conv(x, w) + bias + residual): a residual block's second convolution with the block's
   * sum (and the ReLU after it) done in the output transform, which spares the sum's own pass over
   * three maps. The residual is a map of y's layout and size; null adds nothing.
   *
   * @throws IllegalArgumentException when an array does not hold N*H*W*16 dense floats
   */
  public static void forward(INDArray x, int batch, int height, int width, WinogradWeights weights, INDArray residual,
      boolean relu, INDArray y) {
    long elements = (long) batch * height * width * CHANNELS;
    for (INDArray a : residual == null ? new INDArray[] {x, y} : new INDArray[] {x, y, residual}) {
      if (!HostFloats.isContiguous(a) || a.length() != elements) {
        throw new IllegalArgumentException("JavaWinograd: expected dense float maps of " + batch + "x" + height + "x" + width
            + "x16 elements, got " + a.shapeInfoToString());
      }
    }
    Maps maps = new Maps(HostFloats.bytes(x), HostFloats.byteOffset(x), HostFloats.bytes(y), HostFloats.byteOffset(y),
        residual == null ? null : HostFloats.bytes(residual), residual == null ? 0 : HostFloats.byteOffset(residual),
        height, width, relu ? 0f : Float.NEGATIVE_INFINITY, elements * Float.BYTES >= READ_AHEAD_MAP_BYTES);
    run(maps, weights, null, batch);
    HostFloats.keepAlive(x, y, residual);
  }

  /**
   * y = relu?(conv(x, w) + bias + stem(image)): the first residual block's second convolution of a
   * network whose shortcut is its linear stem (a 3x3, stride-1, padding-1 convolution of the image's
   * C channels into 16, its BN folded, no ReLU). The output transform computes the stem's 16 outputs
   * of each pixel from the image, nine taps a channel, instead of reading them from a stem map: the
   * stem then need not run at all, and a map of 16 channels is neither written nor read back.
   *
   * @param image the network input, [N][C][H][W], or [N][H][W][C] with {@code imageChannelsLast}
   * @throws IllegalArgumentException when a map does not hold N*H*W*16 dense floats or the image N*H*W*C
   */
  public static void forwardWithStem(INDArray x, int batch, int height, int width, WinogradWeights weights, INDArray image,
      boolean imageChannelsLast, StemShortcutWeights stem, boolean relu, INDArray y) {
    long elements = (long) batch * height * width * CHANNELS;
    for (INDArray a : new INDArray[] {x, y}) {
      if (!HostFloats.isContiguous(a) || a.length() != elements) {
        throw new IllegalArgumentException("JavaWinograd: expected dense float maps of " + batch + "x" + height + "x" + width
            + "x16 elements, got " + a.shapeInfoToString());
      }
    }
    int c = stem.channels();
    if (!HostFloats.isContiguous(image) || image.length() != (long) batch * height * width * c) {
      throw new IllegalArgumentException("JavaWinograd: expected a dense float image of " + batch + "x" + c + "x" + height + "x"
          + width + " elements for the stem, got " + image.shapeInfoToString());
    }
    Maps maps = new Maps(HostFloats.bytes(x), HostFloats.byteOffset(x), HostFloats.bytes(y), HostFloats.byteOffset(y), null, 0,
        height, width, relu ? 0f : Float.NEGATIVE_INFINITY, elements * Float.BYTES >= READ_AHEAD_MAP_BYTES);
    Stem source = Stem.of(image, imageChannelsLast, batch, c, height, maps.tilesWide() * 4 + 2, width, stem);
    run(maps, weights, source, batch);
    HostFloats.keepAlive(x, y, image);
  }

  /** Runs every group of tiles, in parallel when there are several. */
  private static void run(Maps maps, WinogradWeights weights, Stem stem, int batch) {
    long tiles = (long) batch * maps.tilesPerImage();
    int groups = (int) ((tiles + TILES - 1) / TILES);
    IntStream range = IntStream.range(0, groups);
    (groups > 1 ? range.parallel() : range).forEach(group ->
        runGroup(maps, weights, stem, group, (int) Math.min(TILES, tiles - (long) group * TILES)));
  }

  /**
   * The maps' memory (the residual's null when there is none) and geometry, the floor of the
   * output (0 with the ReLU, else -infinity), and whether each group reads its rows ahead.
   */
  private record Maps(ByteBuffer in, int inBase, ByteBuffer out, int outBase, ByteBuffer residual, int residualBase,
      int height, int width, float floor, boolean readAhead) {
    int tilesWide() {
      return (width + 3) / 4;
    }

    int tilesPerImage() {
      return ((height + 3) / 4) * tilesWide();
    }

    /** Byte offset of pixel (h, w) of image n, from a map's base. */
    int pixel(int n, int h, int w) {
      return ((n * height + h) * width + w) * PIXEL_BYTES;
    }
  }

  /**
   * The image a stem shortcut is computed from ({@link #forwardWithStem}), copied channel-first with
   * a border of zeros (the stem's padding: one row above and one column on the left, and below and
   * on the right up to the last tile's end plus one), so that the loops read any pixel a tile needs
   * without a branch; with the stem's folded taps [C][3][3][16] and bias [16]. The copy is a 16th of
   * the map's size per image channel.
   */
  private record Stem(float[] padded, int channels, int rows, int columns, float[] taps, float[] bias) {
    /**
     * The stem's source for {@code image}: its padded copy in the calling thread's buffer (made
     * anew only when the geometry changes, so the border of zeros is written once: a fresh megabyte
     * per batch made the JVM collect garbage often enough to double the copy's cost).
     */
    static Stem of(INDArray image, boolean channelsLast, int batch, int channels, int height, int columns, int width,
        StemShortcutWeights weights) {
      int rows = (height + 3) / 4 * 4 + 2;  // a tile's six rows, also where the last tile row sticks out of the map
      PaddedImage buffer = PADDED.get();
      float[] padded = buffer.fitting(batch, channels, height, width, rows * columns);
      java.nio.FloatBuffer in = HostFloats.bytes(image).duplicate().order(ORDER).position(HostFloats.byteOffset(image)).slice()
          .order(ORDER).asFloatBuffer();
      IntStream images = IntStream.range(0, batch);
      (batch > 1 ? images.parallel() : images).forEach(n -> {
        for (int c = 0; c < channels; c++) {
          for (int h = 0; h < height; h++) {
            int to = ((n * channels + c) * rows + h + 1) * columns + 1;
            if (channelsLast) {
              for (int w = 0; w < width; w++) {
                padded[to + w] = in.get(((n * height + h) * width + w) * channels + c);
              }
            } else {
              in.get(((n * channels + c) * height + h) * width, padded, to, width);
            }
          }
        }
      });
      return new Stem(padded, channels, rows, columns, weights.taps(), weights.bias());
    }

    /** Index in {@link #padded} of image n's channel 0 at row h - 1, column w0 - 1 of the image: a stem output (h, w0)'s first tap. */
    int corner(int n, int h, int w0) {
      return (n * channels * rows + h) * columns + w0;
    }
  }

  /**
   * A thread's buffer for padded stem images, kept while the images keep their number, channels and
   * size: then the border holds zeros from when it was made. (Images of another size may pad to the
   * same buffer size, with pixels of the last ones where their border lies.)
   */
  private static final class PaddedImage {
    private float[] floats = new float[0];
    private final int[] geometry = new int[4];

    /** The buffer for {@code batch} images of this many channels and this size, of {@code plane} floats a channel; zeros when new. */
    float[] fitting(int batch, int channels, int height, int width, int plane) {
      int[] now = {batch, channels, height, width};
      if (!java.util.Arrays.equals(now, geometry)) {
        floats = new float[batch * channels * plane];
        System.arraycopy(now, 0, geometry, 0, now.length);
      }
      return floats;
    }
  }

  private static final ThreadLocal<PaddedImage> PADDED = ThreadLocal.withInitial(PaddedImage::new);

  /** Transforms, multiplies and writes back the {@code count} tiles of one group. */
  private static void runGroup(Maps maps, WinogradWeights weights, Stem stem, int group, int count) {
    Scratch scratch = SCRATCH.get();
    int first = group * TILES;
    int perImage = maps.tilesPerImage();
    int wide = maps.tilesWide();
    if (maps.readAhead()) {
      scratch.sink ^= readAhead(maps, first, first + count - 1);
    }
    for (int t = 0; t < count; t++) {
      int tile = first + t;
      int n = tile / perImage;
      int h0 = (tile % perImage) / wide * 4;
      int w0 = tile % wide * 4;
      for (int j = 0; j < 6; j++) {
        inputColumn(maps, n, h0 - 1, w0 - 1 + j, scratch.rows, j);
      }
      for (int i = 0; i < 6; i++) {
        inputRow(scratch.rows, i, scratch.tiles, t);
      }
    }
    float[] kernels = weights.kernels();
    for (int position = 0; position < POSITIONS; position++) {
      products(scratch.tiles, kernels, position);
    }
    float[] bias = weights.bias();
    for (int t = 0; t < count; t++) {
      int tile = first + t;
      int n = tile / perImage;
      int h0 = (tile % perImage) / wide * 4;
      int w0 = tile % wide * 4;
      for (int j = 0; j < 6; j++) {
        outputColumn(scratch.tiles, t, j, scratch.rows);
      }
      if (stem != null) {
        stemTile(stem, n, h0, w0, scratch.shortcut);
      }
      for (int i = 0; i < 4 && h0 + i < maps.height(); i++) {
        outputRow(scratch.rows, i, maps, n, h0 + i, w0, bias, stem == null ? null : scratch.shortcut);
      }
    }
  }

  /**
   * Reads one int of every cache line of the map rows that tiles {@code first..last} read and
   * write, front to back, before the transforms touch them: the transforms' scattered loads and
   * stores otherwise wait on memory line by line (the Java loops have no prefetch), where a sweep in
   * address order streams. On the 2-core VM this took the output transform from 3.3 to 1.8 ms per
   * batch of 256 32x32 maps on one thread, the layer from 10.0 to 9.0 ms (bench/HISTORY.md,
   * "Nineteenth pass").
   *
   * @return the xor of what it read, for the caller to keep
   */
  private static int readAhead(Maps maps, int first, int last) {
    int perImage = maps.tilesPerImage();
    int wide = maps.tilesWide();
    int height = maps.height();
    int top = first % perImage / wide * 4;  // the first tile's first output row
    int bottom = Math.min(last % perImage / wide * 4 + 3, height - 1);  // the last tile's last output row
    int outFrom = maps.pixel(first / perImage, top, 0);
    int outTo = maps.pixel(last / perImage, bottom, maps.width() - 1);
    int sum = sweep(maps.out(), maps.outBase() + outFrom, maps.outBase() + outTo);
    if (maps.residual() != null) {
      sum ^= sweep(maps.residual(), maps.residualBase() + outFrom, maps.residualBase() + outTo);
    }
    int inFrom = maps.pixel(first / perImage, Math.max(top - 1, 0), 0);  // the input adds a row of padding on each side
    int inTo = maps.pixel(last / perImage, Math.min(bottom + 1, height - 1), maps.width() - 1);
    return sum ^ sweep(maps.in(), maps.inBase() + inFrom, maps.inBase() + inTo);
  }

  /** The xor of one int per 64 bytes of {@code bytes[from, to]}. */
  private static int sweep(ByteBuffer bytes, int from, int to) {
    int sum = 0;
    for (int at = from; at <= to; at += 64) {
      sum ^= bytes.getInt(at);
    }
    return sum;
  }

  /*
   * The transforms below are written out per column and per row, each method loading and storing its
   * own vectors: a method that took or returned vectors, or grew past the JIT's inlining budget, made
   * the JDK 17 compiler box them (several times slower).
   */

  /** B^T over the six rows of input column w (zeros outside the map), into rows[r][j]. */
  private static void inputColumn(Maps maps, int n, int h0, int w, float[] rows, int j) {
    FloatVector zero = FloatVector.zero(SPECIES);
    boolean inside = w >= 0 && w < maps.width();
    int rowBytes = maps.width() * PIXEL_BYTES;
    int top = maps.inBase() + maps.pixel(n, h0, w);  // pixel (h0, w), read only where it lies inside the map
    ByteBuffer in = maps.in();
    int height = maps.height();
    // h0 >= -1 (padding 1), so only row 0 can lie above the map
    FloatVector d0 = inside && h0 >= 0 ? FloatVector.fromByteBuffer(SPECIES, in, top, ORDER) : zero;
    FloatVector d1 = inside && h0 + 1 < height ? FloatVector.fromByteBuffer(SPECIES, in, top + rowBytes, ORDER) : zero;
    FloatVector d2 = inside && h0 + 2 < height ? FloatVector.fromByteBuffer(SPECIES, in, top + 2 * rowBytes, ORDER) : zero;
    FloatVector d3 = inside && h0 + 3 < height ? FloatVector.fromByteBuffer(SPECIES, in, top + 3 * rowBytes, ORDER) : zero;
    FloatVector d4 = inside && h0 + 4 < height ? FloatVector.fromByteBuffer(SPECIES, in, top + 4 * rowBytes, ORDER) : zero;
    FloatVector d5 = inside && h0 + 5 < height ? FloatVector.fromByteBuffer(SPECIES, in, top + 5 * rowBytes, ORDER) : zero;
    int step = 6 * CHANNELS;
    int o = j * CHANNELS;
    d0.mul(4f).add(d4).sub(d2.mul(5f)).intoArray(rows, o);
    FloatVector a = d4.sub(d2.mul(4f));
    FloatVector b = d3.sub(d1.mul(4f));
    a.add(b).intoArray(rows, o + step);
    a.sub(b).intoArray(rows, o + 2 * step);
    FloatVector c = d4.sub(d2);
    FloatVector e = d3.sub(d1).mul(2f);
    c.add(e).intoArray(rows, o + 3 * step);
    c.sub(e).intoArray(rows, o + 4 * step);
    d1.mul(4f).add(d5).sub(d3.mul(5f)).intoArray(rows, o + 5 * step);
  }

  /** B^T along row i of the half-transformed tile, into the group's V at positions (i, 0..5) of tile t. */
  private static void inputRow(float[] rows, int i, float[] tiles, int t) {
    int r = i * 6 * CHANNELS;
    FloatVector d0 = FloatVector.fromArray(SPECIES, rows, r);
    FloatVector d1 = FloatVector.fromArray(SPECIES, rows, r + CHANNELS);
    FloatVector d2 = FloatVector.fromArray(SPECIES, rows, r + 2 * CHANNELS);
    FloatVector d3 = FloatVector.fromArray(SPECIES, rows, r + 3 * CHANNELS);
    FloatVector d4 = FloatVector.fromArray(SPECIES, rows, r + 4 * CHANNELS);
    FloatVector d5 = FloatVector.fromArray(SPECIES, rows, r + 5 * CHANNELS);
    int step = TILES * CHANNELS;
    int o = (i * 6 * TILES + t) * CHANNELS;
    d0.mul(4f).add(d4).sub(d2.mul(5f)).intoArray(tiles, o);
    FloatVector a = d4.sub(d2.mul(4f));
    FloatVector b = d3.sub(d1.mul(4f));
    a.add(b).intoArray(tiles, o + step);
    a.sub(b).intoArray(tiles, o + 2 * step);
    FloatVector c = d4.sub(d2);
    FloatVector e = d3.sub(d1).mul(2f);
    c.add(e).intoArray(tiles, o + 3 * step);
    c.sub(e).intoArray(tiles, o + 4 * step);
    d1.mul(4f).add(d5).sub(d3.mul(5f)).intoArray(tiles, o + 5 * step);
  }

  /**
   * The products of one position of the transformed tiles: for each of the group's tiles t,
   * M[t] = sum over input channels c of V[t][c] * U[c] (U[c] a vector over the output channels),
   * written over V (each position's V is read in full before it is overwritten).
   */
  private static void products(float[] v, float[] kernels, int position) {
    int base = position * TILES * CHANNELS;
    int kernelBase = position * CHANNELS * CHANNELS;
    FloatVector zero = FloatVector.zero(SPECIES);
    FloatVector
        a0 = zero, a1 = zero, a2 = zero, a3 = zero, a4 = zero, a5 = zero,
        a6 = zero, a7 = zero, a8 = zero, a9 = zero, a10 = zero, a11 = zero,
        a12 = zero, a13 = zero, a14 = zero, a15 = zero, a16 = zero, a17 = zero,
        a18 = zero, a19 = zero, a20 = zero, a21 = zero, a22 = zero, a23 = zero;
    for (int c = 0; c < CHANNELS; c++) {
      FloatVector u = FloatVector.fromArray(SPECIES, kernels, kernelBase + c * CHANNELS);
      a0 = FloatVector.broadcast(SPECIES, v[base + 0 * CHANNELS + c]).fma(u, a0);
      a1 = FloatVector.broadcast(SPECIES, v[base + 1 * CHANNELS + c]).fma(u, a1);
      a2 = FloatVector.broadcast(SPECIES, v[base + 2 * CHANNELS + c]).fma(u, a2);
      a3 = FloatVector.broadcast(SPECIES, v[base + 3 * CHANNELS + c]).fma(u, a3);
      a4 = FloatVector.broadcast(SPECIES, v[base + 4 * CHANNELS + c]).fma(u, a4);
      a5 = FloatVector.broadcast(SPECIES, v[base + 5 * CHANNELS + c]).fma(u, a5);
      a6 = FloatVector.broadcast(SPECIES, v[base + 6 * CHANNELS + c]).fma(u, a6);
      a7 = FloatVector.broadcast(SPECIES, v[base + 7 * CHANNELS + c]).fma(u, a7);
      a8 = FloatVector.broadcast(SPECIES, v[base + 8 * CHANNELS + c]).fma(u, a8);
      a9 = FloatVector.broadcast(SPECIES, v[base + 9 * CHANNELS + c]).fma(u, a9);
      a10 = FloatVector.broadcast(SPECIES, v[base + 10 * CHANNELS + c]).fma(u, a10);
      a11 = FloatVector.broadcast(SPECIES, v[base + 11 * CHANNELS + c]).fma(u, a11);
      a12 = FloatVector.broadcast(SPECIES, v[base + 12 * CHANNELS + c]).fma(u, a12);
      a13 = FloatVector.broadcast(SPECIES, v[base + 13 * CHANNELS + c]).fma(u, a13);
      a14 = FloatVector.broadcast(SPECIES, v[base + 14 * CHANNELS + c]).fma(u, a14);
      a15 = FloatVector.broadcast(SPECIES, v[base + 15 * CHANNELS + c]).fma(u, a15);
      a16 = FloatVector.broadcast(SPECIES, v[base + 16 * CHANNELS + c]).fma(u, a16);
      a17 = FloatVector.broadcast(SPECIES, v[base + 17 * CHANNELS + c]).fma(u, a17);
      a18 = FloatVector.broadcast(SPECIES, v[base + 18 * CHANNELS + c]).fma(u, a18);
      a19 = FloatVector.broadcast(SPECIES, v[base + 19 * CHANNELS + c]).fma(u, a19);
      a20 = FloatVector.broadcast(SPECIES, v[base + 20 * CHANNELS + c]).fma(u, a20);
      a21 = FloatVector.broadcast(SPECIES, v[base + 21 * CHANNELS + c]).fma(u, a21);
      a22 = FloatVector.broadcast(SPECIES, v[base + 22 * CHANNELS + c]).fma(u, a22);
      a23 = FloatVector.broadcast(SPECIES, v[base + 23 * CHANNELS + c]).fma(u, a23);
    }
    a0.intoArray(v, base + 0 * CHANNELS);
    a1.intoArray(v, base + 1 * CHANNELS);
    a2.intoArray(v, base + 2 * CHANNELS);
    a3.intoArray(v, base + 3 * CHANNELS);
    a4.intoArray(v, base + 4 * CHANNELS);
    a5.intoArray(v, base + 5 * CHANNELS);
    a6.intoArray(v, base + 6 * CHANNELS);
    a7.intoArray(v, base + 7 * CHANNELS);
    a8.intoArray(v, base + 8 * CHANNELS);
    a9.intoArray(v, base + 9 * CHANNELS);
    a10.intoArray(v, base + 10 * CHANNELS);
    a11.intoArray(v, base + 11 * CHANNELS);
    a12.intoArray(v, base + 12 * CHANNELS);
    a13.intoArray(v, base + 13 * CHANNELS);
    a14.intoArray(v, base + 14 * CHANNELS);
    a15.intoArray(v, base + 15 * CHANNELS);
    a16.intoArray(v, base + 16 * CHANNELS);
    a17.intoArray(v, base + 17 * CHANNELS);
    a18.intoArray(v, base + 18 * CHANNELS);
    a19.intoArray(v, base + 19 * CHANNELS);
    a20.intoArray(v, base + 20 * CHANNELS);
    a21.intoArray(v, base + 21 * CHANNELS);
    a22.intoArray(v, base + 22 * CHANNELS);
    a23.intoArray(v, base + 23 * CHANNELS);
  }

  /** A^T down column j of tile t's products, into rows[0..3][j]. */
  private static void outputColumn(float[] tiles, int t, int j, float[] rows) {
    int step = 6 * TILES * CHANNELS;
    int m = (j * TILES + t) * CHANNELS;
    FloatVector m0 = FloatVector.fromArray(SPECIES, tiles, m);
    FloatVector m1 = FloatVector.fromArray(SPECIES, tiles, m + step);
    FloatVector m2 = FloatVector.fromArray(SPECIES, tiles, m + 2 * step);
    FloatVector m3 = FloatVector.fromArray(SPECIES, tiles, m + 3 * step);
    FloatVector m4 = FloatVector.fromArray(SPECIES, tiles, m + 4 * step);
    FloatVector m5 = FloatVector.fromArray(SPECIES, tiles, m + 5 * step);
    FloatVector a = m1.add(m2);
    FloatVector b = m1.sub(m2);
    FloatVector c = m3.add(m4);
    FloatVector d = m3.sub(m4);
    int o = j * CHANNELS;
    int rowStep = 6 * CHANNELS;
    m0.add(a).add(c).intoArray(rows, o);
    b.add(d.mul(2f)).intoArray(rows, o + rowStep);
    a.add(c.mul(4f)).intoArray(rows, o + 2 * rowStep);
    b.add(d.mul(8f)).add(m5).intoArray(rows, o + 3 * rowStep);
  }

  /**
   * The stem's outputs over the 4x4 tile at (h0, w0) into {@code shortcut}[row][column][16]: the
   * bias plus, for each image channel, three taps a kernel row over the six padded image rows and
   * columns the tile reads, summed over channels, kernel rows and columns in that order. Written out
   * with 16 accumulators (one per pixel) so that each broadcast pixel feeds up to 12 independent
   * FMAs; vectors stay in this method and the loop calls nothing, so the compiler keeps them in
   * registers.
   */
  private static void stemTile(Stem stem, int n, int h0, int w0, float[] shortcut) {
    float[] taps = stem.taps();
    float[] image = stem.padded();
    int columns = stem.columns();
    int plane = stem.rows() * columns;
    FloatVector bias = FloatVector.fromArray(SPECIES, stem.bias(), 0);
    FloatVector a00 = bias, a01 = bias, a02 = bias, a03 = bias;
    FloatVector a10 = bias, a11 = bias, a12 = bias, a13 = bias;
    FloatVector a20 = bias, a21 = bias, a22 = bias, a23 = bias;
    FloatVector a30 = bias, a31 = bias, a32 = bias, a33 = bias;
    for (int c = 0; c < stem.channels(); c++) {
      int p = stem.corner(n, h0, w0) + c * plane;
      int t = c * 9 * CHANNELS;
      FloatVector k00 = FloatVector.fromArray(SPECIES, taps, t + 0 * CHANNELS);
      FloatVector k01 = FloatVector.fromArray(SPECIES, taps, t + 1 * CHANNELS);
      FloatVector k02 = FloatVector.fromArray(SPECIES, taps, t + 2 * CHANNELS);
      FloatVector k10 = FloatVector.fromArray(SPECIES, taps, t + 3 * CHANNELS);
      FloatVector k11 = FloatVector.fromArray(SPECIES, taps, t + 4 * CHANNELS);
      FloatVector k12 = FloatVector.fromArray(SPECIES, taps, t + 5 * CHANNELS);
      FloatVector k20 = FloatVector.fromArray(SPECIES, taps, t + 6 * CHANNELS);
      FloatVector k21 = FloatVector.fromArray(SPECIES, taps, t + 7 * CHANNELS);
      FloatVector k22 = FloatVector.fromArray(SPECIES, taps, t + 8 * CHANNELS);
      int q0 = p + 0 * columns;
      FloatVector x00 = FloatVector.broadcast(SPECIES, image[q0 + 0]);
      FloatVector x01 = FloatVector.broadcast(SPECIES, image[q0 + 1]);
      FloatVector x02 = FloatVector.broadcast(SPECIES, image[q0 + 2]);
      FloatVector x03 = FloatVector.broadcast(SPECIES, image[q0 + 3]);
      FloatVector x04 = FloatVector.broadcast(SPECIES, image[q0 + 4]);
      FloatVector x05 = FloatVector.broadcast(SPECIES, image[q0 + 5]);
      a00 = x02.fma(k02, x01.fma(k01, x00.fma(k00, a00)));
      a01 = x03.fma(k02, x02.fma(k01, x01.fma(k00, a01)));
      a02 = x04.fma(k02, x03.fma(k01, x02.fma(k00, a02)));
      a03 = x05.fma(k02, x04.fma(k01, x03.fma(k00, a03)));
      int q1 = p + 1 * columns;
      FloatVector x10 = FloatVector.broadcast(SPECIES, image[q1 + 0]);
      FloatVector x11 = FloatVector.broadcast(SPECIES, image[q1 + 1]);
      FloatVector x12 = FloatVector.broadcast(SPECIES, image[q1 + 2]);
      FloatVector x13 = FloatVector.broadcast(SPECIES, image[q1 + 3]);
      FloatVector x14 = FloatVector.broadcast(SPECIES, image[q1 + 4]);
      FloatVector x15 = FloatVector.broadcast(SPECIES, image[q1 + 5]);
      a00 = x12.fma(k12, x11.fma(k11, x10.fma(k10, a00)));
      a01 = x13.fma(k12, x12.fma(k11, x11.fma(k10, a01)));
      a02 = x14.fma(k12, x13.fma(k11, x12.fma(k10, a02)));
      a03 = x15.fma(k12, x14.fma(k11, x13.fma(k10, a03)));
      a10 = x12.fma(k02, x11.fma(k01, x10.fma(k00, a10)));
      a11 = x13.fma(k02, x12.fma(k01, x11.fma(k00, a11)));
      a12 = x14.fma(k02, x13.fma(k01, x12.fma(k00, a12)));
      a13 = x15.fma(k02, x14.fma(k01, x13.fma(k00, a13)));
      int q2 = p + 2 * columns;
      FloatVector x20 = FloatVector.broadcast(SPECIES, image[q2 + 0]);
      FloatVector x21 = FloatVector.broadcast(SPECIES, image[q2 + 1]);
      FloatVector x22 = FloatVector.broadcast(SPECIES, image[q2 + 2]);
      FloatVector x23 = FloatVector.broadcast(SPECIES, image[q2 + 3]);
      FloatVector x24 = FloatVector.broadcast(SPECIES, image[q2 + 4]);
      FloatVector x25 = FloatVector.broadcast(SPECIES, image[q2 + 5]);
      a00 = x22.fma(k22, x21.fma(k21, x20.fma(k20, a00)));
      a01 = x23.fma(k22, x22.fma(k21, x21.fma(k20, a01)));
      a02 = x24.fma(k22, x23.fma(k21, x22.fma(k20, a02)));
      a03 = x25.fma(k22, x24.fma(k21, x23.fma(k20, a03)));
      a10 = x22.fma(k12, x21.fma(k11, x20.fma(k10, a10)));
      a11 = x23.fma(k12, x22.fma(k11, x21.fma(k10, a11)));
      a12 = x24.fma(k12, x23.fma(k11, x22.fma(k10, a12)));
      a13 = x25.fma(k12, x24.fma(k11, x23.fma(k10, a13)));
      a20 = x22.fma(k02, x21.fma(k01, x20.fma(k00, a20)));
      a21 = x23.fma(k02, x22.fma(k01, x21.fma(k00, a21)));
      a22 = x24.fma(k02, x23.fma(k01, x22.fma(k00, a22)));
      a23 = x25.fma(k02, x24.fma(k01, x23.fma(k00, a23)));
      int q3 = p + 3 * columns;
      FloatVector x30 = FloatVector.broadcast(SPECIES, image[q3 + 0]);
      FloatVector x31 = FloatVector.broadcast(SPECIES, image[q3 + 1]);
      FloatVector x32 = FloatVector.broadcast(SPECIES, image[q3 + 2]);
      FloatVector x33 = FloatVector.broadcast(SPECIES, image[q3 + 3]);
      FloatVector x34 = FloatVector.broadcast(SPECIES, image[q3 + 4]);
      FloatVector x35 = FloatVector.broadcast(SPECIES, image[q3 + 5]);
      a10 = x32.fma(k22, x31.fma(k21, x30.fma(k20, a10)));
      a11 = x33.fma(k22, x32.fma(k21, x31.fma(k20, a11)));
      a12 = x34.fma(k22, x33.fma(k21, x32.fma(k20, a12)));
      a13 = x35.fma(k22, x34.fma(k21, x33.fma(k20, a13)));
      a20 = x32.fma(k12, x31.fma(k11, x30.fma(k10, a20)));
      a21 = x33.fma(k12, x32.fma(k11, x31.fma(k10, a21)));
      a22 = x34.fma(k12, x33.fma(k11, x32.fma(k10, a22)));
      a23 = x35.fma(k12, x34.fma(k11, x33.fma(k10, a23)));
      a30 = x32.fma(k02, x31.fma(k01, x30.fma(k00, a30)));
      a31 = x33.fma(k02, x32.fma(k01, x31.fma(k00, a31)));
      a32 = x34.fma(k02, x33.fma(k01, x32.fma(k00, a32)));
      a33 = x35.fma(k02, x34.fma(k01, x33.fma(k00, a33)));
      int q4 = p + 4 * columns;
      FloatVector x40 = FloatVector.broadcast(SPECIES, image[q4 + 0]);
      FloatVector x41 = FloatVector.broadcast(SPECIES, image[q4 + 1]);
      FloatVector x42 = FloatVector.broadcast(SPECIES, image[q4 + 2]);
      FloatVector x43 = FloatVector.broadcast(SPECIES, image[q4 + 3]);
      FloatVector x44 = FloatVector.broadcast(SPECIES, image[q4 + 4]);
      FloatVector x45 = FloatVector.broadcast(SPECIES, image[q4 + 5]);
      a20 = x42.fma(k22, x41.fma(k21, x40.fma(k20, a20)));
      a21 = x43.fma(k22, x42.fma(k21, x41.fma(k20, a21)));
      a22 = x44.fma(k22, x43.fma(k21, x42.fma(k20, a22)));
      a23 = x45.fma(k22, x44.fma(k21, x43.fma(k20, a23)));
      a30 = x42.fma(k12, x41.fma(k11, x40.fma(k10, a30)));
      a31 = x43.fma(k12, x42.fma(k11, x41.fma(k10, a31)));
      a32 = x44.fma(k12, x43.fma(k11, x42.fma(k10, a32)));
      a33 = x45.fma(k12, x44.fma(k11, x43.fma(k10, a33)));
      int q5 = p + 5 * columns;
      FloatVector x50 = FloatVector.broadcast(SPECIES, image[q5 + 0]);
      FloatVector x51 = FloatVector.broadcast(SPECIES, image[q5 + 1]);
      FloatVector x52 = FloatVector.broadcast(SPECIES, image[q5 + 2]);
      FloatVector x53 = FloatVector.broadcast(SPECIES, image[q5 + 3]);
      FloatVector x54 = FloatVector.broadcast(SPECIES, image[q5 + 4]);
      FloatVector x55 = FloatVector.broadcast(SPECIES, image[q5 + 5]);
      a30 = x52.fma(k22, x51.fma(k21, x50.fma(k20, a30)));
      a31 = x53.fma(k22, x52.fma(k21, x51.fma(k20, a31)));
      a32 = x54.fma(k22, x53.fma(k21, x52.fma(k20, a32)));
      a33 = x55.fma(k22, x54.fma(k21, x53.fma(k20, a33)));
    }
    a00.intoArray(shortcut, 0 * CHANNELS);
    a01.intoArray(shortcut, 1 * CHANNELS);
    a02.intoArray(shortcut, 2 * CHANNELS);
    a03.intoArray(shortcut, 3 * CHANNELS);
    a10.intoArray(shortcut, 4 * CHANNELS);
    a11.intoArray(shortcut, 5 * CHANNELS);
    a12.intoArray(shortcut, 6 * CHANNELS);
    a13.intoArray(shortcut, 7 * CHANNELS);
    a20.intoArray(shortcut, 8 * CHANNELS);
    a21.intoArray(shortcut, 9 * CHANNELS);
    a22.intoArray(shortcut, 10 * CHANNELS);
    a23.intoArray(shortcut, 11 * CHANNELS);
    a30.intoArray(shortcut, 12 * CHANNELS);
    a31.intoArray(shortcut, 13 * CHANNELS);
    a32.intoArray(shortcut, 14 * CHANNELS);
    a33.intoArray(shortcut, 15 * CHANNELS);
  }

  /**
   * A^T along row i of the half-transformed output, plus the bias and any residual (a map's, or the
   * stem's outputs in {@code shortcut}), floored, into output row h from column w0.
   */
  private static void outputRow(float[] rows, int i, Maps maps, int n, int h, int w0, float[] bias, float[] shortcut) {
    int r = i * 6 * CHANNELS;
    FloatVector m0 = FloatVector.fromArray(SPECIES, rows, r);
    FloatVector m1 = FloatVector.fromArray(SPECIES, rows, r + CHANNELS);
    FloatVector m2 = FloatVector.fromArray(SPECIES, rows, r + 2 * CHANNELS);
    FloatVector m3 = FloatVector.fromArray(SPECIES, rows, r + 3 * CHANNELS);
    FloatVector m4 = FloatVector.fromArray(SPECIES, rows, r + 4 * CHANNELS);
    FloatVector m5 = FloatVector.fromArray(SPECIES, rows, r + 5 * CHANNELS);
    FloatVector shift = FloatVector.fromArray(SPECIES, bias, 0);
    FloatVector floor = FloatVector.broadcast(SPECIES, maps.floor());
    FloatVector a = m1.add(m2);
    FloatVector b = m1.sub(m2);
    FloatVector c = m3.add(m4);
    FloatVector d = m3.sub(m4);
    FloatVector y0 = m0.add(a).add(c).add(shift);
    FloatVector y1 = b.add(d.mul(2f)).add(shift);
    FloatVector y2 = a.add(c.mul(4f)).add(shift);
    FloatVector y3 = b.add(d.mul(8f)).add(m5).add(shift);
    int pixel = maps.pixel(n, h, w0);
    int at = maps.outBase() + pixel;
    int left = maps.width() - w0;  // the last tile of a row may stick out of the map
    ByteBuffer residual = maps.residual();
    if (residual != null) {  // the residual block's sum: read only the pixels that lie inside the map
      int from = maps.residualBase() + pixel;
      y0 = y0.add(FloatVector.fromByteBuffer(SPECIES, residual, from, ORDER));
      y1 = left > 1 ? y1.add(FloatVector.fromByteBuffer(SPECIES, residual, from + PIXEL_BYTES, ORDER)) : y1;
      y2 = left > 2 ? y2.add(FloatVector.fromByteBuffer(SPECIES, residual, from + 2 * PIXEL_BYTES, ORDER)) : y2;
      y3 = left > 3 ? y3.add(FloatVector.fromByteBuffer(SPECIES, residual, from + 3 * PIXEL_BYTES, ORDER)) : y3;
    }
    if (shortcut != null) {  // the stem's outputs of this row
      int row = i * 4 * CHANNELS;
      y0 = y0.add(FloatVector.fromArray(SPECIES, shortcut, row));
      y1 = y1.add(FloatVector.fromArray(SPECIES, shortcut, row + CHANNELS));
      y2 = y2.add(FloatVector.fromArray(SPECIES, shortcut, row + 2 * CHANNELS));
      y3 = y3.add(FloatVector.fromArray(SPECIES, shortcut, row + 3 * CHANNELS));
    }
    y0 = y0.max(floor);
    y1 = y1.max(floor);
    y2 = y2.max(floor);
    y3 = y3.max(floor);
    ByteBuffer out = maps.out();
    y0.intoByteBuffer(out, at, ORDER);
    if (left > 1) {
      y1.intoByteBuffer(out, at + PIXEL_BYTES, ORDER);
    }
    if (left > 2) {
      y2.intoByteBuffer(out, at + 2 * PIXEL_BYTES, ORDER);
    }
    if (left > 3) {
      y3.intoByteBuffer(out, at + 3 * PIXEL_BYTES, ORDER);
    }
  }
}
