package io.github.beedjava.engine.onednn;

import org.bytedeco.javacpp.Pointer;

/**
 * Native buffers that direct oneDNN convolutions borrow for their operands in oneDNN's own
 * (blocked) layouts, one set per thread, shared by all layers.
 *
 * <p>Those copies live only during one call, so every layer can use the same few buffers: they
 * grow to the largest layer during the first step and are then reused, which spares the page
 * faults and the retained memory of a fresh allocation per call (libnd4j's behaviour).
 */
final class OneDnnScratch {
  /** What each buffer holds during a call. */
  enum Slot {
    /** the input (forward, weight gradient) */
    SOURCE,
    /** the output (forward) or the output's error (backward) */
    DESTINATION,
    /** the input's error (backward) */
    SOURCE_GRADIENT,
    /** the weights */
    WEIGHTS,
    /** the weights' gradient */
    WEIGHTS_GRADIENT
  }

  private static final long ALIGNMENT = 64;  // one cache line, oneDNN's own alignment
  private static final ThreadLocal<OneDnnScratch> PER_THREAD = ThreadLocal.withInitial(OneDnnScratch::new);

  private final Pointer[] raw = new Pointer[Slot.values().length];
  private final long[] capacity = new long[Slot.values().length];

  private OneDnnScratch() {}

  /** This thread's buffers. */
  static OneDnnScratch get() {
    return PER_THREAD.get();
  }

  /** A 64-byte-aligned buffer of at least {@code bytes} bytes for {@code slot}, valid until the next call for that slot. */
  Pointer borrow(Slot slot, long bytes) {
    int i = slot.ordinal();
    if (capacity[i] < bytes) {
      if (raw[i] != null) {
        Pointer.free(raw[i]);
      }
      raw[i] = Pointer.malloc(bytes + ALIGNMENT);
      if (raw[i] == null || raw[i].isNull()) {
        throw new OutOfMemoryError("oneDNN scratch: could not allocate " + bytes + " bytes of native memory");
      }
      capacity[i] = bytes;
    }
    long address = (raw[i].address() + ALIGNMENT - 1) & -ALIGNMENT;
    return OneDnnConvolution.at(address);
  }
}
