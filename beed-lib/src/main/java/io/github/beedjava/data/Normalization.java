package io.github.beedjava.data;

import java.util.Arrays;

/**
 * Per-channel normalisation (x/255 - mean) / std, as torchvision's ToTensor + Normalize.
 *
 * @param mean per-channel mean of the [0, 1] pixel values
 * @param std per-channel standard deviation
 */
public record Normalization(double[] mean, double[] std) {

  /** The official code's constants: CIFAR-10 statistics, used as-is for CIFAR-100 (docs/method.md). */
  public static final Normalization CIFAR =
      new Normalization(new double[] {0.4914, 0.4822, 0.4465}, new double[] {0.2023, 0.1994, 0.2010});

  /** Fashion-MNIST's usual single-channel constants. */
  public static final Normalization FASHION_MNIST =
      new Normalization(new double[] {0.2860}, new double[] {0.3530});

  /** ImageNet statistics (torchvision's), for class-folder data. */
  public static final Normalization IMAGENET =
      new Normalization(new double[] {0.485, 0.456, 0.406}, new double[] {0.229, 0.224, 0.225});

  /** Checks both arrays have the same positive length and every std is positive. */
  public Normalization {
    if (mean.length == 0 || mean.length != std.length) {
      throw new IllegalArgumentException("normalization: mean and std need one value per channel");
    }
    for (double s : std) {
      if (!(s > 0)) {
        throw new IllegalArgumentException("normalization: std must be > 0, got " + Arrays.toString(std));
      }
    }
  }

  /** Number of channels. */
  public int channels() {
    return mean.length;
  }

  /** A lookup table value → normalised float for a channel (pixels are 8-bit). */
  float[] table(int channel) {
    float[] t = new float[256];
    for (int v = 0; v < 256; v++) {
      t[v] = (float) ((v / 255.0 - mean[channel]) / std[channel]);
    }
    return t;
  }
}
