package io.github.beedjava.network;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Eval-mode logits with one of the package's {@code -D...=false} switches set for the pass only. */
final class SwitchedOff {
  private SwitchedOff() {}

  /** {@code net}'s logits of {@code x} with system property {@code property} set to {@code false} during the pass. */
  static Outputs logits(MultiExitNetwork net, INDArray x, String property) {
    System.setProperty(property, "false");
    try {
      return net.logits(x);
    } finally {
      System.clearProperty(property);
    }
  }
}
