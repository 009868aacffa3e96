package org.nd4j.nativeblas;

/**
 * Compatibility shim: DL4J 1.0.0-M2.1's {@code BaseMKLDNNHelper} looks up oneDNN through this
 * class name (and {@code isUseMKLDNN}), which nd4j-native M2.1 moved to {@code
 * org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu.Environment#isUseONEDNN}. Without this class
 * DL4J's oneDNN convolution and batch-norm helpers never switch on (about 4x slower training).
 */
public final class Nd4jCpu {
  private Nd4jCpu() {}

  /** Delegates to the renamed native environment. */
  public static final class Environment {
    private static final Environment INSTANCE = new Environment();

    private Environment() {}

    /** The singleton DL4J expects. */
    public static Environment getInstance() {
      return INSTANCE;
    }

    /**
     * Whether libnd4j was built with oneDNN and uses it; false on other backends. Reflection keeps
     * this class compilable without nd4j-native (the {@code -Pcuda} build).
     */
    public boolean isUseMKLDNN() {
      try {
        Class<?> env = Class.forName("org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment");
        Object instance = env.getMethod("getInstance").invoke(null);
        return (boolean) env.getMethod("isUseONEDNN").invoke(instance);
      } catch (ReflectiveOperationException | LinkageError e) {
        return false;
      }
    }
  }
}
