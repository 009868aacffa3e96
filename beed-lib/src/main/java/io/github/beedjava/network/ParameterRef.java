package io.github.beedjava.network;

/**
 * One tensor of the network under its PyTorch {@code state_dict} name.
 *
 * @param pytorchName e.g. {@code layer2.0.downsample.1.running_var}
 * @param layer DL4J layer name (the PyTorch module name)
 * @param dl4jKey DL4J parameter key within the layer: W, b, gamma, beta, mean, var
 * @param kind how the DL4J array maps to the PyTorch tensor
 */
public record ParameterRef(String pytorchName, String layer, String dl4jKey, Kind kind) {

  /** Layout and role of a tensor. */
  public enum Kind {
    /** Conv weight [out, in, kh, kw], same layout in DL4J (NCHW). */
    CONV_WEIGHT,
    /** A bias or BN affine vector; DL4J stores it as [1, n]. */
    VECTOR,
    /** Depthwise conv weight: PyTorch [C, 1, kh, kw], DL4J [kh, kw, C, 1]. */
    DEPTHWISE_WEIGHT,
    /** Linear weight: PyTorch [out, in], DL4J [in, out]. */
    LINEAR_WEIGHT,
    /** BN running mean or variance: state, not trainable. */
    RUNNING_STATISTIC
  }

  /** True for parameters that SGD updates (everything but BN running statistics). */
  public boolean trainable() {
    return kind != Kind.RUNNING_STATISTIC;
  }
}
