package io.github.beedjava.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/** Registry of named backbones ({@code resnet18}, {@code resnet34}, ...). */
public final class Models {
  private Models() {}

  private static final Map<String, Function<ModelConfig, Blueprint>> REGISTRY = new LinkedHashMap<>();

  static {
    REGISTRY.put("resnet18", c -> ResNetFamily.build(c, new int[] {2, 2, 2, 2}));
    REGISTRY.put("resnet34", c -> ResNetFamily.build(c, new int[] {3, 4, 6, 3}));
    REGISTRY.put("wrn16_4", c -> WideResNetFamily.build(c, 16));
    REGISTRY.put("wrn28_4", c -> WideResNetFamily.build(c, 28));
    REGISTRY.put("mobilenetv2", MobileNetV2Family::build);
    REGISTRY.put("efficientnet_b0", EfficientNetB0Family::build);
  }

  /** Names accepted by {@link #blueprint}. */
  public static java.util.Set<String> names() {
    return java.util.Collections.unmodifiableSet(REGISTRY.keySet());
  }

  /** Builds the blueprint (graph configuration and description) for a config. */
  public static Blueprint blueprint(ModelConfig config) {
    Function<ModelConfig, Blueprint> family = REGISTRY.get(config.architecture());
    if (family == null) {
      throw new IllegalArgumentException(
          "model: unknown model '" + config.architecture() + "'; available: " + String.join(", ", names()));
    }
    if (config.imagenetStem() && !config.architecture().startsWith("resnet")) {
      throw new IllegalArgumentException("imagenetStem: only resnet18 and resnet34 have an ImageNet stem (docs/method.md)");
    }
    return family.apply(config);
  }
}
