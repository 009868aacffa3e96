package io.github.beedjava.kernel;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jdk.jshell.execution.DirectExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/**
 * JShell's in-process execution, keeping the raw value of each snippet (so that tables and charts
 * render as objects, not as their toString) and running snippets on a worker thread that an
 * interrupt can stop.
 */
final class CapturingExecutionControl extends DirectExecutionControl {
  /** How long an interrupted cell may take to stop before the kernel moves on without it. */
  private static final long STOP_GRACE_SECONDS = 30;

  private volatile ExecutorService worker = newWorker();
  private volatile Future<Object> running;
  private volatile boolean interrupted;
  private Object lastValue;

  private static ExecutorService newWorker() {
    return Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "beed-kernel-cell");
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  protected String invoke(Method doitMethod) throws Exception {
    ClassLoader loader = doitMethod.getDeclaringClass().getClassLoader();
    Future<Object> f = worker.submit(() -> {
      Thread.currentThread().setContextClassLoader(loader);
      return doitMethod.invoke(null);
    });
    running = f;
    try {
      Object value = f.get();
      lastValue = value;
      return valueString(value);
    } catch (CancellationException | InterruptedException e) {
      interrupted = true;
      // Give interrupt-aware code (the trainer writes a checkpoint at the next batch) time to
      // finish, so a rerun of the cell never races the stopping one; then use a fresh thread.
      ExecutorService old = worker;
      worker = newWorker();
      old.shutdownNow();
      old.awaitTermination(STOP_GRACE_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
      throw new ExecutionControl.StoppedException();
    } catch (ExecutionException e) {
      // The cause is the InvocationTargetException JShell turns into the user's exception.
      Throwable cause = e.getCause();
      throw cause instanceof Exception ex ? ex : new RuntimeException(cause);
    } finally {
      running = null;
    }
  }

  /** Stops the running snippet (code that ignores interrupts keeps its thread, see invoke). */
  void interrupt() {
    Future<Object> f = running;
    if (f != null) {
      f.cancel(true);
    }
  }

  /** The value of the last snippet run, then forgets it. */
  Object takeValue() {
    Object v = lastValue;
    lastValue = null;
    return v;
  }

  /** Whether the last cell was interrupted, then clears the flag. */
  boolean takeInterrupted() {
    boolean i = interrupted;
    interrupted = false;
    return i;
  }

  /** The provider JShell asks for its execution engine; it always hands out this instance. */
  ExecutionControlProvider provider() {
    CapturingExecutionControl self = this;
    return new ExecutionControlProvider() {
      @Override
      public String name() {
        return "beed-capturing";
      }

      @Override
      public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
        return self;
      }
    };
  }
}
