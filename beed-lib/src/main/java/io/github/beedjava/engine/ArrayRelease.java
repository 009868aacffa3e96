package io.github.beedjava.engine;

/**
 * Whether ND4J frees an array's native memory when the garbage collector finds the array
 * unreachable (ND4J's default), or keeps every array until the JVM exits.
 *
 * <p>Why a short process may want the second: ND4J 1.0.0-M2.1 frees native memory on a background
 * thread as soon as a collection finds the owning Java buffer unreachable. For a broadcast op (for
 * instance inside DL4J's batch-norm backward) {@code NativeOpExecutioner} passes the op's
 * dimension buffer to {@code execBroadcast} and never touches the op again, so compiled code may
 * consider the op, and with it that buffer, dead before the native call has read it. A collection
 * at that instant lets the background thread free the buffer while libnd4j is reading it: a rare
 * SIGSEGV in {@code sd::TadDescriptor} or {@code sd::DataBuffer::primary()} under
 * {@code execBroadcast} (DL4J issue 9278 reports the same frame). With release at exit nothing is
 * freed early, so that crash cannot happen; the price is that memory grows with every array made.
 * {@code beed reference-check} (a few seconds, under 600 MB for the committed fixtures) uses it;
 * training does not.
 */
public final class ArrayRelease {
  private ArrayRelease() {}

  /** ND4J's switch for freeing arrays by garbage collection (read once, when ND4J starts). */
  static final String NO_ARRAY_GC_PROPERTY = "org.nd4j.noarraygc";

  /** JavaCPP's switch, which ND4J also honours. */
  static final String NO_POINTER_GC_PROPERTY = "org.bytedeco.javacpp.nopointergc";

  /** ND4J logs a misleading warning when the switch is on; keep it out of the check's report. */
  private static final String DEALLOCATOR_LOG_LEVEL_PROPERTY =
      "org.slf4j.simpleLogger.log.org.nd4j.linalg.api.memory.deallocation.DeallocatorService";

  /**
   * Keeps every ND4J array until the JVM exits. Takes effect only when called before ND4J's first
   * use in this JVM (ND4J reads the switch once); {@code ./beed} calls it first thing for
   * {@code reference-check}.
   */
  public static void atExit() {
    System.setProperty(NO_ARRAY_GC_PROPERTY, "true");
    if (System.getProperty(DEALLOCATOR_LOG_LEVEL_PROPERTY) == null) {
      System.setProperty(DEALLOCATOR_LOG_LEVEL_PROPERTY, "error");
    }
  }

  /**
   * How this JVM releases ND4J arrays, for provenance: {@code "gc"} (ND4J's default) or
   * {@code "exit"}, as the switches read when ND4J starts.
   */
  public static String mode() {
    return Boolean.getBoolean(NO_ARRAY_GC_PROPERTY) || Boolean.getBoolean(NO_POINTER_GC_PROPERTY) ? "exit" : "gc";
  }
}
