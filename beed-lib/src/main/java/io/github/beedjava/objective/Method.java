package io.github.beedjava.objective;

import io.github.beedjava.model.ExitStructure;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The training methods of the paper's tables. */
public enum Method {
  /** The main network alone (no exits), cross-entropy. */
  BASELINE,
  /** All classifiers, cross-entropy only. */
  CE,
  /** Main network teaches the exits. */
  KD,
  /** Exit-ensemble distillation. */
  EED,
  /** Balanced exit-ensemble distillation (the paper's method). */
  BEED;

  /** The objective of this method for K classifiers. */
  public Objective objective(int k, DistillationSettings settings) {
    return switch (this) {
      case BASELINE -> {
        if (k != 1) {
          throw new IllegalArgumentException("method baseline trains the main network alone: use --exits none");
        }
        yield new CeObjective(1);
      }
      case CE -> new CeObjective(k);
      case KD -> new KdObjective(k, settings);
      case EED -> new EedObjective(k, settings);
      case BEED -> new BeedObjective(k, settings);
    };
  }

  /** Parses {@code ce}, {@code kd}, {@code eed}, {@code beed}, {@code baseline}. */
  public static Method parse(String name) {
    for (Method m : values()) {
      if (m.name().equalsIgnoreCase(name.trim())) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "method: unknown method '"
            + name
            + "'; available: "
            + Arrays.stream(values()).map(m -> m.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")));
  }

  /** The exit structure to use with this method given the requested one. */
  public ExitStructure exitsFor(ExitStructure requested) {
    return this == BASELINE ? ExitStructure.NONE : requested;
  }
}
