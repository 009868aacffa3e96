package io.github.beedjava.model;

/**
 * Channels and spatial size of an activation (per image).
 *
 * @param channels number of channels (or features of a dense output)
 * @param height spatial height (1 for dense outputs)
 * @param width spatial width (1 for dense outputs)
 */
public record FeatureShape(int channels, int height, int width) {
  /** Elements per image. */
  public long size() {
    return (long) channels * height * width;
  }

  @Override
  public String toString() {
    return height == 1 && width == 1 ? Integer.toString(channels) : channels + "x" + height + "x" + width;
  }
}
