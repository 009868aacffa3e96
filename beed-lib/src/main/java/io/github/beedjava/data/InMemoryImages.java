package io.github.beedjava.data;

import java.util.SplittableRandom;

/**
 * 8-bit images held in memory (CIFAR-100, Fashion-MNIST, synthetic). The training augmentation
 * is the official CIFAR one (docs/method.md): random crop with zero padding, then a horizontal flip with
 * probability 1/2; both then normalised. Zero padding happens before normalisation, as in
 * torchvision, so padded pixels become (0 - mean) / std.
 */
public final class InMemoryImages implements ImageDataset {
  private final String name;
  private final byte[][] pixels;
  private final int[] labels;
  private final int numClasses;
  private final int channels;
  private final int size;
  private final int padding;
  private final Normalization normalization;
  private final float[][] tables;

  /**
   * @param name name for logs
   * @param pixels one CHW 8-bit array per image
   * @param labels one label per image, in [0, numClasses)
   * @param numClasses number of classes
   * @param channels channels per image
   * @param size height and width
   * @param padding zero padding of the random crop (4 in the paper)
   * @param normalization per-channel normalisation
   */
  public InMemoryImages(
      String name,
      byte[][] pixels,
      int[] labels,
      int numClasses,
      int channels,
      int size,
      int padding,
      Normalization normalization) {
    if (pixels.length != labels.length) {
      throw new IllegalArgumentException(name + ": " + pixels.length + " images but " + labels.length + " labels");
    }
    if (normalization.channels() != channels) {
      throw new IllegalArgumentException(name + ": normalization has " + normalization.channels() + " channels, images " + channels);
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= numClasses) {
        throw new IllegalArgumentException(name + ": label " + labels[i] + " of image " + i + " is outside [0, " + numClasses + ")");
      }
      if (pixels[i].length != channels * size * size) {
        throw new IllegalArgumentException(name + ": image " + i + " has " + pixels[i].length + " bytes, expected " + channels * size * size);
      }
    }
    this.name = name;
    this.pixels = pixels;
    this.labels = labels;
    this.numClasses = numClasses;
    this.channels = channels;
    this.size = size;
    this.padding = padding;
    this.normalization = normalization;
    this.tables = new float[channels][];
    for (int c = 0; c < channels; c++) {
      tables[c] = normalization.table(c);
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int size() {
    return pixels.length;
  }

  @Override
  public int numClasses() {
    return numClasses;
  }

  @Override
  public int channels() {
    return channels;
  }

  @Override
  public int imageSize() {
    return size;
  }

  @Override
  public int label(int index) {
    return labels[index];
  }

  /** The raw 8-bit pixels of an image (CHW); do not modify. */
  public byte[] pixels(int index) {
    return pixels[index];
  }

  @Override
  public void write(int index, SplittableRandom augment, float[] dest, int offset) {
    byte[] img = pixels[index];
    int dy = 0;
    int dx = 0;
    boolean flip = false;
    if (augment != null) {
      // Order of draws matches torchvision: crop position (top, left), then flip.
      dy = augment.nextInt(2 * padding + 1) - padding;
      dx = augment.nextInt(2 * padding + 1) - padding;
      flip = augment.nextDouble() < 0.5;
    }
    int plane = size * size;
    for (int c = 0; c < channels; c++) {
      float[] t = tables[c];
      int base = c * plane;
      for (int y = 0; y < size; y++) {
        int sy = y + dy;
        for (int x = 0; x < size; x++) {
          int sx = (flip ? size - 1 - x : x) + dx;
          int v = (sy < 0 || sy >= size || sx < 0 || sx >= size) ? 0 : img[base + sy * size + sx] & 0xff;
          dest[offset + base + y * size + x] = t[v];
        }
      }
    }
  }
}
