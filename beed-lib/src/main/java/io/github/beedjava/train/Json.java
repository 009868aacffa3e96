package io.github.beedjava.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.github.beedjava.eval.Accuracies;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The JSON conventions of run files (pretty, no HTML escaping; accuracies as name → %). */
final class Json {
  private Json() {}

  static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeSpecialFloatingPointValues().create();

  static String write(JsonElement e) {
    return GSON.toJson(e) + "\n";
  }

  static JsonObject accuracies(Accuracies a) {
    JsonObject o = new JsonObject();
    a.asMap().forEach(o::addProperty);
    o.addProperty("images", a.images());
    return o;
  }

  /** Reads name → % back; the last non-Ensemble entries in order are the classifiers. */
  static Accuracies accuracies(JsonObject o) {
    List<String> names = new ArrayList<>();
    List<Double> values = new ArrayList<>();
    double ensemble = Double.NaN;
    int images = o.has("images") ? o.get("images").getAsInt() : 0;
    for (Map.Entry<String, JsonElement> e : o.entrySet()) {
      if (e.getKey().equals("images") || e.getKey().equals("epoch")) {
        continue;
      }
      if (e.getKey().equals("Ensemble")) {
        ensemble = e.getValue().getAsDouble();
      } else {
        names.add(e.getKey());
        values.add(e.getValue().getAsDouble());
      }
    }
    return new Accuracies(names, values.stream().mapToDouble(Double::doubleValue).toArray(), ensemble, images);
  }
}
