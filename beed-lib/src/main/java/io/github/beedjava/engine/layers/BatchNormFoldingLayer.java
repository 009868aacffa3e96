package io.github.beedjava.engine.layers;

import org.deeplearning4j.nn.layers.normalization.BatchNormalization;

/** The runtime layer of a {@link FoldsBatchNorm} configuration: it is linked to the BN it folds once the graph exists. */
public interface BatchNormFoldingLayer {

  /**
   * Links the BN that {@code BatchNormFolding} folded into this layer (named by its
   * configuration); its parameters are read at every pass.
   *
   * @throws IllegalArgumentException when {@code bn} is not the BN the configuration names
   */
  void foldBatchNorm(BatchNormalization bn);
}
