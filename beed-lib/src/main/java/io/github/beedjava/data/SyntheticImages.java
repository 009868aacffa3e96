package io.github.beedjava.data;

import java.util.SplittableRandom;

/**
 * Seeded synthetic images that a small network learns in seconds: each class has its own colour
 * and its own oriented stripe pattern; every image is its class's pattern shifted by up to three
 * pixels with Gaussian noise. Used by the {@code smoke} profile and the tests; no download.
 */
public final class SyntheticImages {
  private SyntheticImages() {}

  /** Classes of the synthetic data. */
  public static final int CLASSES = 10;

  /** Seed of the class patterns: fixed, so every run sees the same task. */
  private static final long PATTERN_SEED = 20221204L;

  /**
   * Generates both splits (3×32×32, 10 classes, CIFAR normalisation).
   *
   * @param trainSize training images
   * @param testSize test images
   */
  public static DataSplits generate(int trainSize, int testSize) {
    if (trainSize < 1 || testSize < 1) {
      throw new IllegalArgumentException("synthetic: trainSubset and testSubset must be >= 1 (0 means the default), got " + trainSize + ", " + testSize);
    }
    SplittableRandom patterns = new SplittableRandom(PATTERN_SEED);
    double[][] colour = new double[CLASSES][3];
    double[][] freq = new double[CLASSES][2];
    patternsOf(patterns, colour, freq);
    return new DataSplits(
        "synthetic",
        split("synthetic/train", trainSize, colour, freq, new SplittableRandom(PATTERN_SEED + 1)),
        split("synthetic/test", testSize, colour, freq, new SplittableRandom(PATTERN_SEED + 2)),
        java.util.List.of());
  }

  /** A third seeded split (neither training nor test images), for fitting early-exit thresholds. */
  public static ImageDataset heldOut(int size) {
    SplittableRandom patterns = new SplittableRandom(PATTERN_SEED);
    double[][] colour = new double[CLASSES][3];
    double[][] freq = new double[CLASSES][2];
    patternsOf(patterns, colour, freq);
    return split("synthetic/held-out", size, colour, freq, new SplittableRandom(PATTERN_SEED + 3));
  }

  private static void patternsOf(SplittableRandom patterns, double[][] colour, double[][] freq) {
    for (int c = 0; c < CLASSES; c++) {
      for (int ch = 0; ch < 3; ch++) {
        colour[c][ch] = patterns.nextDouble(-1, 1);
      }
      double angle = Math.PI * c / CLASSES;
      double f = 2 + (c % 3);
      freq[c][0] = f * Math.cos(angle);
      freq[c][1] = f * Math.sin(angle);
    }
  }

  private static InMemoryImages split(String name, int n, double[][] colour, double[][] freq, SplittableRandom rng) {
    int size = 32;
    byte[][] images = new byte[n][3 * size * size];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      int c = i % CLASSES;
      labels[i] = c;
      int sx = rng.nextInt(7) - 3;
      int sy = rng.nextInt(7) - 3;
      for (int ch = 0; ch < 3; ch++) {
        for (int y = 0; y < size; y++) {
          for (int x = 0; x < size; x++) {
            double phase = 2 * Math.PI * (freq[c][0] * (x + sx) + freq[c][1] * (y + sy)) / size;
            double v = 0.5 + 0.2 * colour[c][ch] + 0.2 * Math.sin(phase + ch) + 0.1 * rng.nextGaussian();
            images[i][(ch * size + y) * size + x] = (byte) Math.max(0, Math.min(255, Math.round(v * 255)));
          }
        }
      }
    }
    return new InMemoryImages(name, images, labels, CLASSES, 3, size, 4, Normalization.CIFAR);
  }
}
