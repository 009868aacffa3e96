package io.github.beedjava.config;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.objective.Method;
import io.github.beedjava.objective.ObjectiveParameter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The one JSON form of a {@link TrainingConfig}: {@code config.json}, grid configs and the hash.
 *
 * <p>The canonical form lists the fields of the first release in their fixed order, always; every
 * field added since (the ImageNet stem, objective parameters other than λ, γ and T) appears only
 * when it differs from its default. So a new field leaves every existing run's hash, and with it
 * the reuse of its directory, unchanged.
 */
public final class ConfigJson {
  private ConfigJson() {}

  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

  /** One field: how to write it, whether it is written at its default, and how to read it into a builder. */
  private record Field(
      String name,
      Function<TrainingConfig, JsonElement> writer,
      boolean always,
      BiConsumer<TrainingConfig.Builder, JsonElement> reader) {}

  /** The fields of the first release, in their canonical order, then the later ones. */
  private static final Map<String, Field> FIELDS = fields();

  private static Map<String, Field> fields() {
    List<Field> f = new ArrayList<>();
    f.add(new Field("profile", c -> str(c.profile().cliName()), true, (b, e) -> {}));
    f.add(new Field("model", c -> str(c.model()), true, (b, e) -> b.model(string("model", e))));
    f.add(new Field("exits", c -> str(c.exits().cliName()), true, (b, e) -> b.exits(ExitStructure.parse(string("exits", e)))));
    f.add(new Field("method", c -> str(c.method().cliName()), true, (b, e) -> b.method(Method.parse(string("method", e)))));
    for (String legacy : List.of("lambda", "gamma", "temperature")) {
      f.add(objectiveField(legacy, true));
    }
    f.add(new Field("width", c -> num(c.width()), true, (b, e) -> b.width(number("width", e))));
    f.add(new Field("stemRelu", c -> new JsonPrimitive(c.network().stemRelu()), true, (b, e) -> b.stemRelu(bool("stemRelu", e))));
    f.add(new Field("dataset", c -> str(c.dataset()), true, (b, e) -> b.dataset(string("dataset", e))));
    f.add(new Field("trainSubset", c -> num(c.trainSubset()), true, (b, e) -> b.trainSubset(integer("trainSubset", e))));
    f.add(new Field("testSubset", c -> num(c.testSubset()), true, (b, e) -> b.testSubset(integer("testSubset", e))));
    f.add(new Field("imageSize", c -> num(c.data().imageSize()), true, (b, e) -> b.imageSize(integer("imageSize", e))));
    f.add(new Field("epochs", c -> num(c.epochs()), true, (b, e) -> b.epochs(integer("epochs", e))));
    f.add(new Field("batchSize", c -> num(c.batchSize()), true, (b, e) -> b.batchSize(integer("batchSize", e))));
    f.add(new Field("lr", c -> num(c.optimisation().lr()), true, (b, e) -> b.lr(number("lr", e))));
    f.add(new Field("milestones", c -> ints(c.optimisation().milestones()), true, (b, e) -> b.milestones(intList("milestones", e))));
    f.add(new Field("lrFactor", c -> num(c.optimisation().lrFactor()), true, (b, e) -> b.lrFactor(number("lrFactor", e))));
    f.add(new Field("momentum", c -> num(c.optimisation().momentum()), true, (b, e) -> b.momentum(number("momentum", e))));
    f.add(new Field("weightDecay", c -> num(c.optimisation().weightDecay()), true, (b, e) -> b.weightDecay(number("weightDecay", e))));
    f.add(new Field("seed", c -> num(c.seed()), true, (b, e) -> b.seed(integer("seed", e))));
    // Added after the first release: written only when not at the default.
    f.add(new Field("imagenetStem", c -> c.network().imagenetStem() ? new JsonPrimitive(true) : null, false,
        (b, e) -> b.imagenetStem(bool("imagenetStem", e))));
    for (String name : Method.parameters().keySet()) {
      if (!List.of("lambda", "gamma", "temperature").contains(name)) {
        f.add(objectiveField(name, false));
      }
    }
    Map<String, Field> m = new LinkedHashMap<>();
    f.forEach(x -> m.put(x.name(), x));
    return m;
  }

  private static Field objectiveField(String name, boolean always) {
    ObjectiveParameter p = Method.parameters().get(name);
    return new Field(
        name,
        c -> {
          double v = c.objective().parameters().get(name);
          return always || v != p.defaultValue() ? num(v) : null;
        },
        always,
        (b, e) -> b.param(name, number(name, e)));
  }

  /** The canonical JSON (pretty-printed, fixed field order). */
  public static String write(TrainingConfig config) {
    return GSON.toJson(toJsonObject(config));
  }

  /** The canonical JSON object, e.g. to embed in a run summary. */
  public static JsonObject toJsonObject(TrainingConfig config) {
    JsonObject o = new JsonObject();
    for (Field f : FIELDS.values()) {
      JsonElement e = f.writer().apply(config);
      if (e != null) {
        o.add(f.name(), e);
      }
    }
    return o;
  }

  /** SHA-256 of the canonical JSON, first 12 hex digits. */
  public static String hash(TrainingConfig config) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(write(config).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reads a config. Fields not given take the defaults of the file's {@code profile} (quick when
   * absent); an unknown field, a wrong type or a bad value is refused naming the file and field.
   *
   * @param origin file name for error messages
   */
  public static TrainingConfig read(String json, String origin) {
    JsonObject o;
    try {
      JsonElement e = JsonParser.parseString(json);
      if (!e.isJsonObject()) {
        throw new IllegalArgumentException(origin + ": a training config must be a JSON object");
      }
      o = e.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new IllegalArgumentException(origin + ": not valid JSON (" + e.getMessage() + ")", e);
    }
    for (String key : o.keySet()) {
      if (!FIELDS.containsKey(key)) {
        throw new IllegalArgumentException(origin + ": unknown field '" + key + "'; fields: " + String.join(", ", FIELDS.keySet()));
      }
    }
    try {
      Profile profile = o.has("profile") ? Profile.parse(string("profile", o.get("profile"))) : Profile.QUICK;
      TrainingConfig.Builder b = profile.defaults();
      for (Field f : FIELDS.values()) {
        if (o.has(f.name())) {
          f.reader().accept(b, o.get(f.name()));
        }
      }
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(origin + ": " + e.getMessage(), e);
    }
  }

  private static JsonPrimitive str(String s) {
    return new JsonPrimitive(s);
  }

  private static JsonPrimitive num(Number n) {
    return new JsonPrimitive(n);
  }

  private static JsonArray ints(List<Integer> values) {
    JsonArray a = new JsonArray();
    values.forEach(a::add);
    return a;
  }

  private static JsonElement present(String key, JsonElement e) {
    if (e == null || e.isJsonNull()) {
      throw new IllegalArgumentException(key + ": must not be null");
    }
    return e;
  }

  private static String string(String key, JsonElement e) {
    if (!present(key, e).isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw new IllegalArgumentException(key + ": must be a string, got " + e);
    }
    return e.getAsString();
  }

  private static double number(String key, JsonElement e) {
    if (!present(key, e).isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
      throw new IllegalArgumentException(key + ": must be a number, got " + e);
    }
    return e.getAsDouble();
  }

  private static int integer(String key, JsonElement e) {
    double v = number(key, e);
    if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(key + ": must be an integer, got " + e);
    }
    return (int) v;
  }

  private static boolean bool(String key, JsonElement e) {
    if (!present(key, e).isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
      throw new IllegalArgumentException(key + ": must be true or false, got " + e);
    }
    return e.getAsBoolean();
  }

  private static List<Integer> intList(String key, JsonElement e) {
    if (!present(key, e).isJsonArray()) {
      throw new IllegalArgumentException(key + ": must be an array of epochs, got " + e);
    }
    List<Integer> out = new ArrayList<>();
    for (JsonElement x : e.getAsJsonArray()) {
      if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber() || x.getAsDouble() != Math.rint(x.getAsDouble())) {
        throw new IllegalArgumentException(key + ": must be an array of integers, got " + e);
      }
      out.add(x.getAsInt());
    }
    return out;
  }
}
