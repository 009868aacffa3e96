package io.github.beedjava.engine.simd;

import io.github.beedjava.engine.layers.BatchNormFold;
import io.github.beedjava.engine.layout.BlockedActivations;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Batch-norm and ReLU-backward loops in SIMD registers, read and written in place in the native
 * memory of ND4J's arrays (no copy into Java arrays), with the JDK's Vector API. On AVX-512 a vector
 * holds 16 floats. This is the fast path of {@link JavaBatchNormHelper} and {@link JavaReluBackward};
 * it is only loaded when {@link HostFloats#vectorApi()} says the JVM was started with
 * {@code --add-modules jdk.incubator.vector} (the launcher, the kernel spec and the tests do that).
 *
 * <p>Sums keep float lanes over one sample's H*W values of a channel (at most 1,024 here) and add
 * those partial sums in double, so the error does not grow with the batch.
 */
public final class VectorKernels {
  private VectorKernels() {}

  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = SPECIES.length();
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();

  /** An NCHW float map in native memory: byte buffer, byte offset of element 0, N, C, H*W. */
  public record Nchw(ByteBuffer bytes, int base, int n, int channels, int hw) {
    /** The map of a dense NCHW float array (see {@link HostFloats#isDense}) of at most 2 GiB. */
    public static Nchw of(org.nd4j.linalg.api.ndarray.INDArray a) {
      return new Nchw(HostFloats.bytes(a), HostFloats.byteOffset(a), (int) a.size(0), (int) a.size(1),
          (int) (a.size(2) * a.size(3)));
    }

    /** Byte offset of element (i, c, 0). */
    int at(int i, int c) {
      return base + ((i * channels + c) * hw) * Float.BYTES;
    }

    int perChannel() {
      return n * hw;
    }

    long length() {
      return (long) n * channels * hw;
    }
  }

  /**
   * Batch norm forward: y = x * scale + shift per channel. In training the biased batch statistics
   * are computed (two passes, mean first) and written to {@code mean} and {@code var}; otherwise
   * they are read from there. With {@code rectify} the pass writes max(y, 0) (the ReLU after the BN).
   */
  public static void batchNormForward(Nchw x, Nchw y, boolean training, float[] gamma, float[] beta, float[] mean, float[] var,
      double eps, boolean rectify) {
    int channels = x.channels();
    if (training) {
      channelMeans(perSampleAndChannel(x, (i, c) -> sum(x.bytes(), x.at(i, c), x.hw())), x, mean);
      channelMeans(perSampleAndChannel(x, (i, c) -> squaredDeviations(x.bytes(), x.at(i, c), x.hw(), mean[c])), x, var);
    }
    float[] scale = scale(gamma, var, eps);
    float[] shift = shift(beta, mean, scale);
    forEachSample(x, i -> {
      for (int c = 0; c < channels; c++) {
        affine(x.bytes(), x.at(i, c), y.bytes(), y.at(i, c), x.hw(), scale[c], shift[c], rectify);
      }
    });
  }

  /**
   * Batch norm backward with the batch statistics of the forward pass: dx from the output error
   * e, and per channel dGamma = sum(e * (x - mean)) / std and dBeta = sum(e).
   */
  public static void batchNormBackward(Nchw x, Nchw e, Nchw dx, float[] gamma, float[] mean, float[] var, double eps,
      float[] dGamma, float[] dBeta) {
    int channels = x.channels();
    int len = x.perChannel();
    double[] both = new double[2 * x.n() * channels];  // per (sample, channel): sum of e, sum of e * (x - mean)
    forEachSample(x, i -> {
      for (int c = 0; c < channels; c++) {
        sumAndDotCentred(e.bytes(), e.at(i, c), x.bytes(), x.at(i, c), x.hw(), mean[c], both, 2 * (i * channels + c));
      }
    });
    double[] sumE = new double[channels];
    double[] sumEX = new double[channels];
    for (int c = 0; c < channels; c++) {
      for (int i = 0; i < x.n(); i++) {
        sumE[c] += both[2 * (i * channels + c)];
        sumEX[c] += both[2 * (i * channels + c) + 1];
      }
    }
    Backward g = Backward.of(gamma, mean, var, eps, len, sumE, sumEX, dGamma, dBeta);
    forEachSample(x, i -> {
      for (int c = 0; c < channels; c++) {
        combine(e.bytes(), e.at(i, c), x.bytes(), x.at(i, c), dx.bytes(), dx.at(i, c), x.hw(), g.a[c], g.b[c], g.k[c]);
      }
    });
  }

  /** Whether this CPU's vectors hold one channel block of oneDNN's blocked layout ({@link BlockedActivations}). */
  public static boolean holdsChannelBlock() {
    return LANES == BlockedActivations.BLOCK;
  }

  /**
   * {@link #batchNormForward} on a map in oneDNN's blocked layout ({@link BlockedActivations}): each
   * vector is one pixel's block of channels (16 with AVX-512, 8 with AVX2), so every channel's sums
   * stay in their own lane. {@code x} and {@code y} describe the arrays by their logical NCHW shape;
   * the run of sample i's channel block b starts where NCHW's channel BLOCK*b would ({@link Nchw#at})
   * and holds H*W vectors.
   *
   * <p>In training the statistics take one pass over the map instead of two: the sums of d = x - K
   * and of d^2, with K each channel's mean over the first sample, give mean = K + E[d] and
   * var = E[d^2] - E[d]^2 exactly. Shifting by K, which lies near the batch mean, keeps the
   * subtraction from cancelling the digits the variance needs (unshifted one-pass sums would).
   *
   * <p>With {@code rectify} the pass writes max(y, 0): the ReLU after the BN, absorbed into its
   * output pass ({@link JavaBatchNormHelper#setAbsorbsRelu}).
   */
  public static void batchNormForwardBlocked(Nchw x, Nchw y, boolean training, float[] gamma, float[] beta, float[] mean,
      float[] var, double eps, boolean rectify) {
    requireChannelBlocks(x);
    int channels = x.channels();
    if (training) {
      shiftedStatisticsBlocked(x, mean, var);
    }
    float[] scale = scale(gamma, var, eps);
    float[] shift = shift(beta, mean, scale);
    forEachSample(x, i -> {
      for (int block = 0; block < channels; block += LANES) {
        FloatVector s = FloatVector.fromArray(SPECIES, scale, block);
        FloatVector t = FloatVector.fromArray(SPECIES, shift, block);
        int in = x.at(i, block);
        int out = y.at(i, block);
        if (rectify) {
          FloatVector zero = FloatVector.zero(SPECIES);
          for (int p = 0; p < x.hw(); p++) {
            int step = p * LANES * Float.BYTES;
            FloatVector.fromByteBuffer(SPECIES, x.bytes(), in + step, ORDER).fma(s, t).max(zero)
                .intoByteBuffer(y.bytes(), out + step, ORDER);
          }
        } else {
          for (int p = 0; p < x.hw(); p++) {
            int step = p * LANES * Float.BYTES;
            FloatVector.fromByteBuffer(SPECIES, x.bytes(), in + step, ORDER).fma(s, t)
                .intoByteBuffer(y.bytes(), out + step, ORDER);
          }
        }
      }
    });
  }

  /**
   * Copies a map in oneDNN's blocked layout ({@link #batchNormForwardBlocked} describes it) into
   * {@code y} in NCHW: channel {@code block + l} of a pixel is lane l of that pixel's vector. The
   * reads stride through one channel block's run (H*W vectors, in cache), the writes are sequential.
   */
  public static void blockedToNchw(Nchw x, Nchw y) {
    requireChannelBlocks(x);
    int hw = x.hw();
    forEachSample(x, i -> {
      for (int block = 0; block < x.channels(); block += LANES) {
        int run = x.at(i, block);
        for (int l = 0; l < LANES; l++) {
          int out = y.at(i, block + l);
          for (int p = 0; p < hw; p++) {
            y.bytes().putFloat(out + p * Float.BYTES, x.bytes().getFloat(run + (p * LANES + l) * Float.BYTES));
          }
        }
      }
    });
  }

  /**
   * Global average pooling of a blocked map ({@link #batchNormForwardBlocked} describes the layout)
   * into a dense [N, C] float array {@code means}: each pixel's vector added in pixel order, then divided
   * by H*W, lane by lane what a scalar loop over the channels computes.
   */
  public static void blockedChannelMeans(Nchw x, org.nd4j.linalg.api.ndarray.INDArray means) {
    requireChannelBlocks(x);
    ByteBuffer y = HostFloats.bytes(means);
    int yBase = HostFloats.byteOffset(means);
    float pixels = x.hw();
    forEachSample(x, i -> {
      for (int block = 0; block < x.channels(); block += LANES) {
        int run = x.at(i, block);
        FloatVector sum = FloatVector.zero(SPECIES);
        for (int p = 0; p < x.hw(); p++) {
          sum = sum.add(FloatVector.fromByteBuffer(SPECIES, x.bytes(), run + p * LANES * Float.BYTES, ORDER));
        }
        sum.div(pixels).intoByteBuffer(y, yBase + (i * x.channels() + block) * Float.BYTES, ORDER);
      }
    });
  }

  /**
   * The backward pass of {@link #blockedChannelMeans}: every pixel of channel c in sample i of the
   * blocked map {@code dx} gets e[i][c] / (H*W), from the dense [N, C] float error {@code error}.
   */
  public static void blockedChannelMeansBackward(org.nd4j.linalg.api.ndarray.INDArray error, Nchw dx) {
    requireChannelBlocks(dx);
    ByteBuffer e = HostFloats.bytes(error);
    int eBase = HostFloats.byteOffset(error);
    float pixels = dx.hw();
    forEachSample(dx, i -> {
      for (int block = 0; block < dx.channels(); block += LANES) {
        FloatVector share = FloatVector.fromByteBuffer(SPECIES, e, eBase + (i * dx.channels() + block) * Float.BYTES, ORDER)
            .div(pixels);
        int run = dx.at(i, block);
        for (int p = 0; p < dx.hw(); p++) {
          share.intoByteBuffer(dx.bytes(), run + p * LANES * Float.BYTES, ORDER);
        }
      }
    });
  }

  /**
   * The biased batch mean and variance of a blocked map in one pass (see
   * {@link #batchNormForwardBlocked}). Two accumulators per sum let consecutive vector adds overlap.
   */
  private static void shiftedStatisticsBlocked(Nchw x, float[] mean, float[] var) {
    int channels = x.channels();
    float[] shiftBy = new float[channels];
    for (int block = 0; block < channels; block += LANES) {
      FloatVector acc = FloatVector.zero(SPECIES);
      int base = x.at(0, block);
      for (int p = 0; p < x.hw(); p++) {
        acc = acc.add(FloatVector.fromByteBuffer(SPECIES, x.bytes(), base + p * LANES * Float.BYTES, ORDER));
      }
      acc.div((float) x.hw()).intoArray(shiftBy, block);
    }
    double[] sums = new double[x.n() * channels];  // per (sample, channel) as [N][C]: sum of d
    double[] squares = new double[x.n() * channels];  // and of d^2
    forEachSample(x, i -> {
      float[] lanes = new float[LANES];
      for (int block = 0; block < channels; block += LANES) {
        FloatVector k = FloatVector.fromArray(SPECIES, shiftBy, block);
        FloatVector sum0 = FloatVector.zero(SPECIES);
        FloatVector sum1 = sum0;
        FloatVector sq0 = sum0;
        FloatVector sq1 = sum0;
        int base = x.at(i, block);
        int p = 0;
        for (; p + 1 < x.hw(); p += 2) {
          int step = p * LANES * Float.BYTES;
          FloatVector d0 = FloatVector.fromByteBuffer(SPECIES, x.bytes(), base + step, ORDER).sub(k);
          FloatVector d1 = FloatVector.fromByteBuffer(SPECIES, x.bytes(), base + step + LANES * Float.BYTES, ORDER).sub(k);
          sum0 = sum0.add(d0);
          sum1 = sum1.add(d1);
          sq0 = d0.fma(d0, sq0);
          sq1 = d1.fma(d1, sq1);
        }
        if (p < x.hw()) {
          FloatVector d0 = FloatVector.fromByteBuffer(SPECIES, x.bytes(), base + p * LANES * Float.BYTES, ORDER).sub(k);
          sum0 = sum0.add(d0);
          sq0 = d0.fma(d0, sq0);
        }
        store(sum0.add(sum1), lanes, sums, i * channels + block);
        store(sq0.add(sq1), lanes, squares, i * channels + block);
      }
    });
    double count = x.perChannel();
    for (int c = 0; c < channels; c++) {
      double d = overSamples(sums, c, x) / count;
      mean[c] = (float) (shiftBy[c] + d);
      var[c] = (float) Math.max(0, overSamples(squares, c, x) / count - d * d);
    }
  }

  /** {@link #batchNormBackward} on maps in oneDNN's blocked layout (see {@link #batchNormForwardBlocked}). */
  public static void batchNormBackwardBlocked(Nchw x, Nchw e, Nchw dx, float[] gamma, float[] mean, float[] var, double eps,
      float[] dGamma, float[] dBeta) {
    requireChannelBlocks(x);
    int channels = x.channels();
    int len = x.perChannel();
    double[] sumE = new double[x.n() * channels];  // per (sample, channel), as [N][C]
    double[] sumEX = new double[x.n() * channels];  // sum of e * (x - mean) per (sample, channel)
    forEachSample(x, i -> {
      float[] lanes = new float[LANES];
      for (int block = 0; block < channels; block += LANES) {
        FloatVector m = FloatVector.fromArray(SPECIES, mean, block);
        FloatVector accE0 = FloatVector.zero(SPECIES);  // two accumulators per sum, as in the forward pass
        FloatVector accE1 = accE0;
        FloatVector accEX0 = accE0;
        FloatVector accEX1 = accE0;
        int eBase = e.at(i, block);
        int xBase = x.at(i, block);
        int p = 0;
        for (; p + 1 < x.hw(); p += 2) {
          int step = p * LANES * Float.BYTES;
          int next = step + LANES * Float.BYTES;
          FloatVector e0 = FloatVector.fromByteBuffer(SPECIES, e.bytes(), eBase + step, ORDER);
          FloatVector e1 = FloatVector.fromByteBuffer(SPECIES, e.bytes(), eBase + next, ORDER);
          accE0 = accE0.add(e0);
          accE1 = accE1.add(e1);
          accEX0 = e0.fma(FloatVector.fromByteBuffer(SPECIES, x.bytes(), xBase + step, ORDER).sub(m), accEX0);
          accEX1 = e1.fma(FloatVector.fromByteBuffer(SPECIES, x.bytes(), xBase + next, ORDER).sub(m), accEX1);
        }
        if (p < x.hw()) {
          int step = p * LANES * Float.BYTES;
          FloatVector e0 = FloatVector.fromByteBuffer(SPECIES, e.bytes(), eBase + step, ORDER);
          accE0 = accE0.add(e0);
          accEX0 = e0.fma(FloatVector.fromByteBuffer(SPECIES, x.bytes(), xBase + step, ORDER).sub(m), accEX0);
        }
        store(accE0.add(accE1), lanes, sumE, i * channels + block);
        store(accEX0.add(accEX1), lanes, sumEX, i * channels + block);
      }
    });
    double[] totalE = new double[channels];
    double[] totalEX = new double[channels];
    for (int c = 0; c < channels; c++) {
      totalE[c] = overSamples(sumE, c, x);
      totalEX[c] = overSamples(sumEX, c, x);
    }
    Backward g = Backward.of(gamma, mean, var, eps, len, totalE, totalEX, dGamma, dBeta);
    forEachSample(x, i -> {
      for (int block = 0; block < channels; block += LANES) {
        FloatVector av = FloatVector.fromArray(SPECIES, g.a, block);
        FloatVector bv = FloatVector.fromArray(SPECIES, g.b, block);
        FloatVector kv = FloatVector.fromArray(SPECIES, g.k, block);
        int eBase = e.at(i, block);
        int xBase = x.at(i, block);
        int outBase = dx.at(i, block);
        for (int p = 0; p < x.hw(); p++) {
          int step = p * LANES * Float.BYTES;
          FloatVector ev = FloatVector.fromByteBuffer(SPECIES, e.bytes(), eBase + step, ORDER);
          FloatVector xv = FloatVector.fromByteBuffer(SPECIES, x.bytes(), xBase + step, ORDER);
          ev.fma(av, xv.fma(bv, kv)).intoByteBuffer(dx.bytes(), outBase + step, ORDER);
        }
      }
    });
  }

  private static void requireChannelBlocks(Nchw x) {
    if (!holdsChannelBlock() || x.channels() % LANES != 0) {
      throw new IllegalStateException("VectorKernels: the blocked layout needs " + BlockedActivations.BLOCK
          + "-float vectors and a multiple of " + BlockedActivations.BLOCK + " channels; this CPU has " + LANES
          + "-float vectors, the map " + x.channels() + " channels");
    }
  }

  /** Writes the lanes of {@code v} into table[at ..] as doubles ({@code lanes} is scratch). */
  private static void store(FloatVector v, float[] lanes, double[] table, int at) {
    v.intoArray(lanes, 0);
    for (int l = 0; l < LANES; l++) {
      table[at + l] = lanes[l];
    }
  }

  /** dx = dy where x > 0, else 0 (dy passes where x is NaN, as in PyTorch), over {@code length} floats. */
  static void reluBackward(ByteBuffer x, int xBase, ByteBuffer dy, int dyBase, ByteBuffer dx, int dxBase, int length) {
    forEachChunk(length, (start, end) -> {
      int j = start;
      FloatVector zero = FloatVector.zero(SPECIES);
      for (int upper = end - LANES; j <= upper; j += LANES) {
        int offset = j * Float.BYTES;
        FloatVector xv = FloatVector.fromByteBuffer(SPECIES, x, xBase + offset, ORDER);
        FloatVector ev = FloatVector.fromByteBuffer(SPECIES, dy, dyBase + offset, ORDER);
        VectorMask<Float> blocked = xv.compare(VectorOperators.LE, 0f);
        ev.blend(zero, blocked).intoByteBuffer(dx, dxBase + offset, ORDER);
      }
      for (; j < end; j++) {
        int offset = j * Float.BYTES;
        float xs = x.getFloat(xBase + offset);
        dx.putFloat(dxBase + offset, xs <= 0f ? 0f : dy.getFloat(dyBase + offset));
      }
    });
  }

  /**
   * y = a + b, or with {@code rectify} max(a + b, 0), over {@code length} floats in one pass (y may
   * be a's or b's own memory); NaN stays NaN, as in PyTorch's ReLU. Without {@code rectify} the floor
   * is -infinity, so the sums are exactly the plain float sums.
   */
  static void add(ByteBuffer a, int aBase, ByteBuffer b, int bBase, ByteBuffer y, int yBase, int length, boolean rectify) {
    float floor = rectify ? 0f : Float.NEGATIVE_INFINITY;
    forEachChunk(length, (start, end) -> {
      int j = start;
      for (int upper = end - LANES; j <= upper; j += LANES) {
        int offset = j * Float.BYTES;
        FloatVector av = FloatVector.fromByteBuffer(SPECIES, a, aBase + offset, ORDER);
        FloatVector bv = FloatVector.fromByteBuffer(SPECIES, b, bBase + offset, ORDER);
        av.add(bv).lanewise(VectorOperators.MAX, floor).intoByteBuffer(y, yBase + offset, ORDER);
      }
      for (; j < end; j++) {
        int offset = j * Float.BYTES;
        y.putFloat(yBase + offset, Math.max(a.getFloat(aBase + offset) + b.getFloat(bBase + offset), floor));
      }
    });
  }

  /** y = x·σ(x) = x / (1 + e^(−x)) over {@code length} floats, in one pass (y may be x's own memory). */
  static void swishForward(ByteBuffer x, int xBase, ByteBuffer y, int yBase, int length) {
    forEachChunk(length, (start, end) -> {
      int j = start;
      for (int upper = end - LANES; j <= upper; j += LANES) {
        int offset = j * Float.BYTES;
        FloatVector xv = FloatVector.fromByteBuffer(SPECIES, x, xBase + offset, ORDER);
        FloatVector sigmoid = FloatVector.broadcast(SPECIES, 1f).div(xv.neg().lanewise(VectorOperators.EXP).add(1f));
        xv.mul(sigmoid).intoByteBuffer(y, yBase + offset, ORDER);
      }
      for (; j < end; j++) {
        int offset = j * Float.BYTES;
        float xs = x.getFloat(xBase + offset);
        y.putFloat(yBase + offset, xs * (1f / (1f + (float) Math.exp(-xs))));
      }
    });
  }

  /**
   * dx = dy·σ(x)·(1 + x·(1 − σ(x))), swish's derivative in a form that stays finite for every
   * finite x (σ saturates to 0 or 1 instead of dividing overflowing exponentials), in one pass; dx
   * may be x's own memory.
   */
  static void swishBackward(ByteBuffer x, int xBase, ByteBuffer dy, int dyBase, ByteBuffer dx, int dxBase, int length) {
    forEachChunk(length, (start, end) -> {
      int j = start;
      for (int upper = end - LANES; j <= upper; j += LANES) {
        int offset = j * Float.BYTES;
        FloatVector xv = FloatVector.fromByteBuffer(SPECIES, x, xBase + offset, ORDER);
        FloatVector ev = FloatVector.fromByteBuffer(SPECIES, dy, dyBase + offset, ORDER);
        FloatVector sigmoid = FloatVector.broadcast(SPECIES, 1f).div(xv.neg().lanewise(VectorOperators.EXP).add(1f));
        FloatVector slope = xv.mul(sigmoid.neg().add(1f)).add(1f).mul(sigmoid);
        ev.mul(slope).intoByteBuffer(dx, dxBase + offset, ORDER);
      }
      for (; j < end; j++) {
        int offset = j * Float.BYTES;
        float xs = x.getFloat(xBase + offset);
        float sigmoid = 1f / (1f + (float) Math.exp(-xs));
        dx.putFloat(dxBase + offset, dy.getFloat(dyBase + offset) * sigmoid * (1f + xs * (1f - sigmoid)));
      }
    });
  }

  /**
   * y[i][c] = the mean of x[i][p][c] over p, for a dense [N][P][C] map (NHWC with P = H·W) and an
   * [N][C] output: each sample's rows of C floats summed in float into one row, then scaled by 1 / P.
   */
  static void channelsLastMean(ByteBuffer x, int xBase, ByteBuffer y, int yBase, int samples, int pixels, int channels) {
    float inverse = 1f / pixels;
    forEachSample(samples, (long) samples * pixels * channels, i -> {
      float[] sums = new float[channels];
      int sample = xBase + i * pixels * channels * Float.BYTES;
      for (int p = 0; p < pixels; p++) {
        int row = sample + p * channels * Float.BYTES;
        int c = 0;
        for (int upper = channels - LANES; c <= upper; c += LANES) {
          FloatVector.fromArray(SPECIES, sums, c).add(FloatVector.fromByteBuffer(SPECIES, x, row + c * Float.BYTES, ORDER))
              .intoArray(sums, c);
        }
        for (; c < channels; c++) {
          sums[c] += x.getFloat(row + c * Float.BYTES);
        }
      }
      int out = yBase + i * channels * Float.BYTES;
      for (int c = 0; c < channels; c++) {
        y.putFloat(out + c * Float.BYTES, sums[c] * inverse);
      }
    });
  }

  /**
   * y[i][o] = bias[o] + Σ_c x[i][c]·w[o][c] for dense row-major x [N][C], w [O][C], y [N][O] (bias
   * may be null): one dot product of two contiguous rows per output, for the small products of
   * squeeze-excitation, where ND4J's GEMM with its broadcast bias add costs more in calls than in arithmetic.
   */
  static void timesTransposedPlusBias(ByteBuffer x, int xBase, ByteBuffer w, int wBase, ByteBuffer bias, int biasBase,
      ByteBuffer y, int yBase, int samples, int channels, int outputs) {
    forEachSample(samples, (long) samples * channels * outputs, i -> {
      int row = xBase + i * channels * Float.BYTES;
      for (int o = 0; o < outputs; o++) {
        int weights = wBase + o * channels * Float.BYTES;
        FloatVector acc = FloatVector.zero(SPECIES);
        int c = 0;
        for (int upper = channels - LANES; c <= upper; c += LANES) {
          acc = FloatVector.fromByteBuffer(SPECIES, x, row + c * Float.BYTES, ORDER)
              .fma(FloatVector.fromByteBuffer(SPECIES, w, weights + c * Float.BYTES, ORDER), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; c < channels; c++) {
          sum += x.getFloat(row + c * Float.BYTES) * w.getFloat(weights + c * Float.BYTES);
        }
        y.putFloat(yBase + (i * outputs + o) * Float.BYTES, bias == null ? sum : sum + bias.getFloat(biasBase + o * Float.BYTES));
      }
    });
  }

  /** Runs {@code body(start, end)} over chunks of {@code length} elements, in parallel when there are several. */
  private static void forEachChunk(int length, java.util.function.BiConsumer<Integer, Integer> body) {
    int chunks = (length + JavaReluBackward.CHUNK - 1) / JavaReluBackward.CHUNK;
    IntStream range = IntStream.range(0, chunks);
    (chunks > 1 ? range.parallel() : range).forEach(k ->
        body.accept(k * JavaReluBackward.CHUNK, Math.min(length, (k + 1) * JavaReluBackward.CHUNK)));
  }

  /** out[c] = the column sum of an [N][C] table over N*H*W values: a per-channel mean. */
  private static void channelMeans(double[] table, Nchw x, float[] out) {
    for (int c = 0; c < x.channels(); c++) {
      out[c] = (float) (overSamples(table, c, x) / x.perChannel());
    }
  }

  /** gamma / sqrt(var + eps) per channel. */
  private static float[] scale(float[] gamma, float[] var, double eps) {
    float[] scale = new float[gamma.length];
    for (int c = 0; c < gamma.length; c++) {
      scale[c] = BatchNormFold.scale(gamma[c], var[c], eps);
    }
    return scale;
  }

  /** beta - mean * scale per channel. */
  private static float[] shift(float[] beta, float[] mean, float[] scale) {
    float[] shift = new float[beta.length];
    for (int c = 0; c < beta.length; c++) {
      shift[c] = BatchNormFold.shift(beta[c], mean[c], scale[c]);
    }
    return shift;
  }

  /** Per channel, dx = a*e + b*x + k: batch norm's input gradient with the batch statistics. */
  private record Backward(float[] a, float[] b, float[] k) {
    /**
     * From each channel's sum of e and of e * (x - mean) over its {@code len} values; writes dGamma
     * and dBeta too.
     */
    public static Backward of(float[] gamma, float[] mean, float[] var, double eps, int len, double[] sumE, double[] sumEX,
        float[] dGamma, float[] dBeta) {
      int channels = gamma.length;
      float[] a = new float[channels];
      float[] b = new float[channels];
      float[] k = new float[channels];
      for (int c = 0; c < channels; c++) {
        double invStd = 1 / Math.sqrt(var[c] + eps);
        dBeta[c] = (float) sumE[c];
        dGamma[c] = (float) (sumEX[c] * invStd);
        // dx = g*s*(e - sumE/M - (x - m)*s^2*sumEX/M) = a*e + b*x + k, per channel
        a[c] = (float) (gamma[c] * invStd);
        b[c] = (float) (-gamma[c] * invStd * invStd * invStd * sumEX[c] / len);
        k[c] = (float) (-gamma[c] * invStd * sumE[c] / len) - b[c] * mean[c];
      }
      return new Backward(a, b, k);
    }
  }

  /** A value computed from the run of H*W floats of one sample and channel. */
  private interface RunValue {
    /** The value for one sample and channel. */
    public double of(int sample, int channel);
  }

  /** {@code value} for every (sample, channel), in memory order, as [N][C] doubles. */
  private static double[] perSampleAndChannel(Nchw x, RunValue value) {
    int channels = x.channels();
    double[] out = new double[x.n() * channels];
    forEachSample(x, i -> {
      for (int c = 0; c < channels; c++) {
        out[i * channels + c] = value.of(i, c);
      }
    });
    return out;
  }

  /** Sum over samples of one channel's column of an [N][C] table. */
  private static double overSamples(double[] table, int c, Nchw x) {
    double total = 0;
    for (int i = 0; i < x.n(); i++) {
      total += table[i * x.channels() + c];
    }
    return total;
  }

  /**
   * Runs {@code body} for every sample, samples in parallel for large maps. Walking the data sample
   * by sample reads and writes memory in order (each thread one contiguous range); walking it
   * channel by channel jumps C*H*W floats every H*W, which the hardware prefetcher follows badly.
   */
  private static void forEachSample(Nchw x, IntConsumer body) {
    forEachSample(x.n(), x.length(), body);
  }

  /** Runs {@code body(i)} for every sample, in parallel when the work spans enough elements to pay for a second thread. */
  private static void forEachSample(int samples, long elements, IntConsumer body) {
    if (elements >= JavaBatchNormHelper.PARALLEL_MIN_ELEMENTS) {
      IntStream.range(0, samples).parallel().forEach(body);
    } else {
      for (int i = 0; i < samples; i++) {
        body.accept(i);
      }
    }
  }

  /** Sum of {@code count} floats from byte offset {@code base} (float lanes, one run of H*W). */
  private static double sum(ByteBuffer in, int base, int count) {
    FloatVector acc = FloatVector.zero(SPECIES);
    float tail = 0;
    int j = 0;
    for (int upper = count - LANES; j <= upper; j += LANES) {
      acc = acc.add(FloatVector.fromByteBuffer(SPECIES, in, base + j * Float.BYTES, ORDER));
    }
    for (; j < count; j++) {
      tail += in.getFloat(base + j * Float.BYTES);
    }
    return (double) acc.reduceLanes(VectorOperators.ADD) + tail;
  }

  /** Sum of (x - mean)^2 over {@code count} floats from byte offset {@code base}. */
  private static double squaredDeviations(ByteBuffer in, int base, int count, float mean) {
    FloatVector acc = FloatVector.zero(SPECIES);
    float tail = 0;
    int j = 0;
    for (int upper = count - LANES; j <= upper; j += LANES) {
      FloatVector d = FloatVector.fromByteBuffer(SPECIES, in, base + j * Float.BYTES, ORDER).sub(mean);
      acc = d.fma(d, acc);
    }
    for (; j < count; j++) {
      float d = in.getFloat(base + j * Float.BYTES) - mean;
      tail += d * d;
    }
    return (double) acc.reduceLanes(VectorOperators.ADD) + tail;
  }

  /** Writes {sum of e, sum of e * (x - mean)} over one run of {@code count} floats into out[at], out[at + 1]. */
  private static void sumAndDotCentred(ByteBuffer e, int eBase, ByteBuffer x, int xBase, int count, float mean,
      double[] out, int at) {
    FloatVector accE = FloatVector.zero(SPECIES);
    FloatVector accEX = FloatVector.zero(SPECIES);
    float tailE = 0;
    float tailEX = 0;
    int j = 0;
    for (int upper = count - LANES; j <= upper; j += LANES) {
      FloatVector ev = FloatVector.fromByteBuffer(SPECIES, e, eBase + j * Float.BYTES, ORDER);
      FloatVector xv = FloatVector.fromByteBuffer(SPECIES, x, xBase + j * Float.BYTES, ORDER);
      accE = accE.add(ev);
      accEX = ev.fma(xv.sub(mean), accEX);
    }
    for (; j < count; j++) {
      float ev = e.getFloat(eBase + j * Float.BYTES);
      tailE += ev;
      tailEX += ev * (x.getFloat(xBase + j * Float.BYTES) - mean);
    }
    out[at] = (double) accE.reduceLanes(VectorOperators.ADD) + tailE;
    out[at + 1] = (double) accEX.reduceLanes(VectorOperators.ADD) + tailEX;
  }

  /** out[j] = in[j] * scale + shift for {@code count} floats; with {@code rectify}, max of that and 0. */
  private static void affine(ByteBuffer in, int inBase, ByteBuffer out, int outBase, int count, float scale, float shift,
      boolean rectify) {
    int j = 0;
    FloatVector s = FloatVector.broadcast(SPECIES, scale);
    FloatVector t = FloatVector.broadcast(SPECIES, shift);
    // The floor is -infinity without rectify: max(y, -inf) = y, one loop for both.
    float floor = rectify ? 0f : Float.NEGATIVE_INFINITY;
    FloatVector f = FloatVector.broadcast(SPECIES, floor);
    for (int upper = count - LANES; j <= upper; j += LANES) {
      FloatVector.fromByteBuffer(SPECIES, in, inBase + j * Float.BYTES, ORDER).fma(s, t).max(f)
          .intoByteBuffer(out, outBase + j * Float.BYTES, ORDER);
    }
    for (; j < count; j++) {
      out.putFloat(outBase + j * Float.BYTES, Math.max(in.getFloat(inBase + j * Float.BYTES) * scale + shift, floor));
    }
  }

  /** out[j] = a * e[j] + b * x[j] + k for {@code count} floats. */
  private static void combine(ByteBuffer e, int eBase, ByteBuffer x, int xBase, ByteBuffer out, int outBase, int count,
      float a, float b, float k) {
    int j = 0;
    FloatVector av = FloatVector.broadcast(SPECIES, a);
    FloatVector bv = FloatVector.broadcast(SPECIES, b);
    FloatVector kv = FloatVector.broadcast(SPECIES, k);
    for (int upper = count - LANES; j <= upper; j += LANES) {
      FloatVector ev = FloatVector.fromByteBuffer(SPECIES, e, eBase + j * Float.BYTES, ORDER);
      FloatVector xv = FloatVector.fromByteBuffer(SPECIES, x, xBase + j * Float.BYTES, ORDER);
      ev.fma(av, xv.fma(bv, kv)).intoByteBuffer(out, outBase + j * Float.BYTES, ORDER);
    }
    for (; j < count; j++) {
      out.putFloat(outBase + j * Float.BYTES,
          a * e.getFloat(eBase + j * Float.BYTES) + b * x.getFloat(xBase + j * Float.BYTES) + k);
    }
  }
}
