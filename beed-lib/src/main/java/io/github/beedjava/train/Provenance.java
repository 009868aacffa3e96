package io.github.beedjava.train;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.github.beedjava.config.TrainingConfig;
import io.github.beedjava.data.DataSplits;
import io.github.beedjava.engine.Nd4jRuntime;
import io.github.beedjava.runtime.AtomicFiles;
import io.github.beedjava.runtime.BuildInfo;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * {@code provenance.json}: where a run's numbers come from. Code (git commit, dirty flag,
 * versions), machine (CPU, threads, backend), data (files with SHA-256), and time (first start,
 * end, wall time, number of resumes).
 */
final class Provenance {
  static final String FILE = "provenance.json";

  private final JsonObject json = new JsonObject();

  /** Collects everything known at the start of a run (hashing the dataset files). */
  Provenance(TrainingConfig config, DataSplits data, Instant firstStart, int resumes) throws IOException {
    String commit = BuildInfo.gitCommit();
    json.addProperty("runId", config.runId());
    json.addProperty("configHash", config.hash());
    json.addProperty("gitCommit", commit);
    json.addProperty("gitDirty", BuildInfo.gitDirty());
    json.addProperty("beedVersion", BuildInfo.version());
    json.addProperty("dl4jVersion", BuildInfo.dl4jVersion());
    json.addProperty("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    JsonObject backend = new JsonObject();
    Nd4jRuntime.describe().forEach(backend::addProperty);
    json.add("backend", backend);
    json.addProperty("hardware", BuildInfo.hardware());
    json.addProperty("cpu", BuildInfo.cpuModel());
    json.addProperty("cores", Runtime.getRuntime().availableProcessors());
    json.addProperty("host", hostName());
    json.addProperty("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    json.addProperty("dataset", data.dataset());
    json.addProperty("trainImages", data.train().size());
    json.addProperty("testImages", data.test().size());
    JsonArray files = new JsonArray();
    for (Path f : data.files().size() > 16 ? data.files().subList(0, 0) : data.files()) {
      JsonObject o = new JsonObject();
      o.addProperty("path", f.toAbsolutePath().toString());
      o.addProperty("bytes", Files.size(f));
      o.addProperty("sha256", io.github.beedjava.data.FileDigest.hex(f, "SHA-256"));
      files.add(o);
    }
    json.add("datasetFiles", files);
    if (data.files().size() > 16) {
      json.addProperty("datasetFilesNote", data.files().size() + " image files (not hashed individually)");
    }
    json.addProperty("startTime", firstStart.toString());
    json.addProperty("resumes", resumes);
    json.addProperty("status", "running");
  }

  /** The git commit with {@code +dirty} when the checkout had uncommitted changes. */
  String commitLabel() {
    return json.get("gitCommit").getAsString() + (json.get("gitDirty").getAsBoolean() ? "+dirty" : "");
  }

  /** Writes the file, with end time and wall time when finished. */
  void write(Path runDir, String status, double wallSeconds) throws IOException {
    json.addProperty("status", status);
    json.addProperty("wallSeconds", wallSeconds);
    if (!status.equals("running")) {
      json.addProperty("endTime", Instant.now().toString());
    }
    AtomicFiles.writeString(runDir.resolve(FILE), Json.write(json));
  }

  /** The first start time recorded in an existing provenance file, or now. */
  static Instant firstStart(Path runDir) {
    try {
      JsonObject o = com.google.gson.JsonParser.parseString(Files.readString(runDir.resolve(FILE))).getAsJsonObject();
      return Instant.parse(o.get("startTime").getAsString());
    } catch (IOException | RuntimeException e) {
      return Instant.now();
    }
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
