package io.github.beedjava.objective;

/**
 * A hyper-parameter that an objective declares: its config and command-line name, its default and
 * what it means. Values must be positive and finite.
 *
 * @param name the field name in {@code config.json} and after {@code --param}
 * @param defaultValue the value when a config does not set it
 * @param meaning one line for help texts and error messages
 */
public record ObjectiveParameter(String name, double defaultValue, String meaning) {

  /** Checks that the declaration itself is usable. */
  public ObjectiveParameter {
    if (name == null || !name.matches("[a-z][A-Za-z0-9]*")) {
      throw new IllegalArgumentException("objective parameter name must be a lowerCamel identifier, got " + name);
    }
    check(name, defaultValue);
  }

  /** Refuses a value this parameter cannot take; the message names the parameter. */
  public double check(double value) {
    return check(name, value);
  }

  private static double check(String name, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(name + ": must be a positive number, got " + value);
    }
    return value;
  }
}
