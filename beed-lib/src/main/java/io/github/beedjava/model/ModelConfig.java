package io.github.beedjava.model;

import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * What defines a multi-exit network: backbone name, exit structure, width multiplier, classes,
 * input shape, the stem-ReLU switch (docs/method.md), data type and initialisation seed.
 *
 * @param architecture registry name, e.g. {@code resnet18}
 * @param exits exit structure attached to the backbone
 * @param width multiplier applied to every channel count (rounded, at least 1)
 * @param numClasses number of output classes of every classifier
 * @param inputChannels channels of the input images (3 for CIFAR, 1 for Fashion-MNIST)
 * @param inputSize height and width of the (square) input images
 * @param stemRelu apply ReLU after the stem BN (the official code does not)
 * @param dataType FLOAT for training, DOUBLE for gradient checks
 * @param seed seed of the PyTorch-equivalent initialisation
 * @param imagenetStem the ImageNet ResNet stem (conv 7x7/s2, BN, ReLU, max-pool 3x3/s2; docs/method.md)
 *     instead of the CIFAR 3x3/s1 stem
 */
public record ModelConfig(
    String architecture,
    ExitStructure exits,
    double width,
    int numClasses,
    int inputChannels,
    int inputSize,
    boolean stemRelu,
    DataType dataType,
    long seed,
    boolean imagenetStem) {

  /** A config with the CIFAR stem. */
  public ModelConfig(String architecture, ExitStructure exits, double width, int numClasses, int inputChannels,
      int inputSize, boolean stemRelu, DataType dataType, long seed) {
    this(architecture, exits, width, numClasses, inputChannels, inputSize, stemRelu, dataType, seed, false);
  }

  /** Validates every field; the message names the field and the fix. */
  public ModelConfig {
    Objects.requireNonNull(architecture, "architecture");
    Objects.requireNonNull(exits, "exits");
    Objects.requireNonNull(dataType, "dataType");
    if (!(width > 0) || width > 8) {
      throw new IllegalArgumentException("width: must be in (0, 8], got " + width);
    }
    if (numClasses < 2) {
      throw new IllegalArgumentException("classes: need at least 2 classes, got " + numClasses);
    }
    if (inputChannels < 1) {
      throw new IllegalArgumentException("inputChannels: must be >= 1, got " + inputChannels);
    }
    if (inputSize < 8 || inputSize % 8 != 0) {
      throw new IllegalArgumentException(
          "inputSize: must be a multiple of 8 (three stride-2 stages), got " + inputSize);
    }
    if (imagenetStem && (inputSize < 32 || inputSize % 32 != 0)) {
      throw new IllegalArgumentException("inputSize: the ImageNet stem needs a multiple of 32 (e.g. 224), got " + inputSize);
    }
    if (dataType != DataType.FLOAT && dataType != DataType.DOUBLE) {
      throw new IllegalArgumentException("dataType: FLOAT or DOUBLE, got " + dataType);
    }
  }

  /** CIFAR defaults: 32x32 RGB, float, no stem ReLU, seed 1. */
  public static ModelConfig cifar(String architecture, ExitStructure exits, double width, int classes) {
    return new ModelConfig(architecture, exits, width, classes, 3, 32, false, DataType.FLOAT, 1L);
  }

  /** A copy with another data type. */
  public ModelConfig withDataType(DataType type) {
    return new ModelConfig(architecture, exits, width, numClasses, inputChannels, inputSize, stemRelu, type, seed, imagenetStem);
  }

  /** A copy with another initialisation seed. */
  public ModelConfig withSeed(long newSeed) {
    return new ModelConfig(architecture, exits, width, numClasses, inputChannels, inputSize, stemRelu, dataType, newSeed, imagenetStem);
  }

  /** A copy with another input shape. */
  public ModelConfig withInput(int channels, int size) {
    return new ModelConfig(architecture, exits, width, numClasses, channels, size, stemRelu, dataType, seed, imagenetStem);
  }

  /** A copy with the stem ReLU switched on or off. */
  public ModelConfig withStemRelu(boolean on) {
    return new ModelConfig(architecture, exits, width, numClasses, inputChannels, inputSize, on, dataType, seed, imagenetStem);
  }

  /** A copy with the ImageNet stem switched on or off (ResNet only). */
  public ModelConfig withImagenetStem(boolean on) {
    return new ModelConfig(architecture, exits, width, numClasses, inputChannels, inputSize, stemRelu, dataType, seed, on);
  }

  /** {@code channels} times the width multiplier, rounded, at least 1. */
  public int scaled(int channels) {
    return (int) Math.max(1, Math.round(channels * width));
  }
}
