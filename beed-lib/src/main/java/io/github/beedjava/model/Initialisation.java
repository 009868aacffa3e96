package io.github.beedjava.model;

/** How a family's parameters are drawn at the start of training (docs/models.md). */
public enum Initialisation {
  /**
   * The official BEED code's: conv weights N(0, sqrt(2 / (k·k·out))), BN weight 1 and bias 0,
   * Linear weight and bias U(±1/sqrt(in)), conv biases U(±1/sqrt(fan_in)).
   */
  HE_FAN_OUT,
  /**
   * PyTorch's defaults for every layer: conv and Linear weights and biases U(±1/sqrt(fan_in)),
   * BN weight 1 and bias 0. MSDNet's original code means to draw He-normal conv weights, but its
   * initialiser only visits the top-level modules of each block, so what it trains from is this.
   */
  PYTORCH_DEFAULT
}
