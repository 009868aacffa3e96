package io.github.beedjava.train;

import com.google.gson.JsonObject;
import io.github.beedjava.eval.Accuracies;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One row of {@code metrics.csv}: an epoch's learning rate, mean loss terms over its batches,
 * test accuracies and timings.
 *
 * @param epoch 1-based epoch
 * @param lr learning rate of the epoch
 * @param losses mean over batches: {@code loss} (the minimised total) then the terms CE1.., KD1.., FD1..
 * @param accuracies test accuracies after the epoch
 * @param trainSeconds seconds spent training in this epoch (excluding a resumed part done earlier)
 * @param evalSeconds seconds spent evaluating
 * @param imagesPerSecond training throughput
 */
public record EpochMetrics(
    int epoch,
    double lr,
    Map<String, Double> losses,
    Accuracies accuracies,
    double trainSeconds,
    double evalSeconds,
    double imagesPerSecond) {

  /** The CSV header for a run's loss names and classifier names. */
  public List<String> csvHeader() {
    List<String> h = new ArrayList<>(List.of("epoch", "lr"));
    h.addAll(losses.keySet());
    accuracies.asMap().keySet().forEach(name -> h.add("acc_" + name));
    h.addAll(List.of("train_s", "eval_s", "img_per_s"));
    return h;
  }

  /** The CSV values in header order. */
  public List<String> csvValues() {
    List<String> v = new ArrayList<>(List.of(Integer.toString(epoch), fmt(lr)));
    losses.values().forEach(x -> v.add(fmt(x)));
    accuracies.asMap().values().forEach(x -> v.add(String.format(Locale.ROOT, "%.2f", x)));
    v.add(String.format(Locale.ROOT, "%.1f", trainSeconds));
    v.add(String.format(Locale.ROOT, "%.1f", evalSeconds));
    v.add(String.format(Locale.ROOT, "%.1f", imagesPerSecond));
    return v;
  }

  private static String fmt(double x) {
    return String.format(Locale.ROOT, "%.6g", x);
  }

  JsonObject toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("epoch", epoch);
    o.addProperty("lr", lr);
    JsonObject l = new JsonObject();
    losses.forEach(l::addProperty);
    o.add("losses", l);
    o.add("accuracies", Json.accuracies(accuracies));
    o.addProperty("trainSeconds", trainSeconds);
    o.addProperty("evalSeconds", evalSeconds);
    o.addProperty("imagesPerSecond", imagesPerSecond);
    return o;
  }

  static EpochMetrics fromJson(JsonObject o) {
    Map<String, Double> losses = new LinkedHashMap<>();
    o.getAsJsonObject("losses").entrySet().forEach(e -> losses.put(e.getKey(), e.getValue().getAsDouble()));
    return new EpochMetrics(
        o.get("epoch").getAsInt(),
        o.get("lr").getAsDouble(),
        losses,
        Json.accuracies(o.getAsJsonObject("accuracies")),
        o.get("trainSeconds").getAsDouble(),
        o.get("evalSeconds").getAsDouble(),
        o.get("imagesPerSecond").getAsDouble());
  }
}
