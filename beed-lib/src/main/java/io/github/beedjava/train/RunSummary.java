package io.github.beedjava.train;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.beedjava.config.ConfigJson;
import io.github.beedjava.config.TrainingConfig;
import io.github.beedjava.eval.Accuracies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The outcome of a finished run ({@code summary.json}): final-epoch accuracies, the epoch with the
 * best main-network test accuracy (the epoch the official code keeps) with its accuracies, a
 * SHA-256 of the final parameters, and the provenance a results row needs.
 *
 * @param runId run name
 * @param configHash hash of {@link TrainingConfig}
 * @param config the config
 * @param finalEpoch last epoch (1-based)
 * @param finalAccuracies test accuracies after the last epoch
 * @param bestEpoch epoch with the best main-network test accuracy
 * @param bestAccuracies test accuracies at that epoch
 * @param paramsSha256 SHA-256 of the final flat parameters (BN statistics included)
 * @param weightsSha256 SHA-256 of the run's {@code weights.npz} file, or null for runs finished
 *     before the file was written
 * @param wallSeconds wall time of the run, resumed parts added up
 * @param gitCommit commit of the code that trained it ({@code +dirty} when uncommitted changes)
 * @param hardware CPU/GPU and threads
 * @param backend ND4J backend
 * @param reused true when this summary was found on disk instead of trained now
 */
public record RunSummary(
    String runId,
    String configHash,
    TrainingConfig config,
    int finalEpoch,
    Accuracies finalAccuracies,
    int bestEpoch,
    Accuracies bestAccuracies,
    String paramsSha256,
    String weightsSha256,
    double wallSeconds,
    String gitCommit,
    String hardware,
    String backend,
    boolean reused) {

  /** File name inside a run directory. */
  public static final String FILE = "summary.json";

  /** A copy marked as reused. */
  public RunSummary asReused() {
    return new RunSummary(runId, configHash, config, finalEpoch, finalAccuracies, bestEpoch, bestAccuracies,
        paramsSha256, weightsSha256, wallSeconds, gitCommit, hardware, backend, true);
  }

  /** The JSON of {@code summary.json}. */
  public String toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("runId", runId);
    o.addProperty("configHash", configHash);
    o.addProperty("status", "finished");
    o.addProperty("method", config.method().name());
    o.addProperty("model", config.model());
    o.addProperty("exits", config.exits().cliName());
    o.addProperty("dataset", config.dataset());
    o.addProperty("profile", config.profile().cliName());
    o.addProperty("epochs", config.epochs());
    o.addProperty("seed", config.seed());
    JsonObject fin = Json.accuracies(finalAccuracies);
    fin.addProperty("epoch", finalEpoch);
    o.add("final", fin);
    JsonObject best = Json.accuracies(bestAccuracies);
    best.addProperty("epoch", bestEpoch);
    o.add("bestMainEpoch", best);
    o.addProperty("paramsSha256", paramsSha256);
    if (weightsSha256 != null) {
      o.addProperty("weightsSha256", weightsSha256);
    }
    o.addProperty("wallSeconds", wallSeconds);
    o.addProperty("gitCommit", gitCommit);
    o.addProperty("hardware", hardware);
    o.addProperty("backend", backend);
    o.add("config", ConfigJson.toJsonObject(config));
    return Json.write(o);
  }

  /**
   * Reads a {@code summary.json}.
   *
   * @throws IOException naming the file when it cannot be read or parsed
   */
  public static RunSummary read(Path file) throws IOException {
    try {
      JsonObject o = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
      TrainingConfig config = TrainingConfig.fromJson(o.get("config").toString(), file.toString());
      JsonObject fin = o.getAsJsonObject("final");
      JsonObject best = o.getAsJsonObject("bestMainEpoch");
      return new RunSummary(
          o.get("runId").getAsString(),
          o.get("configHash").getAsString(),
          config,
          fin.get("epoch").getAsInt(),
          Json.accuracies(fin),
          best.get("epoch").getAsInt(),
          Json.accuracies(best),
          o.get("paramsSha256").getAsString(),
          o.has("weightsSha256") ? o.get("weightsSha256").getAsString() : null,
          o.get("wallSeconds").getAsDouble(),
          o.get("gitCommit").getAsString(),
          o.get("hardware").getAsString(),
          o.get("backend").getAsString(),
          false);
    } catch (IOException | RuntimeException e) {
      throw new IOException(file + ": unreadable run summary (" + e.getMessage() + "); delete it or rerun with --force", e);
    }
  }
}
