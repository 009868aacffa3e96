package io.github.beedjava.kernel;

import java.util.List;

/**
 * A cell that did not run to the end: a compile error, an exception of the user's code (named by
 * its original class) or an interrupt. Its lines are the traceback Jupyter shows.
 */
public final class CellError extends RuntimeException {
  private final List<String> traceback;

  CellError(String message, List<String> traceback) {
    super(message, null, false, false);
    this.traceback = List.copyOf(traceback);
  }

  /** The traceback lines, without ANSI colours. */
  public List<String> traceback() {
    return traceback;
  }
}
