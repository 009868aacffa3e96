package io.github.beedjava.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
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

  /** A family and the exit structures it can be built with (its default first). */
  private record Family(Function<ModelConfig, Blueprint> build, List<ExitStructure> exits) {}

  /** What a backbone built with {@link ExitBuilder} accepts: the four exit structures of Table 1 and none. */
  private static final List<ExitStructure> ATTACHED_EXITS =
      List.of(ExitStructure.BOTTLENECK, ExitStructure.LCT, ExitStructure.BYOT, ExitStructure.TOFD, ExitStructure.NONE);

  private static final Map<String, Family> REGISTRY = Collections.synchronizedMap(new LinkedHashMap<>());
  private static final Set<String> BUILT_IN;

  static {
    REGISTRY.put("resnet18", new Family(c -> ResNetFamily.build(c, new int[] {2, 2, 2, 2}), ATTACHED_EXITS));
    REGISTRY.put("resnet34", new Family(c -> ResNetFamily.build(c, new int[] {3, 4, 6, 3}), ATTACHED_EXITS));
    REGISTRY.put("wrn16_4", new Family(c -> WideResNetFamily.build(c, 16), ATTACHED_EXITS));
    REGISTRY.put("wrn28_4", new Family(c -> WideResNetFamily.build(c, 28), ATTACHED_EXITS));
    REGISTRY.put("mobilenetv2", new Family(MobileNetV2Family::build, ATTACHED_EXITS));
    REGISTRY.put("efficientnet_b0", new Family(EfficientNetB0Family::build, ATTACHED_EXITS));
    REGISTRY.put("msdnet", new Family(MsdNetFamily::build, List.of(ExitStructure.MSDNET, ExitStructure.NONE)));
    BUILT_IN = Set.copyOf(REGISTRY.keySet());
  }

  /** Names accepted by {@link #blueprint}, built-in ones first. */
  public static Set<String> names() {
    synchronized (REGISTRY) {
      return Collections.unmodifiableSet(new LinkedHashSet<>(REGISTRY.keySet()));
    }
  }

  /**
   * The networks that can be built with an exit structure, in registry order: with {@code
   * bottleneck}, the six networks of the paper's Table 2 and any registered family (what {@code
   * --model all} means).
   */
  public static List<String> namesWith(ExitStructure exits) {
    synchronized (REGISTRY) {
      return REGISTRY.entrySet().stream().filter(e -> e.getValue().exits().contains(exits)).map(Map.Entry::getKey).toList();
    }
  }

  /** The exit structures a network can be built with, its default first ({@code none} last). */
  public static List<ExitStructure> exitStructures(String name) {
    return family(name).exits();
  }

  /** The exit structure a network gets when none is asked for: {@code bottleneck}, or MSDNet's own. */
  public static ExitStructure defaultExits(String name) {
    return family(name).exits().get(0);
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
    REGISTRY.put(name, new Family(family, ATTACHED_EXITS));
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
    Family family = family(config.architecture());
    if (!family.exits().contains(config.exits())) {
      throw new IllegalArgumentException("exits: " + config.architecture() + " cannot be built with " + config.exits().cliName()
          + " exits; use " + String.join(" or ", family.exits().stream().map(ExitStructure::cliName).toList()));
    }
    if (config.imagenetStem() && !config.architecture().startsWith("resnet")) {
      throw new IllegalArgumentException("imagenetStem: only resnet18 and resnet34 have an ImageNet stem (docs/method.md)");
    }
    return family.build().apply(config);
  }

  private static Family family(String name) {
    Family family = REGISTRY.get(name);
    if (family == null) {
      throw new IllegalArgumentException("model: unknown model '" + name + "'; available: " + String.join(", ", names()));
    }
    return family;
  }
}
