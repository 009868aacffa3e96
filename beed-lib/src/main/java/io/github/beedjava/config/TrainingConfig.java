package io.github.beedjava.config;

import io.github.beedjava.data.Datasets;
import io.github.beedjava.model.Blueprint;
import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.model.ModelConfig;
import io.github.beedjava.model.Models;
import io.github.beedjava.objective.BeedObjective;
import io.github.beedjava.objective.EnsembleDistillationObjective;
import io.github.beedjava.objective.Method;
import io.github.beedjava.objective.ObjectiveParameters;
import io.github.beedjava.objective.WeightedObjective;
import io.github.beedjava.optim.StepSchedule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Everything that changes the result of a training run, as small validated parts, serialised to
 * {@code config.json} by {@link ConfigJson}. Two configs with the same {@link #hash()} train the
 * same network; where files live and how often to checkpoint are {@code RunOptions}.
 *
 * @param profile the compute budget this config came from
 * @param network backbone, exits, width and stem
 * @param data dataset, subsets and crop size
 * @param objective method and objective hyper-parameters
 * @param optimisation epochs, batch, learning-rate schedule, momentum, weight decay
 * @param seed initialisation, data order and augmentation seed
 */
public record TrainingConfig(
    Profile profile, NetworkSpec network, DataSpec data, ObjectiveSpec objective, OptimisationSpec optimisation, long seed) {

  private static final Map<String, Integer> CLASSIFIERS = new ConcurrentHashMap<>();

  /** Checks what spans parts: exits against the method, and the objective for this network. */
  public TrainingConfig {
    if (profile == null || network == null || data == null || objective == null || optimisation == null) {
      throw new IllegalArgumentException("config: profile, network, data, objective and optimisation are required");
    }
    if (objective.method() == Method.BASELINE) {
      network = network.withExits(ExitStructure.NONE); // the baseline is the main network alone
    } else if (network.exits() == ExitStructure.NONE) {
      throw new IllegalArgumentException(
          "exits: method " + objective.method().name() + " needs exits (e.g. --exits bottleneck); only baseline runs without");
    }
    // Builds the objective once: refuses e.g. a γ that makes a BEED CE coefficient <= 0.
    objective.objective(classifiers(network.model(), network.exits()));
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
    return classifiers(network.model(), network.exits());
  }

  /** The network of this config for a dataset's classes and image shape. */
  public ModelConfig modelConfig(int classes, int channels, int size) {
    return ModelConfig.cifar(network.model(), network.exits(), network.width(), classes).withInput(channels, size)
        .withStemRelu(network.stemRelu()).withSeed(seed).withImagenetStem(network.imagenetStem());
  }

  /** The canonical JSON of this config ({@link ConfigJson}). */
  public String toJson() {
    return ConfigJson.write(this);
  }

  /**
   * Reads a config from JSON. Fields not given take the defaults of the file's {@code profile}
   * (quick when absent), so a file may hold only what differs.
   *
   * @param origin file name for error messages
   */
  public static TrainingConfig fromJson(String json, String origin) {
    return ConfigJson.read(json, origin);
  }

  /** SHA-256 of the canonical JSON, first 12 hex digits: equal configs, equal hashes. */
  public String hash() {
    return ConfigJson.hash(this);
  }

  /** A readable, unique run name: {@code resnet18-bottleneck-beed-fashion-mnist-quick-s1-<hash>}. */
  public String runId() {
    return String.join(
        "-", model(), exits().cliName(), method().cliName(), dataset(), profile.cliName(), "s" + seed, hash());
  }

  /** Display names of the classifiers: Exit1.., Main. */
  public List<String> classifierNames() {
    int k = numClassifiers();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      names.add(Blueprint.classifierName(i, k));
    }
    return names;
  }

  // Shortcuts to the parts' fields most code reads.

  /** Backbone registry name. */
  public String model() { return network.model(); }
  /** Exit structure. */
  public ExitStructure exits() { return network.exits(); }
  /** Channel width multiplier. */
  public double width() { return network.width(); }
  /** Training method. */
  public Method method() { return objective.method(); }
  /** λ (see {@link EnsembleDistillationObjective#LAMBDA}). */
  public double lambda() { return objective.parameters().get(EnsembleDistillationObjective.LAMBDA); }
  /** γ (see {@link BeedObjective#GAMMA}). */
  public double gamma() { return objective.parameters().get(BeedObjective.GAMMA); }
  /** T (see {@link WeightedObjective#TEMPERATURE}). */
  public double temperature() { return objective.parameters().get(WeightedObjective.TEMPERATURE); }
  /** Dataset registry name. */
  public String dataset() { return data.dataset(); }
  /** Training images used (0 = all). */
  public int trainSubset() { return data.trainSubset(); }
  /** Test images used (0 = all). */
  public int testSubset() { return data.testSubset(); }
  /** Training epochs. */
  public int epochs() { return optimisation.epochs(); }
  /** Images per step. */
  public int batchSize() { return optimisation.batchSize(); }
  /** The learning-rate schedule. */
  public StepSchedule schedule() { return optimisation.schedule(); }

  /**
   * Builder with the official recipe's defaults (resnet18, bottleneck exits, BEED, λ 1.6, γ 1.15,
   * T 3, lr 0.1 ÷10 at the scaled milestones, momentum 0.9, weight decay 5e-4, seed 1) on the
   * {@code quick} profile. Milestones follow the epoch count unless set explicitly.
   */
  public static final class Builder {
    private Profile profile = Profile.QUICK;
    private String model = "resnet18";
    private ExitStructure exits;  // null: the model's default (Models.defaultExits)
    private double width = 0.25;
    private boolean stemRelu = false;
    private boolean imagenetStem = false;
    private Method method = Method.BEED;
    private ObjectiveParameters parameters = ObjectiveParameters.defaults();
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

    private Builder() {}

    private Builder(TrainingConfig c) {
      profile = c.profile;
      model = c.network.model();
      exits = c.network.exits();
      width = c.network.width();
      stemRelu = c.network.stemRelu();
      imagenetStem = c.network.imagenetStem();
      method = c.objective.method();
      parameters = c.objective.parameters();
      dataset = c.data.dataset();
      trainSubset = c.data.trainSubset();
      testSubset = c.data.testSubset();
      imageSize = c.data.imageSize();
      OptimisationSpec o = c.optimisation;
      epochs = o.epochs();
      batchSize = o.batchSize();
      lr = o.lr();
      milestones = o.milestones().equals(c.profile.milestones(o.epochs())) ? null : o.milestones();
      lrFactor = o.lrFactor();
      momentum = o.momentum();
      weightDecay = o.weightDecay();
      seed = c.seed;
    }

    public Builder profile(Profile v) { profile = v; return this; }
    public Builder model(String v) { model = v; return this; }
    public Builder exits(ExitStructure v) { exits = v; return this; }
    public Builder method(Method v) { method = v; return this; }
    /** Sets an objective hyper-parameter by name ({@link Method#parameters()}). */
    public Builder param(String name, double v) { parameters = parameters.with(name, v); return this; }
    public Builder lambda(double v) { return param(EnsembleDistillationObjective.LAMBDA.name(), v); }
    public Builder gamma(double v) { return param(BeedObjective.GAMMA.name(), v); }
    public Builder temperature(double v) { return param(WeightedObjective.TEMPERATURE.name(), v); }
    public Builder width(double v) { width = v; return this; }
    public Builder stemRelu(boolean v) { stemRelu = v; return this; }
    public Builder dataset(String v) { dataset = v; return this; }
    public Builder trainSubset(int v) { trainSubset = v; return this; }
    public Builder testSubset(int v) { testSubset = v; return this; }
    public Builder imageSize(int v) { imageSize = v; return this; }
    public Builder epochs(int v) { epochs = v; return this; }
    public Builder batchSize(int v) { batchSize = v; return this; }
    public Builder lr(double v) { lr = v; return this; }
    /** Explicit milestones; null (the default) scales the profile's recipe (e.g. 75/130/180 of 200) to the epoch count. */
    public Builder milestones(List<Integer> v) { milestones = v; return this; }
    public Builder lrFactor(double v) { lrFactor = v; return this; }
    public Builder momentum(double v) { momentum = v; return this; }
    public Builder weightDecay(double v) { weightDecay = v; return this; }
    public Builder seed(long v) { seed = v; return this; }
    public Builder imagenetStem(boolean v) { imagenetStem = v; return this; }

    /** Validates and builds; the message names the field and the fix. */
    public TrainingConfig build() {
      if (profile == null || method == null) {
        throw new IllegalArgumentException("config: profile and method are required");
      }
      return new TrainingConfig(
          profile,
          new NetworkSpec(model, exits != null ? exits : Models.defaultExits(model), width, stemRelu, imagenetStem),
          new DataSpec(dataset, trainSubset, testSubset, imageSize),
          new ObjectiveSpec(method, parameters),
          new OptimisationSpec(epochs, batchSize, lr, milestones == null ? profile.milestones(epochs) : milestones,
              lrFactor, momentum, weightDecay),
          seed);
    }
  }
}
