package io.github.beedjava.model;

import io.github.beedjava.runtime.EnumNames;

/** The exit (early classifier) structures of the paper's Table 1; {@link #NONE} is the single network. */
public enum ExitStructure {
  /** The proposed bottleneck exit: conv1x1-BN-ReLU, conv3x3/s2-BN-ReLU, conv1x1-BN-ReLU per block. */
  BOTTLENECK,
  /** Local-critic style exit (the authors' EED code): ReLU-conv3x3/s2-BN per remaining stage. */
  LCT,
  /** Be Your Own Teacher's branch bottleneck: 1x1, kxk stride k, 1x1 (with biases), BN-ReLU each. */
  BYOT,
  /** Task-Oriented Feature Distillation's exit: one separable-conv block per remaining stage. */
  TOFD,
  /**
   * MSDNet's own classifiers (two conv3x3/s2-BN-ReLU with 128 channels, average pooling, Linear) on
   * the coarsest scale after each of its blocks; only {@code --model msdnet} has them.
   */
  MSDNET,
  /** No exits: the main network alone (the paper's "Baseline"). */
  NONE;

  /** Parses a command-line or JSON name such as {@code bottleneck}. */
  public static ExitStructure parse(String name) {
    return EnumNames.parse(ExitStructure.class, "exits", "exit structure", name);
  }

  /** The lower-case name used on the command line and in JSON. */
  public String cliName() {
    return EnumNames.cliName(this);
  }
}
