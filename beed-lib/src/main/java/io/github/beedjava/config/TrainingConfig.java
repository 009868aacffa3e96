package io.github.beedjava.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.github.beedjava.data.Datasets;
import io.github.beedjava.model.Blueprint;
import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.model.ModelConfig;
import io.github.beedjava.model.Models;
import io.github.beedjava.objective.DistillationSettings;
import io.github.beedjava.objective.Method;
import io.github.beedjava.optim.StepSchedule;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Everything that changes the result of a training run, validated at construction (messages name
 * the field) and serialised to {@code config.json}. Two configs with the same {@link #hash()}
 * train the same network; where files live and how often to checkpoint are {@link RunOptions}.
 *
 * @param profile the compute budget this config came from
 * @param model backbone registry name ({@code resnet18}, ...)
 * @param exits exit structure ({@code none} for the baseline)
 * @param method CE, KD, EED, BEED or the single-network baseline
 * @param lambda λ, ensemble importance coefficient (EED, BEED)
 * @param gamma γ, BEED's balancing constant
 * @param temperature distillation temperature T
 * @param width channel width multiplier
 * @param stemRelu ReLU after the stem BN (the official code has none)
 * @param dataset dataset registry name
 * @param trainSubset training images used (0 = all)
 * @param testSubset test images used (0 = all)
 * @param imageSize crop size of image-folder data (ignored for the 32×32 datasets)
 * @param epochs training epochs
 * @param batchSize images per step (train and test)
 * @param lr initial learning rate
 * @param milestones 0-based epochs where the learning rate is multiplied by {@code lrFactor}
 * @param lrFactor the multiplier at each milestone
 * @param momentum SGD momentum (heavy ball)
 * @param weightDecay coupled weight decay on every parameter
 * @param seed initialisation, data order and augmentation seed
 * @param imagenetStem ResNet's ImageNet stem (7x7/s2 conv and max-pool) for image-folder data
 */
public record TrainingConfig(
    Profile profile,
    String model,
    ExitStructure exits,
    Method method,
    double lambda,
    double gamma,
    double temperature,
    double width,
    boolean stemRelu,
    String dataset,
    int trainSubset,
    int testSubset,
    int imageSize,
    int epochs,
    int batchSize,
    double lr,
    List<Integer> milestones,
    double lrFactor,
    double momentum,
    double weightDecay,
    long seed,
    boolean imagenetStem) {

  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();
  private static final Map<String, Integer> CLASSIFIERS = new ConcurrentHashMap<>();

  /** Validates every field before any work is done; the message names the field and the fix. */
  public TrainingConfig {
    if (profile == null || model == null || exits == null || method == null || dataset == null || milestones == null) {
      throw new IllegalArgumentException("config: profile, model, exits, method, dataset and milestones are required");
    }
    if (!Models.names().contains(model)) {
      throw new IllegalArgumentException("model: unknown model '" + model + "'; available: " + String.join(", ", Models.names()));
    }
    if (method == Method.BASELINE) {
      exits = ExitStructure.NONE; // the baseline is the main network alone
    } else if (exits == ExitStructure.NONE) {
      throw new IllegalArgumentException("exits: method " + method.name() + " needs exits (e.g. --exits bottleneck); only baseline runs without");
    }
    Datasets.requireKnown(dataset);
    positive("width", width);
    positive("lr", lr);
    positive("lrFactor", lrFactor);
    if (epochs < 1) {
      throw new IllegalArgumentException("epochs: must be >= 1, got " + epochs);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize: must be >= 1, got " + batchSize);
    }
    if (trainSubset < 0 || testSubset < 0) {
      throw new IllegalArgumentException("trainSubset/testSubset: must be >= 0 (0 = the whole split), got " + trainSubset + "/" + testSubset);
    }
    if (imageSize < 8 || imageSize % 8 != 0) {
      throw new IllegalArgumentException("imageSize: must be a multiple of 8, got " + imageSize);
    }
    if (momentum < 0 || momentum >= 1) {
      throw new IllegalArgumentException("momentum: must be in [0, 1), got " + momentum);
    }
    if (weightDecay < 0) {
      throw new IllegalArgumentException("weightDecay: must be >= 0, got " + weightDecay);
    }
    milestones = List.copyOf(milestones);
    new StepSchedule(lr, milestones.stream().mapToInt(Integer::intValue).toArray(), lrFactor);
    for (int m : milestones) {
      if (m < 1 || m >= epochs) {
        throw new IllegalArgumentException("milestones: each must be in [1, epochs-1] = [1, " + (epochs - 1) + "], got " + milestones);
      }
    }
    if (imagenetStem && !model.startsWith("resnet")) {
      throw new IllegalArgumentException("imagenetStem: only resnet18 and resnet34 have an ImageNet stem (docs/method.md)");
    }
    // Builds the objective once: refuses e.g. a γ that makes a BEED CE coefficient <= 0.
    method.objective(classifiers(model, exits), new DistillationSettings(lambda, gamma, temperature, Double.NaN, Double.NaN));
  }

  private static void positive(String field, double v) {
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(field + ": must be a positive number, got " + v);
    }
  }

  private static int classifiers(String model, ExitStructure exits) {
    return CLASSIFIERS.computeIfAbsent(
        model + "/" + exits,
        key -> Models.blueprint(ModelConfig.cifar(model, exits, 1.0 / 16, 10)).numClassifiers());
  }

  /** A builder starting from the {@code quick} profile's defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this config's values. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Number of classifiers K. */
  public int numClassifiers() {
    return classifiers(model, exits);
  }

  /** The distillation hyper-parameters. */
  public DistillationSettings distillation() {
    return new DistillationSettings(lambda, gamma, temperature, Double.NaN, Double.NaN);
  }

  /** The learning-rate schedule. */
  public StepSchedule schedule() {
    return new StepSchedule(lr, milestones.stream().mapToInt(Integer::intValue).toArray(), lrFactor);
  }

  /** The network of this config for a dataset's classes and image shape. */
  public ModelConfig modelConfig(int classes, int channels, int size) {
    return ModelConfig.cifar(model, exits, width, classes).withInput(channels, size).withStemRelu(stemRelu).withSeed(seed)
        .withImagenetStem(imagenetStem);
  }

  /** The canonical JSON of this config (fixed field order). */
  public String toJson() {
    return GSON.toJson(toJsonObject());
  }

  JsonObject toJsonObject() {
    JsonObject o = new JsonObject();
    o.addProperty("profile", profile.cliName());
    o.addProperty("model", model);
    o.addProperty("exits", exits.cliName());
    o.addProperty("method", method.name().toLowerCase(java.util.Locale.ROOT));
    o.addProperty("lambda", lambda);
    o.addProperty("gamma", gamma);
    o.addProperty("temperature", temperature);
    o.addProperty("width", width);
    o.addProperty("stemRelu", stemRelu);
    o.addProperty("dataset", dataset);
    o.addProperty("trainSubset", trainSubset);
    o.addProperty("testSubset", testSubset);
    o.addProperty("imageSize", imageSize);
    o.addProperty("epochs", epochs);
    o.addProperty("batchSize", batchSize);
    o.addProperty("lr", lr);
    JsonArray ms = new JsonArray();
    milestones.forEach(ms::add);
    o.add("milestones", ms);
    o.addProperty("lrFactor", lrFactor);
    o.addProperty("momentum", momentum);
    o.addProperty("weightDecay", weightDecay);
    o.addProperty("seed", seed);
    if (imagenetStem) {
      o.addProperty("imagenetStem", true); // only when on, so earlier configs keep their hashes
    }
    return o;
  }

  /**
   * Reads a config from JSON. Fields not given take the defaults of the file's {@code profile}
   * (quick when absent), so a file may hold only what differs.
   *
   * @param origin file name for error messages
   */
  public static TrainingConfig fromJson(String json, String origin) {
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
    Set<String> known = new LinkedHashSet<>(builder().build().toJsonObject().keySet());
    known.add("imagenetStem");
    for (String key : o.keySet()) {
      if (!known.contains(key)) {
        throw new IllegalArgumentException(origin + ": unknown field '" + key + "'; fields: " + String.join(", ", known));
      }
    }
    try {
      Profile profile = o.has("profile") ? Profile.parse(string(o, "profile")) : Profile.QUICK;
      Builder b = profile.defaults();
      if (o.has("model")) b.model(string(o, "model"));
      if (o.has("exits")) b.exits(ExitStructure.parse(string(o, "exits")));
      if (o.has("method")) b.method(Method.parse(string(o, "method")));
      if (o.has("lambda")) b.lambda(number(o, "lambda"));
      if (o.has("gamma")) b.gamma(number(o, "gamma"));
      if (o.has("temperature")) b.temperature(number(o, "temperature"));
      if (o.has("width")) b.width(number(o, "width"));
      if (o.has("stemRelu")) b.stemRelu(bool(o, "stemRelu"));
      if (o.has("dataset")) b.dataset(string(o, "dataset"));
      if (o.has("trainSubset")) b.trainSubset(integer(o, "trainSubset"));
      if (o.has("testSubset")) b.testSubset(integer(o, "testSubset"));
      if (o.has("imageSize")) b.imageSize(integer(o, "imageSize"));
      if (o.has("epochs")) b.epochs(integer(o, "epochs"));
      if (o.has("batchSize")) b.batchSize(integer(o, "batchSize"));
      if (o.has("lr")) b.lr(number(o, "lr"));
      if (o.has("milestones")) b.milestones(intList(o, "milestones"));
      if (o.has("lrFactor")) b.lrFactor(number(o, "lrFactor"));
      if (o.has("momentum")) b.momentum(number(o, "momentum"));
      if (o.has("weightDecay")) b.weightDecay(number(o, "weightDecay"));
      if (o.has("seed")) b.seed(integer(o, "seed"));
      if (o.has("imagenetStem")) b.imagenetStem(bool(o, "imagenetStem"));
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(origin + ": " + e.getMessage(), e);
    }
  }

  private static JsonElement field(JsonObject o, String key) {
    JsonElement e = o.get(key);
    if (e == null || e.isJsonNull()) {
      throw new IllegalArgumentException(key + ": must not be null");
    }
    return e;
  }

  private static String string(JsonObject o, String key) {
    JsonElement e = field(o, key);
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw new IllegalArgumentException(key + ": must be a string, got " + e);
    }
    return e.getAsString();
  }

  private static double number(JsonObject o, String key) {
    JsonElement e = field(o, key);
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
      throw new IllegalArgumentException(key + ": must be a number, got " + e);
    }
    return e.getAsDouble();
  }

  private static int integer(JsonObject o, String key) {
    double v = number(o, key);
    if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(key + ": must be an integer, got " + o.get(key));
    }
    return (int) v;
  }

  private static boolean bool(JsonObject o, String key) {
    JsonElement e = field(o, key);
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
      throw new IllegalArgumentException(key + ": must be true or false, got " + e);
    }
    return e.getAsBoolean();
  }

  private static List<Integer> intList(JsonObject o, String key) {
    JsonElement e = field(o, key);
    if (!e.isJsonArray()) {
      throw new IllegalArgumentException(key + ": must be an array of epochs, got " + e);
    }
    List<Integer> out = new java.util.ArrayList<>();
    for (JsonElement x : e.getAsJsonArray()) {
      if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber() || x.getAsDouble() != Math.rint(x.getAsDouble())) {
        throw new IllegalArgumentException(key + ": must be an array of integers, got " + e);
      }
      out.add(x.getAsInt());
    }
    return out;
  }

  /** SHA-256 of the canonical JSON, first 12 hex digits: equal configs, equal hashes. */
  public String hash() {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(GSON.toJson(toJsonObject()).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A readable, unique run name: {@code resnet18-bottleneck-beed-fashion-mnist-quick-s1-<hash>}. */
  public String runId() {
    return String.join(
        "-", model, exits.cliName(), method.name().toLowerCase(java.util.Locale.ROOT), dataset, profile.cliName(), "s" + seed, hash());
  }

  /** Display names of the classifiers: Exit1.., Main. */
  public List<String> classifierNames() {
    int k = numClassifiers();
    List<String> names = new java.util.ArrayList<>();
    for (int i = 0; i < k; i++) {
      names.add(Blueprint.classifierName(i, k));
    }
    return names;
  }

  /**
   * Builder with the official recipe's defaults (resnet18, bottleneck exits, BEED, λ 1.6, γ 1.15,
   * T 3, lr 0.1 ÷10 at the scaled milestones, momentum 0.9, weight decay 5e-4, seed 1) on the
   * {@code quick} profile. Milestones follow the epoch count unless set explicitly.
   */
  public static final class Builder {
    private Profile profile = Profile.QUICK;
    private String model = "resnet18";
    private ExitStructure exits = ExitStructure.BOTTLENECK;
    private Method method = Method.BEED;
    private double lambda = DistillationSettings.DEFAULTS.lambda();
    private double gamma = DistillationSettings.DEFAULTS.gamma();
    private double temperature = DistillationSettings.DEFAULTS.temperature();
    private double width = 0.25;
    private boolean stemRelu = false;
    private String dataset = Datasets.FASHION_MNIST;
    private int trainSubset = 10_000;
    private int testSubset = 0;
    private int imageSize = 224;
    private int epochs = 5;
    private int batchSize = 128;
    private double lr = 0.1;
    private List<Integer> milestones = null;
    private double lrFactor = 0.1;
    private double momentum = 0.9;
    private double weightDecay = 5e-4;
    private long seed = 1;
    private boolean imagenetStem = false;

    private Builder() {}

    private Builder(TrainingConfig c) {
      profile = c.profile;
      model = c.model;
      exits = c.exits;
      method = c.method;
      lambda = c.lambda;
      gamma = c.gamma;
      temperature = c.temperature;
      width = c.width;
      stemRelu = c.stemRelu;
      dataset = c.dataset;
      trainSubset = c.trainSubset;
      testSubset = c.testSubset;
      imageSize = c.imageSize;
      epochs = c.epochs;
      batchSize = c.batchSize;
      lr = c.lr;
      milestones = c.milestones.equals(scaled(c.epochs)) ? null : c.milestones;
      lrFactor = c.lrFactor;
      momentum = c.momentum;
      weightDecay = c.weightDecay;
      seed = c.seed;
      imagenetStem = c.imagenetStem;
    }

    private static List<Integer> scaled(int epochs) {
      return java.util.Arrays.stream(StepSchedule.scaledMilestones(epochs)).boxed().toList();
    }

    public Builder profile(Profile v) { profile = v; return this; }
    public Builder model(String v) { model = v; return this; }
    public Builder exits(ExitStructure v) { exits = v; return this; }
    public Builder method(Method v) { method = v; return this; }
    public Builder lambda(double v) { lambda = v; return this; }
    public Builder gamma(double v) { gamma = v; return this; }
    public Builder temperature(double v) { temperature = v; return this; }
    public Builder width(double v) { width = v; return this; }
    public Builder stemRelu(boolean v) { stemRelu = v; return this; }
    public Builder dataset(String v) { dataset = v; return this; }
    public Builder trainSubset(int v) { trainSubset = v; return this; }
    public Builder testSubset(int v) { testSubset = v; return this; }
    public Builder imageSize(int v) { imageSize = v; return this; }
    public Builder epochs(int v) { epochs = v; return this; }
    public Builder batchSize(int v) { batchSize = v; return this; }
    public Builder lr(double v) { lr = v; return this; }
    /** Explicit milestones; null (the default) scales the paper's 75/130/180 of 200 to the epoch count. */
    public Builder milestones(List<Integer> v) { milestones = v; return this; }
    public Builder lrFactor(double v) { lrFactor = v; return this; }
    public Builder momentum(double v) { momentum = v; return this; }
    public Builder weightDecay(double v) { weightDecay = v; return this; }
    public Builder seed(long v) { seed = v; return this; }
    public Builder imagenetStem(boolean v) { imagenetStem = v; return this; }

    /** Validates and builds. */
    public TrainingConfig build() {
      return new TrainingConfig(
          profile, model, exits, method, lambda, gamma, temperature, width, stemRelu, dataset, trainSubset,
          testSubset, imageSize, epochs, batchSize, lr, milestones == null ? scaled(epochs) : milestones,
          lrFactor, momentum, weightDecay, seed, imagenetStem);
    }
  }
}
