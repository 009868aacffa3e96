package io.github.beedjava.cli;

import io.github.beedjava.config.Profile;
import io.github.beedjava.config.TrainingConfig;
import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.objective.Method;
import io.github.beedjava.train.LineProgress;
import io.github.beedjava.train.RunOptions;
import io.github.beedjava.train.RunSummary;
import io.github.beedjava.train.TerminalProgress;
import io.github.beedjava.train.Trainer;
import io.github.beedjava.train.TrainingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code beed train}: one training run with provenance, resumable and reusable. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Train one multi-exit network. Starts from the profile's defaults (or --config FILE.json); every option overrides one field.",
      "Writes config.json, provenance.json, metrics.csv, summary.json and a checkpoint into the run directory.",
      "An unfinished run in that directory is resumed; a finished run with the same config is reused (--force retrains)."
    })
final class TrainCommand implements Callable<Integer> {
  @Option(names = "--profile", description = "smoke, quick or paper (default quick, or the config file's).")
  String profile;

  @Option(names = "--config", paramLabel = "FILE.json", description = "Read the config from a JSON file (fields as in config.json; missing ones take the profile's defaults).")
  Path configFile;

  @Option(names = "--model", description = "Backbone, e.g. resnet18, resnet34.") String model;
  @Option(names = "--exits", description = "Exit structure: bottleneck, lct, byot or tofd; msdnet for --model msdnet (its own classifiers); "
      + "none for the baseline (default: bottleneck, or msdnet for msdnet).") String exits;
  @Option(names = "--method", description = "baseline, ce, kd, eed or beed.") String method;
  @Option(names = "--lambda", description = "λ, ensemble importance coefficient (default 1.6).") Double lambda;
  @Option(names = "--gamma", description = "γ, BEED balancing constant (default 1.15).") Double gamma;
  @Option(names = "--temperature", description = "Distillation temperature T (default 3).") Double temperature;
  @Option(names = "--param", paramLabel = "NAME=VALUE",
      description = "Any objective hyper-parameter by name, e.g. --param lambda=1.3 (repeatable; the objectives declare them).")
  Map<String, Double> params;
  @Option(names = "--width", description = "Channel width multiplier.") Double width;
  @Option(names = "--stem-relu", arity = "0..1", description = "ReLU after the stem BN (the official code has none).") Boolean stemRelu;
  @Option(names = "--dataset", description = "synthetic, fashion-mnist, cifar100 or image-folder.") String dataset;
  @Option(names = "--train-subset", description = "Training images used (0 = all).") Integer trainSubset;
  @Option(names = "--test-subset", description = "Test images used (0 = all).") Integer testSubset;
  @Option(names = "--image-size", description = "Crop size of image-folder data (default 224).") Integer imageSize;
  @Option(names = "--epochs", description = "Epochs (the lr milestones scale with it unless --milestones is given).") Integer epochs;
  @Option(names = {"--batch", "--batch-size"}, description = "Batch size.") Integer batchSize;
  @Option(names = "--lr", description = "Initial learning rate (default 0.1).") Double lr;
  @Option(names = "--milestones", split = ",", description = "0-based epochs where lr is multiplied by --lr-factor, e.g. 75,130,180.") List<Integer> milestones;
  @Option(names = "--lr-factor", description = "lr multiplier at each milestone (default 0.1).") Double lrFactor;
  @Option(names = "--momentum", description = "SGD momentum (default 0.9).") Double momentum;
  @Option(names = "--weight-decay", description = "Weight decay on every parameter (default 5e-4).") Double weightDecay;
  @Option(names = "--seed", description = "Seed of initialisation, data order and augmentation (default 1).") Long seed;
  @Option(names = "--imagenet-stem", arity = "0..1", description = "ResNet's ImageNet stem (7x7/s2 conv + max-pool) for --dataset image-folder (default: on in the imagenet profile; --imagenet-stem false turns it off).") Boolean imagenetStem;

  @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default results/runs/<run id>).") Path out;
  @Option(names = "--data-dir", paramLabel = "DIR", description = "Dataset folder (default: see data/README.md).") Path dataDir;
  @Option(names = "--checkpoint-every", defaultValue = "0", paramLabel = "N", description = "Also checkpoint every N iterations (default: each epoch only).") int checkpointEvery;
  @Option(names = "--force", description = "Retrain even if a finished run with this config exists (discards it).") boolean force;
  @Option(names = {"-q", "--quiet"}, description = "One line per epoch instead of a progress bar (for CI and logs).") boolean quiet;

  @Override
  public Integer call() throws IOException {
    TrainingConfig config = config();
    Path dir = out != null ? out : RunOptions.defaultRunDir(config);
    TrainingListener listener = quiet || System.console() == null ? new LineProgress(System.err) : new TerminalProgress(System.err);
    RunSummary s = new Trainer(config, new RunOptions(dir, dataDir, checkpointEvery, force), listener).run();
    System.out.println("run: " + dir);
    System.out.printf(Locale.ROOT, "final (epoch %d): %s%n", s.finalEpoch(), accuracies(s.finalAccuracies().asMap()));
    System.out.printf(Locale.ROOT, "best main (epoch %d): %s%n", s.bestEpoch(), accuracies(s.bestAccuracies().asMap()));
    System.out.println("paramsSha256: " + s.paramsSha256());
    return 0;
  }

  /** The config: file or profile defaults, then every option given. */
  TrainingConfig config() throws IOException {
    TrainingConfig.Builder b;
    if (configFile != null) {
      String json;
      try {
        json = Files.readString(configFile);
      } catch (IOException e) {
        throw new IOException(configFile + ": cannot read config (" + e.getMessage() + ")", e);
      }
      b = TrainingConfig.fromJson(json, configFile.toString()).toBuilder();
      if (profile != null) {
        b.profile(Profile.parse(profile));
      }
    } else {
      b = (profile != null ? Profile.parse(profile) : Profile.QUICK).defaults();
    }
    if (model != null) b.model(model);
    if (exits != null) b.exits(ExitStructure.parse(exits));
    if (method != null) b.method(Method.parse(method));
    if (lambda != null) b.lambda(lambda);
    if (gamma != null) b.gamma(gamma);
    if (temperature != null) b.temperature(temperature);
    if (params != null) params.forEach(b::param);
    if (width != null) b.width(width);
    if (stemRelu != null) b.stemRelu(stemRelu);
    if (dataset != null) b.dataset(dataset);
    if (trainSubset != null) b.trainSubset(trainSubset);
    if (testSubset != null) b.testSubset(testSubset);
    if (imageSize != null) b.imageSize(imageSize);
    if (epochs != null) b.epochs(epochs);
    if (batchSize != null) b.batchSize(batchSize);
    if (lr != null) b.lr(lr);
    if (milestones != null) b.milestones(milestones);
    if (lrFactor != null) b.lrFactor(lrFactor);
    if (momentum != null) b.momentum(momentum);
    if (weightDecay != null) b.weightDecay(weightDecay);
    if (seed != null) b.seed(seed);
    if (imagenetStem != null) b.imagenetStem(imagenetStem);
    return b.build();
  }

  private static String accuracies(java.util.Map<String, Double> acc) {
    StringBuilder s = new StringBuilder();
    acc.forEach((k, v) -> s.append(String.format(Locale.ROOT, "%s %.2f  ", k, v)));
    return s.toString().trim();
  }
}
