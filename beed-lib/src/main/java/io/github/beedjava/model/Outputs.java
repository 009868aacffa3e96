package io.github.beedjava.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The K logits and K distillation features of one forward pass (exit 1 first, main network last).
 *
 * @param logits [N, classes] per classifier
 * @param features un-pooled feature maps [N, C, H, W] per classifier
 */
public record Outputs(INDArray[] logits, INDArray[] features) {
  /** The "Ens." classifier: unweighted sum of all classifiers' logits (spec §3). */
  public INDArray ensembleLogits() {
    INDArray sum = logits[0].dup();
    for (int k = 1; k < logits.length; k++) {
      sum.addi(logits[k]);
    }
    return sum;
  }

  /**
   * Frees the native memory of every array now rather than at the next garbage collection, which
   * runs rarely in inference loops (unfreed outputs added up to hundreds of MB, bench/README.md
   * "Memory"). The arrays must not be used afterwards; views and workspace arrays are left alone.
   */
  public void release() {
    for (INDArray a : logits) {
      a.close();
    }
    for (INDArray a : features) {
      a.close();
    }
  }

  /** Number of classifiers K. */
  public int numClassifiers() {
    return logits.length;
  }

  static Outputs split(INDArray[] all) {
    int k = all.length / 2;
    INDArray[] logits = new INDArray[k];
    INDArray[] features = new INDArray[k];
    System.arraycopy(all, 0, logits, 0, k);
    System.arraycopy(all, k, features, 0, k);
    return new Outputs(logits, features);
  }
}
