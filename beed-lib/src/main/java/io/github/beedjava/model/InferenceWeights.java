package io.github.beedjava.model;

import io.github.beedjava.runtime.DirectOneDnn;
import java.nio.ByteBuffer;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A layer's weights in the layout its inference convolution reads, remade only when the weights
 * change.
 *
 * <p>Inference primitives want the weights in a layout of their own. For Winograd that layout is
 * the transformed kernel, and making it costs more than the convolution it serves (36.7 ms against
 * 13.8 ms for 512 to 512 channels over 4x4, batch 128; bench/README.md, "Fourth pass"). So the
 * copy is kept between calls. Whether it is still valid is decided by content, not by a promise of
 * the caller: the weights' bytes are compared with a private snapshot of those the copy was made
 * from (a vectorised comparison, about 1 ms for 9 MB). Parameters changed by any route, an SGD
 * step, a checkpoint load or a notebook's {@code assign}, are therefore always seen.
 */
final class InferenceWeights {
  private static final long ALIGNMENT = 64;

  private final DirectOneDnn dnn;
  private BytePointer snapshotBuffer;  // plain layout, the bytes the copy was made from
  private long snapshotBytes;
  private memory snapshot;
  private memory.desc snapshotDesc;
  private BytePointer layoutBuffer;  // the primitive's layout; null when that is the plain layout
  private memory inLayout;
  private memory.desc layoutDesc;

  InferenceWeights(DirectOneDnn dnn) {
    this.dnn = dnn;
  }

  /**
   * The weights {@code w} (dense, C order, described by {@code plain}) in {@code layout}: the kept
   * copy when neither the bytes of {@code w} nor the layout changed since the last call, else a
   * fresh one. Valid until the next call.
   */
  memory of(INDArray w, memory.desc plain, memory.desc layout, stream stream) {
    long bytes = w.length() * w.dataType().width();
    ByteBuffer current = bytesAt(w.data().addressPointer().address(), bytes);
    boolean weightsChanged = snapshot == null || snapshotBytes != bytes || !snapshotDesc.equals(plain)
        || current.mismatch(bytesAt(aligned(snapshotBuffer), bytes)) != -1;
    if (weightsChanged) {
      if (snapshot == null || snapshotBytes != bytes || !snapshotDesc.equals(plain)) {
        snapshotBuffer = allocate(bytes);
        snapshotBytes = bytes;
        snapshotDesc = plain;
        snapshot = new memory(plain, dnn.engine(), OneDnnConvolution.at(aligned(snapshotBuffer)));
      }
      bytesAt(aligned(snapshotBuffer), bytes).put(current);
    }
    if (layout.equals(plain)) {
      layoutBuffer = null;
      layoutDesc = null;
      inLayout = null;
      return snapshot;
    }
    if (weightsChanged || inLayout == null || !layoutDesc.equals(layout)) {
      if (inLayout == null || !layoutDesc.equals(layout)) {
        layoutBuffer = allocate(layout.get_size());
        layoutDesc = layout;
        inLayout = new memory(layout, dnn.engine(), OneDnnConvolution.at(aligned(layoutBuffer)));
      }
      new reorder(snapshot, inLayout).execute(stream, snapshot, inLayout);
      stream._wait();
    }
    return inLayout;
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

  private static ByteBuffer bytesAt(long address, long bytes) {
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("inference weights: a layer over 2 GiB of weights is not supported");
    }
    BytePointer p = new BytePointer(OneDnnConvolution.at(address));
    return p.capacity(bytes).limit(bytes).asByteBuffer();
  }
}
