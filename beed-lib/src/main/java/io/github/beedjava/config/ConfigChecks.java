package io.github.beedjava.config;

/** Range checks shared by the config parts. */
final class ConfigChecks {
  private ConfigChecks() {}

  static void positive(String field, double v) {
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(field + ": must be a positive number, got " + v);
    }
  }
}
