package io.github.beedjava.network;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The K logits and K distillation features of one forward pass (exit 1 first, main network last).
 *
 * @param logits [N, classes] per classifier
 * @param features un-pooled feature maps [N, C, H, W] per classifier
 */
public record Outputs(INDArray[] logits, INDArray[] features) {
  /** The "Ens." classifier: unweighted sum of all classifiers' logits (docs/method.md). */
  public INDArray ensembleLogits() {
    INDArray sum = logits[0].dup();
    for (int k = 1; k < logits.length; k++) {
      sum.addi(logits[k]);
    }
    return sum;
  }

  /**
   * Closes every array: they must not be used afterwards; views and workspace arrays are left
   * alone. With ND4J M2.1 on the CPU this marks the buffers closed, but their host memory goes back
   * only when the garbage collector finalizes them (measured: 4 MB arrays dup'd and closed in a
   * loop grow the process by their size until a collection, bench/HISTORY.md "Fourth pass"). Loops
   * that need only the logits should call {@link MultiExitNetwork#logits}, which copies nothing else.
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

  /** Splits a graph's outputs, the K logits then the K features, into an {@code Outputs}. */
  public static Outputs split(INDArray[] all) {
    int k = all.length / 2;
    INDArray[] logits = new INDArray[k];
    INDArray[] features = new INDArray[k];
    System.arraycopy(all, 0, logits, 0, k);
    System.arraycopy(all, k, features, 0, k);
    return new Outputs(logits, features);
  }
}
