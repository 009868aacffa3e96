package io.github.beedjava.objective;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Values of every objective hyper-parameter that {@link Method} declares, each set or at its
 * default. One set serves every method: a method reads the parameters it declares and ignores the
 * others, so changing an objective's hyper-parameters never needs a new config field.
 */
public final class ObjectiveParameters {
  private final Map<String, Double> values;

  private ObjectiveParameters(Map<String, Double> values) {
    this.values = Collections.unmodifiableMap(new TreeMap<>(values));
  }

  /** Every declared parameter at its default. */
  public static ObjectiveParameters defaults() {
    Map<String, Double> m = new TreeMap<>();
    Method.parameters().forEach((name, p) -> m.put(name, p.defaultValue()));
    return new ObjectiveParameters(m);
  }

  /** A copy with one parameter set; an unknown name or a bad value is refused with the list of names. */
  public ObjectiveParameters with(String name, double value) {
    ObjectiveParameter p = Method.parameters().get(name);
    if (p == null) {
      throw new IllegalArgumentException(
          "objective parameter '" + name + "' is unknown; declared: "
              + String.join(", ", new TreeSet<>(Method.parameters().keySet())));
    }
    Map<String, Double> m = new TreeMap<>(values);
    m.put(name, p.check(value));
    return new ObjectiveParameters(m);
  }

  /** The value of a declared parameter. */
  public double get(ObjectiveParameter p) {
    return values.get(p.name());
  }

  /** The value of a parameter by name. */
  public double get(String name) {
    Double v = values.get(name);
    if (v == null) {
      throw new IllegalArgumentException("objective parameter '" + name + "' is unknown");
    }
    return v;
  }

  /** All values by name, sorted. */
  public Map<String, Double> asMap() {
    return values;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ObjectiveParameters p && p.values.equals(values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
