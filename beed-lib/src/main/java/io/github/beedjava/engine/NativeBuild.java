package io.github.beedjava.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

/**
 * Chooses the build of libnd4j (ND4J's native library) that this CPU can run, before ND4J loads.
 *
 * <p>The package ships two oneDNN builds of libnd4j, {@code nd4j-native} with classifiers
 * {@code linux-x86_64-onednn-avx512} and {@code linux-x86_64-onednn-avx2}, plus the plain
 * {@code linux-x86_64} build. JavaCPP loads the one named by the system property {@value
 * Nd4jRuntime#PLATFORM_EXTENSION_PROPERTY}. The AVX-512 build stops the JVM with SIGILL (illegal
 * instruction) on CPUs without AVX-512, such as AMD Zen 2 and 3 and most laptops, so a fixed flag
 * cannot serve every machine. {@code ./beed}, the kernel and the test JVMs call {@link #select()}
 * first; a program that uses beed-lib from its own {@code main} should do the same before its first
 * ND4J call (or pass the property itself).
 */
public final class NativeBuild {
  private NativeBuild() {}

  /** Platform extension of the oneDNN build for CPUs with AVX-512 (F, CD, BW, DQ, VL). */
  public static final String AVX512 = "-onednn-avx512";

  /** Platform extension of the oneDNN build for CPUs with AVX2 and FMA. */
  public static final String AVX2 = "-onednn-avx2";

  /** Platform extension of the plain build, for any x86-64 CPU (no oneDNN inside libnd4j: slower). */
  public static final String PLAIN = "";

  private static final Set<String> AVX512_FLAGS = Set.of("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl");
  private static final Set<String> AVX2_FLAGS = Set.of("avx2", "fma");

  /**
   * Sets {@value Nd4jRuntime#PLATFORM_EXTENSION_PROPERTY} to the build this CPU runs, unless it is
   * set already, and returns the extension in effect.
   *
   * @throws IllegalStateException when the property asks for a build this CPU cannot run (the JVM
   *     would otherwise die with SIGILL when ND4J loads)
   */
  public static synchronized String select() {
    Set<String> flags = cpuFlags();
    String requested = System.getProperty(Nd4jRuntime.PLATFORM_EXTENSION_PROPERTY);
    if (requested != null) {
      String missing = missingFlags(requested, flags);
      if (!flags.isEmpty() && !missing.isEmpty()) {
        throw new IllegalStateException("-D" + Nd4jRuntime.PLATFORM_EXTENSION_PROPERTY + "=" + requested
            + " asks for a libnd4j build this CPU cannot run (it lacks " + missing + "); remove the flag"
            + " (BEED_JAVA_OPTS?) and the build for this CPU (" + forCpuFlags(flags) + ") is chosen");
      }
      return requested;
    }
    String chosen = forCpuFlags(flags);
    System.setProperty(Nd4jRuntime.PLATFORM_EXTENSION_PROPERTY, chosen);
    if (chosen.equals(PLAIN)) {
      System.err.println("beed: this CPU has neither AVX-512 nor AVX2 (or /proc/cpuinfo is unreadable);"
          + " running libnd4j's plain build, which is several times slower");
    }
    return chosen;
  }

  /** The build for a CPU with these {@code /proc/cpuinfo} flags: AVX-512, else AVX2, else plain. */
  static String forCpuFlags(Set<String> flags) {
    if (flags.containsAll(AVX512_FLAGS)) {
      return AVX512;
    }
    return flags.containsAll(AVX2_FLAGS) ? AVX2 : PLAIN;
  }

  /** The flags a build needs that {@code flags} lacks, comma-separated; empty when it can run. */
  static String missingFlags(String extension, Set<String> flags) {
    Set<String> needed = extension.contains("avx512") ? AVX512_FLAGS : extension.contains("avx2") ? AVX2_FLAGS : Set.of();
    Set<String> missing = new TreeSet<>(needed);
    missing.removeAll(flags);
    return String.join(", ", missing);
  }

  /** The instruction-set flags of the first CPU in {@code /proc/cpuinfo}; empty where there is none. */
  public static Set<String> cpuFlags() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("flags")) {
          String list = line.substring(line.indexOf(':') + 1).trim();
          return Set.copyOf(Arrays.asList(list.split("\\s+")));
        }
      }
    } catch (IOException | RuntimeException unreadable) {
      // not Linux, or no procfs: fall through to "unknown"
    }
    return Set.of();
  }

  /** Whether this CPU has the AVX-512 subsets the AVX-512 build and oneDNN's Winograd kernels use. */
  public static boolean cpuHasAvx512() {
    return cpuFlags().containsAll(AVX512_FLAGS);
  }
}
