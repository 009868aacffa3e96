package io.github.beedjava.objective;

import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.runtime.EnumNames;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The training methods, each with the hyper-parameters its objective reads. This is the objective
 * registry: a new objective is its class (declaring its {@link ObjectiveParameter}s) plus one
 * constant here; configs, {@code config.json} and {@code --param} pick its parameters up from here.
 */
public enum Method {
  /** The main network alone (no exits), cross-entropy. */
  BASELINE(List.of(), Method::baseline),
  /** All classifiers, cross-entropy only. */
  CE(List.of(), (k, p) -> new CeObjective(k)),
  /** Main network teaches the exits. */
  KD(List.of(WeightedObjective.TEMPERATURE), KdObjective::new),
  /** Exit-ensemble distillation. */
  EED(List.of(EnsembleDistillationObjective.LAMBDA, WeightedObjective.TEMPERATURE), EedObjective::new),
  /** Balanced exit-ensemble distillation (the paper's method). */
  BEED(
      List.of(EnsembleDistillationObjective.LAMBDA, BeedObjective.GAMMA, WeightedObjective.TEMPERATURE),
      BeedObjective::new);

  private final List<ObjectiveParameter> declared;
  private final BiFunction<Integer, ObjectiveParameters, Objective> factory;

  Method(List<ObjectiveParameter> declared, BiFunction<Integer, ObjectiveParameters, Objective> factory) {
    this.declared = declared;
    this.factory = factory;
  }

  /** The objective of this method for K classifiers. */
  public Objective objective(int k, ObjectiveParameters parameters) {
    return factory.apply(k, parameters);
  }

  /** The objective of this method for K classifiers with every parameter at its default. */
  public Objective objective(int k) {
    return objective(k, ObjectiveParameters.defaults());
  }

  /** The hyper-parameters this method's objective reads. */
  public List<ObjectiveParameter> declaredParameters() {
    return declared;
  }

  /** Every parameter any method declares, by name, in declaration order. */
  public static Map<String, ObjectiveParameter> parameters() {
    return Registry.ALL;
  }

  /** The command-line spelling. */
  public String cliName() {
    return EnumNames.cliName(this);
  }

  /** Parses {@code ce}, {@code kd}, {@code eed}, {@code beed}, {@code baseline}. */
  public static Method parse(String name) {
    return EnumNames.parse(Method.class, "method", "method", name);
  }

  /** The exit structure to use with this method given the requested one. */
  public ExitStructure exitsFor(ExitStructure requested) {
    return this == BASELINE ? ExitStructure.NONE : requested;
  }

  private static Objective baseline(int k, ObjectiveParameters parameters) {
    if (k != 1) {
      throw new IllegalArgumentException("method baseline trains the main network alone: use --exits none");
    }
    return new CeObjective(1);
  }

  private static final class Registry {
    static final Map<String, ObjectiveParameter> ALL;

    static {
      Map<String, ObjectiveParameter> m = new LinkedHashMap<>();
      for (Method method : values()) {
        for (ObjectiveParameter p : method.declared) {
          ObjectiveParameter before = m.putIfAbsent(p.name(), p);
          if (before != null && !before.equals(p)) {
            throw new IllegalStateException("objective parameter '" + p.name() + "' is declared twice, differently");
          }
        }
      }
      ALL = Collections.unmodifiableMap(m);
    }
  }
}
