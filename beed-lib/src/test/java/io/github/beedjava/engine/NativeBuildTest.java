package io.github.beedjava.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

class NativeBuildTest {

  @Test
  void eachCpuGetsTheBuildItCanRun() {
    Set<String> zen3 = Set.of("sse4_2", "avx", "avx2", "fma", "bmi2");
    Set<String> skylakeServer = Set.of("avx", "avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl");
    assertEquals(NativeBuild.AVX2, NativeBuild.forCpuFlags(zen3));
    assertEquals(NativeBuild.AVX512, NativeBuild.forCpuFlags(skylakeServer));
    // Xeon Phi: AVX-512 F and CD, but not BW/DQ/VL, which the AVX-512 build uses
    assertEquals(NativeBuild.AVX2, NativeBuild.forCpuFlags(Set.of("avx2", "fma", "avx512f", "avx512cd")));
    assertEquals(NativeBuild.PLAIN, NativeBuild.forCpuFlags(Set.of("sse4_2", "avx")));
    assertEquals(NativeBuild.PLAIN, NativeBuild.forCpuFlags(Set.of()));
  }

  @Test
  void aBuildTheCpuCannotRunIsNamedWithWhatItLacks() {
    Set<String> zen3 = Set.of("avx", "avx2", "fma");
    assertEquals("avx512bw, avx512cd, avx512dq, avx512f, avx512vl", NativeBuild.missingFlags(NativeBuild.AVX512, zen3));
    assertEquals("", NativeBuild.missingFlags(NativeBuild.AVX2, zen3));
    assertEquals("", NativeBuild.missingFlags(NativeBuild.PLAIN, Set.of()));
  }

  @Test
  void anExplicitRequestForABuildThisCpuLacksIsRefusedBeforeNd4jLoads() {
    String set = System.getProperty(Nd4jRuntime.PLATFORM_EXTENSION_PROPERTY);
    String impossible = NativeBuild.cpuHasAvx512() ? null : NativeBuild.AVX512;
    if (impossible == null || NativeBuild.cpuFlags().isEmpty()) {
      return;  // every build runs on this CPU: nothing to refuse here (covered by missingFlags above)
    }
    try {
      System.setProperty(Nd4jRuntime.PLATFORM_EXTENSION_PROPERTY, impossible);
      var e = assertThrows(IllegalStateException.class, NativeBuild::select);
      assertTrue(e.getMessage().contains("avx512f") && e.getMessage().contains("remove the flag"), e.getMessage());
    } finally {
      System.setProperty(Nd4jRuntime.PLATFORM_EXTENSION_PROPERTY, set);
    }
  }

  @Test
  void theTestJvmRunsTheBuildChosenForThisCpu() {
    assertEquals(NativeBuild.forCpuFlags(NativeBuild.cpuFlags()),
        System.getProperty(Nd4jRuntime.PLATFORM_EXTENSION_PROPERTY));
  }
}
