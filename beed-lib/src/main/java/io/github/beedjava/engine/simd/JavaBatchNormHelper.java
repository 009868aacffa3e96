package io.github.beedjava.engine.simd;

import io.github.beedjava.engine.layers.SinglePassReluLayer;
import io.github.beedjava.engine.layout.BlockedActivations;
import java.lang.reflect.Field;
import java.nio.FloatBuffer;
import java.util.Collections;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.layers.normalization.BatchNormalizationHelper;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Batch normalisation of NCHW float maps, forward and backward, as Java loops over ND4J's
 * native buffers: three passes over the data forward, two backward. With the Vector API
 * ({@link HostFloats#vectorApi()}) the loops are {@link VectorKernels}' SIMD loops in place, samples
 * in parallel; without it each channel is copied into a Java array and back, channels in parallel. On the 2-core machine
 * this is about 3.5x (forward) and 8x (backward) faster than the oneDNN/libnd4j ops DL4J's
 * helper calls ({@code bench/HISTORY.md}). Sums are accumulated in double, so it is at least as
 * accurate. Anything else (double precision, NHWC, rank 2) is declined and DL4J's own code runs.
 *
 * <p>Semantics are DL4J's: training mode normalises with the biased batch variance and keeps the
 * batch statistics for {@link #getMeanCache}/{@link #getVarCache} (DL4J turns them into the
 * running-statistics delta that {@code RunningStatistics} reads).
 */
public final class JavaBatchNormHelper implements BatchNormalizationHelper {
  /** Below this many elements the parallel stream costs more than it saves. */
  static final long PARALLEL_MIN_ELEMENTS = 1 << 15;

  /** Whether the loops run in {@link VectorKernels} (else scalar loops over copies). */
  private final boolean vector;
  private INDArray meanCache;
  private INDArray varCache;
  private float[] batchMean;
  private float[] batchVar;
  /** Whether the last training forward pass was ours (backward must then be ours too). */
  private boolean handledForward;
  /** Whether the input is in oneDNN's blocked layout in passes that use it ({@link BlockedActivations}). */
  private boolean blockedInput;
  /** Whether the last training forward pass ran on the blocked layout (backward then does too). */
  private boolean forwardBlocked;
  /** Whether blocked training passes apply the ReLU that is this BN's only reader ({@link #setAbsorbsRelu}). */
  private boolean absorbsRelu;
  /** Whether eval-mode passes write max(y, 0) ({@link #setRectifiesInference}). */
  private boolean rectifiesInference;
  /** Whether the last forward pass wrote max(y, 0) (absorbed the ReLU). */
  private boolean rectifiedLastPass;

  /**
   * Replaces the helper of every NCHW BN layer of a graph with this implementation (NHWC layers
   * keep DL4J's oneDNN helper, which is fast for that layout).
   */
  public static void installOn(Layer[] layers) {
    if (!Nd4j.getEnvironment().isCPU()) {
      return;  // the loops read host buffers; on a GPU DL4J's cuDNN helper is the right one
    }
    for (Layer layer : layers) {
      if (layer instanceof BatchNormalization bn
          && ((org.deeplearning4j.nn.conf.layers.BatchNormalization) bn.conf().getLayer()).getCnn2DFormat() == CNN2DFormat.NCHW) {
        try {
          HELPER_FIELD.set(bn, new JavaBatchNormHelper());
        } catch (IllegalAccessException e) {
          throw new IllegalStateException("cannot install the Java BN helper on " + layer.getConfig().getLayerName(), e);
        }
      }
    }
  }

  /** The helper {@link #installOn} gave {@code bn}, or null when it has DL4J's. */
  public static JavaBatchNormHelper of(BatchNormalization bn) {
    try {
      return HELPER_FIELD.get(bn) instanceof JavaBatchNormHelper helper ? helper : null;
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot read the BN helper of " + bn.getConfig().getLayerName(), e);
    }
  }

  /** Sets whether {@link BlockedActivations#plan} chose the blocked layout for this BN's input. */
  public void setBlockedInput(boolean blockedInput) {
    if (blockedInput && !vector) {
      throw new IllegalStateException("JavaBatchNormHelper: the blocked layout needs the Vector API loops");
    }
    this.blockedInput = blockedInput;
  }

  /**
   * Sets whether blocked training passes write max(y, 0), the output of the in-place ReLU that is
   * this BN's only reader, so that the ReLU's forward pass has nothing left to do
   * ({@link SinglePassReluLayer#absorbInto}). Its backward is unchanged: its mask, input > 0, reads
   * the same from the rectified map.
   */
  public void setAbsorbsRelu(boolean absorbsRelu) {
    this.absorbsRelu = absorbsRelu;
  }

  /**
   * Sets whether eval-mode passes write max(y, 0), in every path this helper runs (blocked, vector
   * and scalar loops): the BN of an inference graph that took over the ReLU after it
   * ({@link io.github.beedjava.engine.layers.RectifiedBatchNormalization}).
   */
  public void setRectifiesInference(boolean rectifiesInference) {
    this.rectifiesInference = rectifiesInference;
  }

  /** Whether the last forward pass wrote the rectified output (then the ReLU after it must not run). */
  public boolean rectifiedLastPass() {
    return rectifiedLastPass;
  }

  // DL4J has no public hook for a BN helper; the field is package-private (DL4J is on the class path, not a module).
  private static final Field HELPER_FIELD;

  static {
    try {
      HELPER_FIELD = BatchNormalization.class.getDeclaredField("helper");
      HELPER_FIELD.setAccessible(true);
    } catch (NoSuchFieldException e) {
      throw new ExceptionInInitializerError("DL4J's BatchNormalization has no 'helper' field: DL4J version changed? " + e);
    }
  }

  /** A helper with the Vector API loops where the JVM has them ({@link HostFloats#vectorApi()}). */
  JavaBatchNormHelper() {
    this(HostFloats.vectorApi());
  }

  /**
   * @param vector the Vector API loops (true needs {@link HostFloats#vectorApi()}) or the scalar ones
   */
  JavaBatchNormHelper(boolean vector) {
    if (vector) {
      HostFloats.requireVectorApi("JavaBatchNormHelper");
    }
    this.vector = vector;
  }

  @Override
  public boolean checkSupported(double eps, boolean fixedGammaBeta) {
    return !fixedGammaBeta;
  }

  @Override
  public boolean checkSupported() {
    return true;
  }

  @Override
  public Map<String, Long> helperMemoryUse() {
    return Collections.emptyMap();
  }

  private static boolean supported(INDArray x, CNN2DFormat format) {
    return x.dataType() == DataType.FLOAT && x.rank() == 4 && format == CNN2DFormat.NCHW && x.length() <= Integer.MAX_VALUE;
  }

  /** N, C and H*W of an NCHW array. */
  private record Dims(int n, int channels, int hw) {
    /** The dimensions of a [N, C, H, W] (or [N, C]) array. */
    public static Dims of(INDArray a) {
      return new Dims((int) a.size(0), (int) a.size(1), (int) (a.size(2) * a.size(3)));
    }

    /** Values per channel in a batch: N*H*W (the caller has checked the array fits an int index). */
    int perChannel() {
      return n * hw;
    }
  }

  private static INDArray dense(INDArray a) {
    return HostFloats.isDense(a) ? a : a.dup('c');
  }

  private static void forEachChannel(int channels, long elements, IntConsumer body) {
    if (elements >= PARALLEL_MIN_ELEMENTS) {
      IntStream.range(0, channels).parallel().forEach(body);
    } else {
      for (int c = 0; c < channels; c++) {
        body.accept(c);
      }
    }
  }

  /** Two per-thread arrays that hold one channel of a batch (N*H*W values), grown on demand. */
  private static final class Scratch {
    private float[] first = new float[0];
    private float[] second = new float[0];

    float[] first(int length) {
      if (first.length < length) {
        first = new float[length];
      }
      return first;
    }

    float[] second(int length) {
      if (second.length < length) {
        second = new float[length];
      }
      return second;
    }
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  /** Block length of the float partial sums that are added up in double. */
  private static final int BLOCK = 1024;

  /** Copies channel c of every sample (N rows of H*W, C*H*W apart) into dst, back to back. */
  private static void gather(FloatBuffer src, float[] dst, int c, Dims d) {
    for (int i = 0; i < d.n(); i++) {
      src.get((i * d.channels() + c) * d.hw(), dst, i * d.hw(), d.hw());
    }
  }

  /** The inverse of {@link #gather}. */
  private static void scatter(float[] src, FloatBuffer dst, int c, Dims d) {
    for (int i = 0; i < d.n(); i++) {
      dst.put((i * d.channels() + c) * d.hw(), src, i * d.hw(), d.hw());
    }
  }

  // The sums below keep four float lanes per block (independent chains the JIT can pipeline) and
  // add the blocks in double, so their error does not grow with N*H*W.

  private static double sum(float[] a, int len) {
    double total = 0;
    for (int start = 0; start < len; start += BLOCK) {
      int end = Math.min(len, start + BLOCK);
      float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      int j = start;
      for (; j + 4 <= end; j += 4) {
        s0 += a[j];
        s1 += a[j + 1];
        s2 += a[j + 2];
        s3 += a[j + 3];
      }
      for (; j < end; j++) {
        s0 += a[j];
      }
      total += (s0 + s1) + (s2 + s3);
    }
    return total;
  }

  private static double squaredDeviations(float[] a, int len, float mean) {
    double total = 0;
    for (int start = 0; start < len; start += BLOCK) {
      int end = Math.min(len, start + BLOCK);
      float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      int j = start;
      for (; j + 4 <= end; j += 4) {
        float d0 = a[j] - mean, d1 = a[j + 1] - mean, d2 = a[j + 2] - mean, d3 = a[j + 3] - mean;
        s0 += d0 * d0;
        s1 += d1 * d1;
        s2 += d2 * d2;
        s3 += d3 * d3;
      }
      for (; j < end; j++) {
        float d = a[j] - mean;
        s0 += d * d;
      }
      total += (s0 + s1) + (s2 + s3);
    }
    return total;
  }

  /** Sum of e * (x - mean). */
  private static double dotCentred(float[] e, float[] x, int len, float mean) {
    double total = 0;
    for (int start = 0; start < len; start += BLOCK) {
      int end = Math.min(len, start + BLOCK);
      float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      int j = start;
      for (; j + 4 <= end; j += 4) {
        s0 += e[j] * (x[j] - mean);
        s1 += e[j + 1] * (x[j + 1] - mean);
        s2 += e[j + 2] * (x[j + 2] - mean);
        s3 += e[j + 3] * (x[j + 3] - mean);
      }
      for (; j < end; j++) {
        s0 += e[j] * (x[j] - mean);
      }
      total += (s0 + s1) + (s2 + s3);
    }
    return total;
  }

  @Override
  public INDArray preOutput(INDArray x, boolean training, long[] shape, INDArray gamma, INDArray beta, INDArray mean,
      INDArray var, double decay, double eps, CNN2DFormat format, LayerWorkspaceMgr workspaceMgr) {
    boolean blocked = blockedInput && BlockedActivations.active();
    rectifiedLastPass = false;
    if (training) {
      handledForward = false;
      forwardBlocked = blocked;
    }
    if (!supported(x, format) || gamma == null || beta == null || (blocked && !HostFloats.isDense(x))) {
      if (blocked) {  // DL4J's own code would read the blocked map as NCHW
        throw new IllegalStateException("JavaBatchNormHelper: planned for the blocked layout but cannot run this pass: "
            + x.shapeInfoToString() + "; run with -D" + io.github.beedjava.engine.onednn.DirectOneDnn.BLOCKED_PROPERTY + "=false");
      }
      return null;
    }
    INDArray in = dense(x);
    Dims dims = Dims.of(in);
    int channels = dims.channels();
    float[] g = HostFloats.read(gamma);
    float[] b = HostFloats.read(beta);
    float[] mu = training ? new float[channels] : HostFloats.read(mean);
    float[] v = training ? new float[channels] : HostFloats.read(var);
    INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, in.shape(), 'c');
    // Training absorbs its ReLU only on the blocked layout (the ReLU layer then skips its pass); an
    // inference graph's rectified BN has no ReLU layer after it, so every path rectifies.
    boolean rectify = training ? blocked && absorbsRelu : rectifiesInference;
    if (blocked) {
      VectorKernels.batchNormForwardBlocked(VectorKernels.Nchw.of(in), VectorKernels.Nchw.of(out), training, g, b, mu, v,
          eps, rectify);
    } else if (vector) {
      VectorKernels.batchNormForward(VectorKernels.Nchw.of(in), VectorKernels.Nchw.of(out), training, g, b, mu, v, eps, rectify);
    } else {
      scalarForward(in, out, dims, training, g, b, mu, v, eps, rectify);
    }
    rectifiedLastPass = rectify;
    HostFloats.keepAlive(x, in);  // the kernels read views that do not reference the arrays
    if (training) {
      batchMean = mu;
      batchVar = v;
      try (MemoryWorkspace none = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
        meanCache = Nd4j.createFromArray(mu);
        varCache = Nd4j.createFromArray(v);
      }
      handledForward = true;
    }
    return out;
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(INDArray input, INDArray epsilon, long[] shape, INDArray gamma,
      INDArray beta, INDArray dGammaView, INDArray dBetaView, double eps, CNN2DFormat format,
      LayerWorkspaceMgr workspaceMgr) {
    if (!handledForward || !supported(input, format) || !supported(epsilon, format) || gamma == null
        || (forwardBlocked && !(HostFloats.isDense(input) && HostFloats.isDense(epsilon)))) {
      if (forwardBlocked) {
        throw new IllegalStateException("JavaBatchNormHelper: the forward pass ran on the blocked layout but backward cannot: "
            + epsilon.shapeInfoToString() + "; run with -D" + io.github.beedjava.engine.onednn.DirectOneDnn.BLOCKED_PROPERTY + "=false");
      }
      return null;
    }
    INDArray in = dense(input);
    INDArray err = dense(epsilon);
    Dims dims = Dims.of(in);
    int channels = dims.channels();
    float[] g = HostFloats.read(gamma);
    float[] dGamma = new float[channels];
    float[] dBeta = new float[channels];
    INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, in.shape(), 'c');
    if (forwardBlocked) {
      VectorKernels.batchNormBackwardBlocked(VectorKernels.Nchw.of(in), VectorKernels.Nchw.of(err), VectorKernels.Nchw.of(dx),
          g, batchMean, batchVar, eps, dGamma, dBeta);
    } else if (vector) {
      VectorKernels.batchNormBackward(VectorKernels.Nchw.of(in), VectorKernels.Nchw.of(err), VectorKernels.Nchw.of(dx), g,
          batchMean, batchVar, eps, dGamma, dBeta);
    } else {
      scalarBackward(in, err, dx, dims, g, eps, dGamma, dBeta);
    }
    HostFloats.keepAlive(input, in, epsilon, err);  // the kernels read views that do not reference the arrays
    HostFloats.write(dGamma, dGammaView);
    HostFloats.write(dBeta, dBetaView);
    Gradient gradient = new DefaultGradient();
    gradient.setGradientFor(BatchNormalizationParamInitializer.GAMMA, dGammaView);
    gradient.setGradientFor(BatchNormalizationParamInitializer.BETA, dBetaView);
    return new Pair<>(gradient, dx);
  }

  /** The loops of {@link #preOutput} without the Vector API: each channel copied into a Java array and back. */
  private static void scalarForward(INDArray in, INDArray out, Dims dims, boolean training, float[] g, float[] b,
      float[] mu, float[] v, double eps, boolean rectify) {
    FloatBuffer xs = HostFloats.buffer(in);
    FloatBuffer ys = HostFloats.buffer(out);
    int len = dims.perChannel();
    forEachChannel(dims.channels(), in.length(), c -> {
      // One read of the channel into a cached array, statistics and normalisation there, one write back.
      float[] v0 = SCRATCH.get().first(len);
      gather(xs, v0, c, dims);
      if (training) {
        float m = (float) (sum(v0, len) / len);
        mu[c] = m;
        v[c] = (float) (squaredDeviations(v0, len, m) / len);
      }
      float scale = (float) (g[c] / Math.sqrt(v[c] + eps));
      float shift = b[c] - mu[c] * scale;
      float floor = rectify ? 0f : Float.NEGATIVE_INFINITY;  // max(y, -inf) = y
      for (int j = 0; j < len; j++) {
        v0[j] = Math.max(v0[j] * scale + shift, floor);
      }
      scatter(v0, ys, c, dims);
    });
  }

  /** The loops of {@link #backpropGradient} without the Vector API. */
  private void scalarBackward(INDArray in, INDArray err, INDArray dx, Dims dims, float[] g, double eps, float[] dGamma,
      float[] dBeta) {
    FloatBuffer xs = HostFloats.buffer(in);
    FloatBuffer es = HostFloats.buffer(err);
    FloatBuffer dxs = HostFloats.buffer(dx);
    int len = dims.perChannel();
    float[] batchMean = this.batchMean;
    float[] batchVar = this.batchVar;
    forEachChannel(dims.channels(), in.length(), c -> {
      Scratch scratch = SCRATCH.get();
      float[] xv = scratch.first(len);
      float[] ev = scratch.second(len);
      gather(xs, xv, c, dims);
      gather(es, ev, c, dims);
      float m = batchMean[c];
      double sumE = sum(ev, len);
      double sumEX = dotCentred(ev, xv, len, m);  // sum of eps * (x - mean)
      double invStd = 1 / Math.sqrt(batchVar[c] + eps);
      dBeta[c] = (float) sumE;
      dGamma[c] = (float) (sumEX * invStd);
      // dx = g*s*(e - sumE/M - (x - m)*s^2*sumEX/M) = a*e + b*x + k, per channel
      float a = (float) (g[c] * invStd);
      float bx = (float) (-g[c] * invStd * invStd * invStd * sumEX / len);
      float k = (float) (-g[c] * invStd * sumE / len) - bx * m;
      for (int j = 0; j < len; j++) {
        xv[j] = a * ev[j] + bx * xv[j] + k;
      }
      scatter(xv, dxs, c, dims);
    });
  }

  @Override
  public INDArray getMeanCache(DataType dataType) {
    return meanCache;
  }

  @Override
  public INDArray getVarCache(DataType dataType) {
    return varCache;
  }
}
