package io.github.beedjava.objective;

/**
 * A detached teacher: logits whose softened distribution the students match, and a feature map
 * they regress onto. Computed from copies of the outputs, so no gradient can reach it.
 *
 * @param logits [N, classes]
 * @param feature [N, C, H, W]
 */
public record Teacher(Tensor logits, Tensor feature) {}
