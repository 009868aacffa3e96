package io.github.beedjava.config;

import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.model.Models;

/**
 * Which network a run trains.
 *
 * @param model backbone registry name ({@code resnet18}, ...)
 * @param exits exit structure ({@code none} for the baseline)
 * @param width channel width multiplier
 * @param stemRelu ReLU after the stem BN (the official code has none)
 * @param imagenetStem ResNet's ImageNet stem (7x7/s2 conv and max-pool) for image-folder data
 */
public record NetworkSpec(String model, ExitStructure exits, double width, boolean stemRelu, boolean imagenetStem) {

  /** Validates; messages name the field. */
  public NetworkSpec {
    if (model == null || exits == null) {
      throw new IllegalArgumentException("config: model and exits are required");
    }
    if (!Models.names().contains(model)) {
      throw new IllegalArgumentException("model: unknown model '" + model + "'; available: " + String.join(", ", Models.names()));
    }
    ConfigChecks.positive("width", width);
    if (imagenetStem && !model.startsWith("resnet")) {
      throw new IllegalArgumentException("imagenetStem: only resnet18 and resnet34 have an ImageNet stem (docs/method.md)");
    }
  }

  /** A copy with another exit structure. */
  public NetworkSpec withExits(ExitStructure newExits) {
    return new NetworkSpec(model, newExits, width, stemRelu, imagenetStem);
  }
}
