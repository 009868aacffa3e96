package io.github.beedjava.model;

/**
 * Trainable parameters and forward multiply-accumulates of one layer, for the architecture summary.
 *
 * @param layer DL4J layer (= PyTorch module) name
 * @param params trainable parameters (BN running statistics excluded)
 * @param macs multiply-accumulates per image in the forward pass
 * @param elementOps one per ReLU output element, pooled input element and Linear bias: what
 *     MSDNet's op counter adds to the multiply-accumulates (it calls the sum "FLOPs")
 */
public record LayerCost(String layer, long params, long macs, long elementOps) {}
