package io.github.beedjava.train;

import com.google.gson.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Loss sums of the epoch in progress, so that an epoch resumed mid-way reports the same means as
 * an uninterrupted one.
 */
public final class EpochProgress {
  private final Map<String, Double> sums = new LinkedHashMap<>();
  private int batches;
  private long images;
  private double trainSeconds;

  /** Adds one batch's loss total and terms. */
  public void add(double total, Map<String, Double> terms, int batchImages, double seconds) {
    sums.merge("loss", total, Double::sum);
    terms.forEach((k, v) -> sums.merge(k, v, Double::sum));
    batches++;
    images += batchImages;
    trainSeconds += seconds;
  }

  /** Mean of each term over the batches so far. */
  public Map<String, Double> means() {
    Map<String, Double> m = new LinkedHashMap<>();
    sums.forEach((k, v) -> m.put(k, v / Math.max(1, batches)));
    return m;
  }

  /** Mean total loss so far. */
  public double meanLoss() {
    return sums.getOrDefault("loss", Double.NaN) / Math.max(1, batches);
  }

  /** Training seconds of the epoch so far. */
  public double trainSeconds() {
    return trainSeconds;
  }

  /** Images trained on in this epoch so far. */
  public long images() {
    return images;
  }

  JsonObject toJson() {
    JsonObject o = new JsonObject();
    JsonObject s = new JsonObject();
    sums.forEach(s::addProperty);
    o.add("sums", s);
    o.addProperty("batches", batches);
    o.addProperty("images", images);
    o.addProperty("trainSeconds", trainSeconds);
    return o;
  }

  static EpochProgress fromJson(JsonObject o) {
    EpochProgress p = new EpochProgress();
    o.getAsJsonObject("sums").entrySet().forEach(e -> p.sums.put(e.getKey(), e.getValue().getAsDouble()));
    p.batches = o.get("batches").getAsInt();
    p.images = o.get("images").getAsLong();
    p.trainSeconds = o.get("trainSeconds").getAsDouble();
    return p;
  }
}
