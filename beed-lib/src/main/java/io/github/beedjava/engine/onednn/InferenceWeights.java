package io.github.beedjava.engine.onednn;

import io.github.beedjava.engine.layers.BatchNormFold;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A layer's weights in the layout its inference convolution reads (with a batch norm folded in,
 * where one follows the layer), remade only when the weights or the BN's parameters change.
 *
 * <p>Inference primitives want the weights in a layout of their own. For Winograd that layout is
 * the transformed kernel, and making it costs more than the convolution it serves (36.7 ms against
 * 13.8 ms for 512 to 512 channels over 4x4, batch 128; bench/HISTORY.md, "Fourth pass"). So the
 * copy is kept between calls. Whether it is still valid is decided by content, not by a promise of
 * the caller: the sources' bytes are compared with a private snapshot of those the copy was made
 * from (a vectorised comparison, about 1 ms for 9 MB). Parameters changed by any route, an SGD
 * step, a checkpoint load or a notebook's {@code assign}, are therefore always seen.
 */
public final class InferenceWeights {
  private static final long ALIGNMENT = 64;

  private final DirectOneDnn dnn;
  private BytePointer snapshotBuffer;  // the sources' bytes (weights, then any BN arrays) the copy was made from
  private long snapshotBytes;
  private double snapshotEps = Double.NaN;
  private memory.desc plainDesc;
  private memory plain;  // the weights to reorder: the snapshot's, or the BN-folded ones
  private boolean plainHoldsWeights;  // false while a folded plain copy lives only in a scratch buffer
  private BytePointer foldedBuffer;  // only when the primitive reads the folded weights in the plain layout
  private BytePointer biasBuffer;
  private memory bias;
  private BytePointer layoutBuffer;  // the primitive's layout; null when that is the plain layout
  private memory inLayout;
  private memory.desc layoutDesc;

  /** Empty: the weights are reordered on first use. */
  public InferenceWeights(DirectOneDnn dnn) {
    this.dnn = dnn;
  }

  /**
   * The weights {@code w} (dense, C order, float, described by {@code plainLayout}), with
   * {@code fold} applied when it is not null, in {@code layout}: the kept copy when nothing changed
   * since the last call, else a fresh one. Valid until the next call.
   *
   * @param channelInnermost whether the output channel is the fastest-varying index of {@code w}
   *     (DL4J's depthwise [kH, kW, in, multiplier]) rather than the slowest ([out, in, kH, kW])
   */
  memory of(INDArray w, BatchNormFold fold, boolean channelInnermost, memory.desc plainLayout, memory.desc layout,
      stream stream) {
    long channels = fold == null ? 0 : fold.gamma().length();  // the output channels, which the fold scales
    INDArray[] sources = fold == null ? new INDArray[] {w} : new INDArray[] {w, fold.gamma(), fold.beta(), fold.mean(), fold.variance()};
    long bytes = 0;
    for (INDArray a : sources) {
      if (a.dataType() != DataType.FLOAT || !(OneDnnConvolution.dense(a) || (a.isVector() && a.elementWiseStride() == 1))) {
        throw new IllegalArgumentException("inference weights: expected dense float arrays, got " + a.shapeInfoToString());
      }
      bytes += a.length() * Float.BYTES;
    }
    double eps = fold == null ? Double.NaN : fold.eps();
    boolean sameSources = plain != null && snapshotBytes == bytes && plainDesc.equals(plainLayout)
        && (fold == null) == (bias == null) && Double.compare(eps, snapshotEps) == 0;
    boolean changed = !sameSources || !snapshotHolds(sources);
    if (changed) {
      if (!sameSources) {
        snapshotBuffer = allocate(bytes);
        snapshotBytes = bytes;
        snapshotEps = eps;
        plainDesc = plainLayout;
        foldedBuffer = null;
        biasBuffer = fold == null ? null : allocate(channels * Float.BYTES);
        plain = new memory(plainLayout, dnn.engine(), OneDnnConvolution.at(aligned(snapshotBuffer)));
        bias = fold == null ? null : new memory(new memory.desc(new long[] {channels}, memory.data_type.f32, memory.format_tag.x),
            dnn.engine(), OneDnnConvolution.at(aligned(biasBuffer)));
      }
      long offset = 0;
      for (INDArray a : sources) {
        long n = a.length() * Float.BYTES;
        bytesAt(aligned(snapshotBuffer) + offset, n).put(bytesAt(OneDnnConvolution.address(a), n));
        offset += n;
      }
      plainHoldsWeights = fold == null;  // the snapshot itself; folded weights are made below
      inLayout = null;
    }
    boolean plainWanted = layout.equals(plainLayout);
    if (plainWanted ? plainHoldsWeights : inLayout != null && layoutDesc.equals(layout)) {
      return plainWanted ? plain : inLayout;
    }
    if (fold != null) {
      // The folded plain copy is kept only when the primitive reads it; otherwise it lives in a
      // scratch buffer for the one reorder below (45 MB less at width 1).
      long foldedBytes = w.length() * Float.BYTES;
      long target;
      if (plainWanted) {
        if (foldedBuffer == null) {
          foldedBuffer = allocate(foldedBytes);
        }
        target = aligned(foldedBuffer);
      } else {
        target = OneDnnScratch.get().borrow(OneDnnScratch.Slot.WEIGHTS, foldedBytes).address();
      }
      plain.set_data_handle(OneDnnConvolution.at(target));
      fold(target, w.length(), channels, channelInnermost, eps);
      plainHoldsWeights = plainWanted;
    }
    if (plainWanted) {
      return plain;
    }
    if (inLayout == null || !layoutDesc.equals(layout)) {
      layoutBuffer = allocate(layout.get_size());
      layoutDesc = layout;
      inLayout = new memory(layout, dnn.engine(), OneDnnConvolution.at(aligned(layoutBuffer)));
    }
    new reorder(plain, inLayout).execute(stream, plain, inLayout);
    stream._wait();
    return inLayout;
  }

  /**
   * Frees the kept copies now (they are remade by the next {@link #of}). Training changes the
   * weights anyway, so {@code MultiExitNetwork} calls this when training resumes.
   */
  public void release() {
    for (BytePointer p : new BytePointer[] {snapshotBuffer, foldedBuffer, biasBuffer, layoutBuffer}) {
      if (p != null) {
        p.deallocate();
      }
    }
    snapshotBuffer = null;
    foldedBuffer = null;
    biasBuffer = null;
    layoutBuffer = null;
    plain = null;
    bias = null;
    inLayout = null;
    layoutDesc = null;
    plainDesc = null;
    snapshotBytes = 0;
    plainHoldsWeights = false;
  }

  /** The bias of the folded BN that the last {@link #of} call made; null without a fold. */
  memory bias() {
    return bias;
  }

  /** Whether the snapshot holds exactly the sources' current bytes. */
  private boolean snapshotHolds(INDArray[] sources) {
    long offset = 0;
    for (INDArray a : sources) {
      long n = a.length() * Float.BYTES;
      if (bytesAt(OneDnnConvolution.address(a), n).mismatch(bytesAt(aligned(snapshotBuffer) + offset, n)) != -1) {
        return false;
      }
      offset += n;
    }
    return true;
  }

  /**
   * Folded weights w * s (at {@code target}) and bias beta - mean * s, s = gamma / sqrt(var + eps),
   * from the snapshot; the weights' output channel is their slowest index, or with {@code
   * channelInnermost} their fastest.
   */
  private void fold(long target, long weightCount, long channels, boolean channelInnermost, double eps) {
    long base = aligned(snapshotBuffer);
    FloatBuffer weights = floats(base, weightCount);
    FloatBuffer gamma = floats(base + 4 * weightCount, channels);
    FloatBuffer beta = floats(base + 4 * (weightCount + channels), channels);
    FloatBuffer mean = floats(base + 4 * (weightCount + 2 * channels), channels);
    FloatBuffer variance = floats(base + 4 * (weightCount + 3 * channels), channels);
    FloatBuffer folded = floats(target, weightCount);
    FloatBuffer shift = floats(aligned(biasBuffer), channels);
    float[] scales = new float[(int) channels];
    for (int o = 0; o < channels; o++) {
      // float arithmetic in the order of DL4J's and PyTorch's eval BN: (x - mean) / sqrt(var + eps) * gamma + beta
      scales[o] = BatchNormFold.scale(gamma.get(o), variance.get(o), eps);
      shift.put(o, BatchNormFold.shift(beta.get(o), mean.get(o), scales[o]));
    }
    int perChannel = (int) (weightCount / channels);
    for (int i = 0; i < weightCount; i++) {
      folded.put(i, weights.get(i) * scales[channelInnermost ? (int) (i % channels) : i / perChannel]);
    }
  }

  /** Native memory freed with this object (JavaCPP deallocates it when it is collected). */
  private static BytePointer allocate(long bytes) {
    BytePointer p = new BytePointer(bytes + ALIGNMENT);
    if (p.isNull()) {
      throw new OutOfMemoryError("inference weights: could not allocate " + bytes + " bytes of native memory");
    }
    return p;
  }

  private static long aligned(Pointer p) {
    return (p.address() + ALIGNMENT - 1) & -ALIGNMENT;
  }

  private static FloatBuffer floats(long address, long count) {
    return bytesAt(address, count * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
  }

  private static ByteBuffer bytesAt(long address, long bytes) {
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("inference weights: a layer over 2 GiB of weights is not supported");
    }
    BytePointer p = new BytePointer(OneDnnConvolution.at(address));
    return p.capacity(bytes).limit(bytes).asByteBuffer();
  }
}
