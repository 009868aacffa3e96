package io.github.beedjava.model;

/**
 * One row of a Fig. 1-style architecture table.
 *
 * @param section {@code Main}, {@code Exit1}, ...
 * @param operator e.g. {@code Conv2d}, {@code ResNet Block}, {@code Bottleneck Block}
 * @param channels output channels, or -1 where the paper prints "-"
 * @param repeat how many times the operator repeats, or -1
 * @param stride stride of the first repetition, or -1
 */
public record ArchitectureRow(String section, String operator, int channels, int repeat, int stride) {
  /** A row without channel/repeat/stride (pooling, FC), printed as "-" like the paper. */
  public static ArchitectureRow plain(String section, String operator) {
    return new ArchitectureRow(section, operator, -1, -1, -1);
  }
}
