package io.github.beedjava.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Registry of named backbones ({@code resnet18}, {@code resnet34}, ...). A new backbone is one
 * family (a function from {@link ModelConfig} to {@link Blueprint}, built with
 * {@link GraphAssembler} and {@link ExitBuilder}) plus one line here, or one {@link #register} call
 * from outside this package (a notebook, say).
 */
public final class Models {
  private Models() {}

  private static final Map<String, Function<ModelConfig, Blueprint>> REGISTRY = Collections.synchronizedMap(new LinkedHashMap<>());
  private static final Set<String> BUILT_IN;

  static {
    REGISTRY.put("resnet18", c -> ResNetFamily.build(c, new int[] {2, 2, 2, 2}));
    REGISTRY.put("resnet34", c -> ResNetFamily.build(c, new int[] {3, 4, 6, 3}));
    REGISTRY.put("wrn16_4", c -> WideResNetFamily.build(c, 16));
    REGISTRY.put("wrn28_4", c -> WideResNetFamily.build(c, 28));
    REGISTRY.put("mobilenetv2", MobileNetV2Family::build);
    REGISTRY.put("efficientnet_b0", EfficientNetB0Family::build);
    BUILT_IN = Set.copyOf(REGISTRY.keySet());
  }

  /** Names accepted by {@link #blueprint}, built-in ones first. */
  public static Set<String> names() {
    synchronized (REGISTRY) {
      return Collections.unmodifiableSet(new LinkedHashSet<>(REGISTRY.keySet()));
    }
  }

  /**
   * Registers a backbone family under a name of its own. Registering the same name again replaces
   * it (re-running a notebook cell); the built-in names cannot be replaced.
   */
  public static void register(String name, Function<ModelConfig, Blueprint> family) {
    if (name == null || !name.matches("[a-z][a-z0-9_]*")) {
      throw new IllegalArgumentException("model: a name must be lower case letters, digits and '_', got '" + name + "'");
    }
    if (BUILT_IN.contains(name)) {
      throw new IllegalArgumentException("model: '" + name + "' is built in; register the family under another name");
    }
    REGISTRY.put(name, family);
  }

  /** Removes a family added with {@link #register}; built-in ones stay. */
  public static void unregister(String name) {
    if (BUILT_IN.contains(name)) {
      throw new IllegalArgumentException("model: '" + name + "' is built in and cannot be removed");
    }
    REGISTRY.remove(name);
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
