package io.github.beedjava.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.model.ModelConfig;
import io.github.beedjava.model.MultiExitNetwork;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** The three oneDNN switches of docs/performance.md are all in effect (each alone costs ~4x speed). */
class OneDnnTest {

  @Test
  void oneDnnBuildIsLoadedAndHelpersAreOn() {
    assertEquals("-onednn-avx512", System.getProperty(Nd4jRuntime.PLATFORM_EXTENSION_PROPERTY));
    assertEquals("CPU", Nd4jRuntime.backend());
    assertTrue(Nd4jRuntime.oneDnnHelpersEnabled(), "DL4J oneDNN helpers are off: check the shim and -D flags");
    assertTrue(DirectOneDnn.enabled(), "convolutions fell back to libnd4j: org.bytedeco:dnnl did not load");
    assertEquals("true", Nd4jRuntime.describe().get("directOneDnnConvolutions"));
    assertEquals("true", Nd4jRuntime.describe().get("winogradInference"));
    assertTrue(VectorApi.available(), "the Vector API loops are off: the JVM needs --add-modules jdk.incubator.vector");
    assertEquals("true", Nd4jRuntime.describe().get("vectorApi"));
    // The blocked training layout is on wherever vectors hold 16 floats (AVX-512), and recorded.
    assertEquals(String.valueOf(VectorApi.floatLanes() == 16), Nd4jRuntime.describe().get("blockedLayout"));
  }

  @Test
  void convolutionsUseOneDnnAndBatchNormTheJavaHelper() {
    MultiExitNetwork net =
        MultiExitNetwork.create(ModelConfig.cifar("resnet18", ExitStructure.BOTTLENECK, 0.125, 10));
    net.forward(Nd4j.rand(DataType.FLOAT, 2, 3, 32, 32), true);
    Object conv = net.graph().getLayer("conv1").getHelper();
    Object bn = net.graph().getLayer("bn1").getHelper();
    assertNotNull(conv, "conv1 has no helper");
    assertTrue(conv instanceof MKLDNNConvHelper, "conv1 helper is " + conv.getClass());
    // BN runs in plain Java (faster than oneDNN's NCHW kernels here, see bench/README.md)
    assertNotNull(bn, "bn1 has no helper");
    assertTrue(bn.getClass().getSimpleName().equals("JavaBatchNormHelper"), "bn1 helper is " + bn.getClass());
  }

  /**
   * The thread settings of bench/README.md ("Second pass") hold in the tests, the launcher and the
   * kernel spec alike, so that no entry point silently runs slower than the others.
   */
  @Test
  void threadSettingsAreTheSameForTestsLauncherAndKernel() throws java.io.IOException {
    java.util.Map<String, String> settings =
        java.util.Map.of("GOMP_SPINCOUNT", "3000", "OPENBLAS_NUM_THREADS", "1", "ND4J_SKIP_BLAS_THREADS", "1");
    java.nio.file.Path root = java.nio.file.Path.of("").toAbsolutePath().getParent();
    String launcher = java.nio.file.Files.readString(root.resolve("beed"));
    String kernelSpec = java.nio.file.Files.readString(root.resolve("kernel/src/main/kernelspec/kernel.json"));
    settings.forEach((name, value) -> {
      assertEquals(value, System.getenv(name), name + " in the test JVM (beed-lib/pom.xml)");
      assertTrue(launcher.contains(name + "=\"${" + name + ":-" + value + "}\""), name + " default in ./beed");
      assertTrue(kernelSpec.contains("\"" + name + "\": \"" + value + "\""), name + " in kernel.json");
    });
  }
}
