package io.github.beedjava.engine;

import io.github.beedjava.engine.layout.BlockedActivations;
import io.github.beedjava.engine.onednn.DirectOneDnn;
import io.github.beedjava.engine.simd.JavaExitBlock;
import io.github.beedjava.engine.simd.JavaStemComposition;
import io.github.beedjava.engine.simd.JavaWinograd;
import io.github.beedjava.engine.simd.VectorApi;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper;
import org.nd4j.linalg.factory.Nd4j;

/** Facts about the ND4J backend this process runs on, for checks and provenance. */
public final class Nd4jRuntime {
  private Nd4jRuntime() {}

  /** The JVM flag that selects the oneDNN build of libnd4j. */
  public static final String PLATFORM_EXTENSION_PROPERTY = "org.bytedeco.javacpp.platform.extension";

  /** The DL4J flag that must be {@code false} for layer helpers (oneDNN, cuDNN) to be used. */
  public static final String HELPERS_DISABLE_PROPERTY = "org.eclipse.deeplearning4j.helpers.disable";

  /** Backend name as ND4J reports it, e.g. {@code CPU} or {@code CUDA}. */
  public static String backend() {
    Object b = Nd4j.getExecutioner().getEnvironmentInformation().get("backend");
    return b == null ? "unknown" : b.toString();
  }

  /** True when DL4J's oneDNN helpers can be used (CPU backend only). */
  public static boolean oneDnnHelpersEnabled() {
    return "false".equalsIgnoreCase(System.getProperty(HELPERS_DISABLE_PROPERTY))
        && BaseMKLDNNHelper.mklDnnEnabled();
  }

  /** A short description for logs and provenance. */
  public static Map<String, String> describe() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("backend", backend());
    m.put("cpuHasAvx512", String.valueOf(NativeBuild.cpuHasAvx512()));
    m.put("platformExtension", String.valueOf(System.getProperty(PLATFORM_EXTENSION_PROPERTY)));
    m.put("oneDnnHelpers", String.valueOf(oneDnnHelpersEnabled()));
    m.put("directOneDnnConvolutions", String.valueOf(DirectOneDnn.enabled()));
    // oneDNN has f32 Winograd kernels for AVX-512 only; elsewhere those layers run the direct algorithm
    m.put("winogradInference",
        String.valueOf(DirectOneDnn.enabled() && DirectOneDnn.winogradInference() && NativeBuild.cpuHasAvx512()));
    // 16-channel 3x3 inference layers by Winograd in Java loops (AVX-512 only), where oneDNN runs the direct algorithm
    m.put("javaWinograd", String.valueOf(DirectOneDnn.enabled() && DirectOneDnn.winogradInference() && JavaWinograd.enabled()));
    // the convolution after a linear stem as one 5x5 convolution of the input (AVX-512 only; rounds differently, ~1e-6)
    m.put("stemComposition", String.valueOf(DirectOneDnn.enabled() && DirectOneDnn.foldBatchNorms() && JavaStemComposition.enabled()));
    // the linear stem computed in the first residual block's Winograd output transform (AVX-512 only; rounds differently, ~1e-6)
    m.put("stemShortcut", String.valueOf(DirectOneDnn.enabled() && DirectOneDnn.winogradInference() && DirectOneDnn.foldBatchNorms()
        && JavaWinograd.stemEnabled()));
    // the first exit block's three convolutions image by image (AVX-512 only)
    m.put("exitBlockFusion", String.valueOf(DirectOneDnn.enabled() && DirectOneDnn.foldBatchNorms() && JavaExitBlock.enabled()));
    m.put("vectorApi", String.valueOf(VectorApi.available()));
    // Activations stay in oneDNN's channel blocks where this holds (engine.layout.BlockedActivations).
    m.put("blockedLayout", String.valueOf(BlockedActivations.available()));
    m.put("channelBlock", String.valueOf(BlockedActivations.BLOCK));  // nChw16c (AVX-512) or nChw8c (AVX2)
    m.put("arrayRelease", ArrayRelease.mode());  // "exit" in reference-check: see ArrayRelease
    m.put("ompThreads", String.valueOf(System.getenv("OMP_NUM_THREADS")));
    m.put("ompWaitPolicy", String.valueOf(System.getenv("OMP_WAIT_POLICY")));
    m.put("gompSpinCount", String.valueOf(System.getenv("GOMP_SPINCOUNT")));
    m.put("openblasThreads", String.valueOf(System.getenv("OPENBLAS_NUM_THREADS")));
    m.put("java", System.getProperty("java.version"));
    return m;
  }
}
