package io.github.beedjava.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.beedjava.engine.NativeBuild;
import io.github.beedjava.engine.Nd4jRuntime;
import io.github.beedjava.engine.onednn.DirectOneDnn;
import io.github.beedjava.engine.simd.VectorApi;
import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.model.ModelConfig;
import io.github.beedjava.network.MultiExitNetwork;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** The three oneDNN switches of docs/performance.md are all in effect (each alone costs ~4x speed). */
class OneDnnTest {

  @Test
  void oneDnnBuildIsLoadedAndHelpersAreOn() {
    // the oneDNN build this CPU runs (NativeBuild, chosen by the test listener as by ./beed)
    String expected = NativeBuild.cpuHasAvx512() ? NativeBuild.AVX512 : NativeBuild.AVX2;
    assertEquals(expected, System.getProperty(Nd4jRuntime.PLATFORM_EXTENSION_PROPERTY));
    assertEquals("CPU", Nd4jRuntime.backend());
    assertTrue(Nd4jRuntime.oneDnnHelpersEnabled(), "DL4J oneDNN helpers are off: check the shim and -D flags");
    assertTrue(DirectOneDnn.enabled(), "convolutions fell back to libnd4j: org.bytedeco:dnnl did not load");
    assertEquals("true", Nd4jRuntime.describe().get("directOneDnnConvolutions"));
    assertEquals(String.valueOf(NativeBuild.cpuHasAvx512()), Nd4jRuntime.describe().get("winogradInference"));
    assertTrue(VectorApi.available(), "the Vector API loops are off: the JVM needs --add-modules jdk.incubator.vector");
    assertEquals("true", Nd4jRuntime.describe().get("vectorApi"));
    // the 16-channel 3x3 inference layers run by JavaWinograd where vectors hold 16 floats, and that is recorded
    assertEquals(String.valueOf(VectorApi.floatLanes() == 16), Nd4jRuntime.describe().get("javaWinograd"));
    assertEquals(String.valueOf(VectorApi.floatLanes() == 16), Nd4jRuntime.describe().get("stemComposition"));
    assertEquals(String.valueOf(VectorApi.floatLanes() == 16), Nd4jRuntime.describe().get("exitBlockFusion"));
    assertEquals(String.valueOf(VectorApi.floatLanes() == 16), Nd4jRuntime.describe().get("stemShortcut"));
    // The blocked layout is on wherever vectors hold 16 (AVX-512) or 8 floats (AVX2), one block each, and recorded.
    int lanes = VectorApi.floatLanes();
    assertEquals(String.valueOf(lanes == 16 || lanes == 8), Nd4jRuntime.describe().get("blockedLayout"));
    assertEquals(String.valueOf(lanes >= 16 ? 16 : 8), Nd4jRuntime.describe().get("channelBlock"));
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
    // BN runs in plain Java (faster than oneDNN's NCHW kernels here, see bench/HISTORY.md)
    assertNotNull(bn, "bn1 has no helper");
    assertTrue(bn.getClass().getSimpleName().equals("JavaBatchNormHelper"), "bn1 helper is " + bn.getClass());
  }

  /**
   * The launcher and the kernel read the JVM flags and thread settings that the build generated from
   * the root pom, the same ones this test JVM got, so no entry point silently runs slower than another.
   */
  @Test
  void launcherAndKernelUseTheTestJvmsFlagsAndThreadSettings() throws java.io.IOException {
    java.nio.file.Path root = java.nio.file.Path.of(System.getProperty("beed.repository"));
    java.nio.file.Path generated = root.resolve("beed-lib/target/launcher");
    assertEquals(System.getProperty("beed.jvm.flags"), java.nio.file.Files.readString(generated.resolve("jvm.flags")).trim());
    for (String line : java.nio.file.Files.readAllLines(generated.resolve("threads.env"))) {
      String[] kv = line.split("=", 2);
      assertEquals(kv[1], System.getenv(kv[0]), kv[0] + " in the test JVM and in threads.env");
    }
    String launcher = java.nio.file.Files.readString(root.resolve("beed"));
    assertTrue(launcher.contains("$launcher/jvm.flags") && launcher.contains("$launcher/threads.env"), "./beed reads the generated files");
    String spec = java.nio.file.Files.readString(root.resolve("kernel/src/main/kernelspec/start-kernel.sh"));
    assertTrue(spec.contains("exec java ${beed.jvm.flags} "), "the kernel starts with the pom's flags");
  }
}
