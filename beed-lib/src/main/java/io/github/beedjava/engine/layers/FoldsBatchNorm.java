package io.github.beedjava.engine.layers;

/**
 * A convolution configuration that can apply the eval-mode BN after it, and a ReLU after that,
 * itself in an inference graph ({@code BatchNormFolding}): {@link LinearConvolution} and {@link
 * DirectDepthwiseConvolution}.
 */
public interface FoldsBatchNorm {

  /** The name of the BN layer this layer applies in an inference graph, or null. */
  String getFoldedBatchNorm();

  /** @param foldedBatchNorm a BN that only this layer feeds, in an inference-only graph; null for none */
  void setFoldedBatchNorm(String foldedBatchNorm);

  /** Whether this layer also applies the ReLU after its folded BN (inference graphs only). */
  boolean isFusedRelu();

  /** @param fusedRelu true when the folded BN's only consumer was a ReLU, now removed from the graph */
  void setFusedRelu(boolean fusedRelu);

  /** Whether the convolution adds a bias of its own (the BN is then not folded into it). */
  boolean hasBias();
}
