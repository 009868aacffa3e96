package io.github.beedjava.engine.simd;

/**
 * Whether this JVM can run the SIMD loops of the model package (batch norm and ReLU backward with
 * the JDK's incubating Vector API): it resolved the {@code jdk.incubator.vector} module, as the
 * launcher, the kernel spec and the tests start it ({@code --add-modules jdk.incubator.vector}), and
 * {@code -D}{@value #PROPERTY}{@code =false} does not switch them off. Without it scalar loops run
 * (the same results up to float rounding, about 1.07x slower training at width 1/4: bench/HISTORY.md).
 */
public final class VectorApi {
  /** System property that turns the Vector API loops off when set to {@code false}. */
  public static final String PROPERTY = "beed.vector";

  private static final boolean AVAILABLE = !"false".equals(System.getProperty(PROPERTY))
      && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

  private VectorApi() {}

  /** Floats in one of this CPU's preferred vectors (16 with AVX-512), or 0 when the Vector API is not available. */
  public static int floatLanes() {
    return AVAILABLE ? jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length() : 0;
  }

  /** True when the Vector API loops run in this process. */
  public static boolean available() {
    return AVAILABLE;
  }
}
