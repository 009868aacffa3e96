package io.github.beedjava.runtime;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The command-line and JSON spelling of this package's enums: lower case, parsed case-insensitively. */
public final class EnumNames {
  private EnumNames() {}

  /** The lower-case name, e.g. {@code bottleneck}. */
  public static String cliName(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a name, ignoring case and surrounding blanks.
   *
   * @param field the option or JSON field, first in the error message
   * @param what what the values are, e.g. {@code exit structure}
   * @throws IllegalArgumentException naming the field, the value and every accepted name
   */
  public static <E extends Enum<E>> E parse(Class<E> type, String field, String what, String name) {
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(name.trim())) {
        return e;
      }
    }
    throw new IllegalArgumentException(field + ": unknown " + what + " '" + name + "'; available: "
        + Arrays.stream(type.getEnumConstants()).map(EnumNames::cliName).collect(Collectors.joining(", ")));
  }
}
