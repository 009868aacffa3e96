package io.github.beedjava.model;

/**
 * One row of a Fig. 1-style architecture table.
 *
 * @param section {@code Main}, {@code Exit1}, ...
 * @param operator e.g. {@code Conv2d}, {@code ResNet Block}, {@code Bottleneck Block}
 * @param channels channels as the paper prints them (for WRN the base width, times {@code expansion}), or -1 for "-"
 * @param repeat how many times the operator repeats, or -1
 * @param stride stride of the first repetition, or -1
 * @param expansion channel expansion (WRN width factor, inverted-residual expansion), or -1 for "-"
 */
public record ArchitectureRow(String section, String operator, int channels, int repeat, int stride, int expansion) {

  /** A row without an expansion column value. */
  public ArchitectureRow(String section, String operator, int channels, int repeat, int stride) {
    this(section, operator, channels, repeat, stride, -1);
  }

  /** A row without channel/repeat/stride (pooling, FC), printed as "-" like the paper. */
  public static ArchitectureRow plain(String section, String operator) {
    return new ArchitectureRow(section, operator, -1, -1, -1, -1);
  }
}
