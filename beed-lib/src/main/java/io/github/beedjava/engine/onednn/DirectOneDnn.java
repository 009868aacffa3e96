package io.github.beedjava.engine.onednn;

import io.github.beedjava.engine.Nd4jRuntime;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.Loader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The oneDNN library that this package calls directly, beside the copy inside libnd4j.
 *
 * <p>libnd4j's convolution ops create their oneDNN primitives and allocate their layout buffers
 * afresh on every call, and these reorders cost three times PyTorch's (bench/HISTORY.md, "Third
 * pass"). Convolutions therefore call oneDNN themselves ({@code org.bytedeco:dnnl}) with cached
 * primitives and reused buffers. This class loads it once, owns the CPU engine and stream, and
 * says whether the direct path may be used: only on ND4J's CPU backend, only when the library
 * loads, and not when the system property {@value #PROPERTY} is {@code false} (the libnd4j path,
 * kept for A/B comparisons and as the fallback).
 */
public final class DirectOneDnn {
  private static final Logger LOG = LoggerFactory.getLogger(DirectOneDnn.class);

  /** System property; {@code false} routes convolutions through libnd4j's ops instead. */
  public static final String PROPERTY = "beed.onednn.direct";

  /** System property; {@code false} runs inference convolutions by the direct algorithm instead of Winograd. */
  public static final String WINOGRAD_PROPERTY = "beed.onednn.winograd";

  private static volatile DirectOneDnn instance;
  private static volatile boolean resolved;

  private final engine cpu;
  // oneDNN streams are not thread-safe: one per thread that runs layers.
  private final ThreadLocal<stream> streams;

  private DirectOneDnn() {
    Loader.load(org.bytedeco.dnnl.global.dnnl.class);
    cpu = new engine(engine.kind.cpu, 0);
    streams = ThreadLocal.withInitial(() -> new stream(cpu));
  }

  /** The loaded library, or null when the direct path is off, not on the CPU backend or fails to load. */
  public static DirectOneDnn get() {
    if (!resolved) {
      synchronized (DirectOneDnn.class) {
        if (!resolved) {
          instance = load();
          resolved = true;
        }
      }
    }
    return instance;
  }

  /**
   * Whether 3x3 stride-1 inference convolutions may run by Winograd (the default; {@value
   * #WINOGRAD_PROPERTY}{@code =false} keeps the direct algorithm, e.g. to compare the two).
   */
  public static boolean winogradInference() {
    return !"false".equalsIgnoreCase(System.getProperty(WINOGRAD_PROPERTY, "true"));
  }

  /** System property; {@code false} keeps eval-mode BN and ReLU as layers of their own in inference graphs. */
  public static final String FOLD_PROPERTY = "beed.onednn.fold";

  /**
   * Whether inference graphs fold each BN (and the ReLU after it) into the convolution before it,
   * and the ReLU after a residual sum into the sum ({@code BatchNormFolding}): on by default where
   * this library runs convolutions; {@value #FOLD_PROPERTY}{@code =false} turns both off.
   */
  public static boolean foldBatchNorms() {
    return enabled() && !"false".equalsIgnoreCase(System.getProperty(FOLD_PROPERTY, "true"));
  }

  /** System property; {@code false} keeps activations in plain NCHW between layers (training and inference). */
  public static final String BLOCKED_PROPERTY = "beed.onednn.blocked";

  /**
   * Whether training steps and eval-mode passes may keep activations in oneDNN's blocked layout
   * between layers (on by default where this library runs convolutions; {@value #BLOCKED_PROPERTY}
   * {@code =false} turns it off, and inference then runs the channels-last graph). The model
   * package decides per layer where it applies.
   */
  public static boolean blockedLayout() {
    return enabled() && !"false".equalsIgnoreCase(System.getProperty(BLOCKED_PROPERTY, "true"));
  }

  /** Whether convolutions run through this library (see the class comment). */
  public static boolean enabled() {
    return get() != null;
  }

  private static DirectOneDnn load() {
    if ("false".equalsIgnoreCase(System.getProperty(PROPERTY, "true"))) {
      return null;
    }
    if (!"CPU".equalsIgnoreCase(Nd4jRuntime.backend())) {
      return null;  // GPU backends keep DL4J's cuDNN helpers
    }
    try {
      return new DirectOneDnn();
    } catch (Throwable e) {  // UnsatisfiedLinkError on a platform without org.bytedeco:dnnl natives
      LOG.warn("oneDNN (org.bytedeco:dnnl) did not load ({}); convolutions use libnd4j's ops, which are slower. "
          + "Set -D{}=false to silence this.", e.toString(), PROPERTY);
      return null;
    }
  }

  /** The CPU engine every primitive and memory here is created on. */
  public engine engine() {
    return cpu;
  }

  /** This thread's in-order stream; callers wait on it before handing results back. */
  public stream stream() {
    return streams.get();
  }
}
