package io.github.beedjava.cli;

import io.github.beedjava.config.Profile;
import io.github.beedjava.config.TrainingConfig;
import io.github.beedjava.experiment.Experiment;
import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.model.Models;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The options that name a paper experiment over networks and seeds, shared by {@code reproduce} and {@code grid}. */
final class ExperimentOptions {
  @Parameters(index = "0", paramLabel = "TARGET", description = "table1, table2 or figure2") String target;
  @Option(names = "--model", defaultValue = "resnet18", split = ",",
      description = "Backbone(s), comma-separated, or all (the six with the proposed exits; default ${DEFAULT-VALUE}).") List<String> models;
  @Option(names = "--seeds", defaultValue = "1", description = "Seeds 1..N of every row (default ${DEFAULT-VALUE}).") int seeds;
  @Option(names = "--profile", defaultValue = "quick", description = "smoke, quick or paper (default ${DEFAULT-VALUE}).") String profile;
  @Option(names = "--epochs", description = "Override the profile's epochs (milestones scale).") Integer epochs;
  @Option(names = "--lambdas", split = ",", defaultValue = "1.0,1.6,2.2", description = "figure2: λ grid (default ${DEFAULT-VALUE}).") double[] lambdas;
  @Option(names = "--gammas", split = ",", defaultValue = "1.0,1.15,1.25",
      description = "figure2: γ grid (default ${DEFAULT-VALUE}; γ must stay below 2^(1/(K-1))).") double[] gammas;

  /** The profile. */
  Profile profile() {
    return Profile.parse(profile);
  }

  /** One experiment per named network, for seed 1 (see {@link Experiment#forSeed}). */
  List<Experiment> experiments() {
    if (seeds < 1) {
      throw new IllegalArgumentException("--seeds: need at least 1, got " + seeds);
    }
    List<String> names = models.size() == 1 && models.get(0).equals("all") ? Models.namesWith(ExitStructure.BOTTLENECK) : models;
    for (String m : names) {
      if (!Models.names().contains(m)) {
        throw new IllegalArgumentException("--model: unknown model '" + m + "'; available: all, " + String.join(", ", Models.names()));
      }
    }
    Profile p = profile();
    UnaryOperator<TrainingConfig.Builder> base = epochs == null ? null : b -> b.epochs(epochs);
    List<Experiment> out = new ArrayList<>();
    for (String model : names) {
      out.add(switch (target) {
        case "table1" -> Experiment.table1(model, p, base);
        case "table2" -> Experiment.table2(model, p, base);
        case "figure2" -> Experiment.figure2(model, p, lambdas, gammas, base);
        default -> throw new IllegalArgumentException("TARGET: unknown '" + target + "'; available: table1, table2, figure2");
      });
    }
    return out;
  }

  /** Every run of the grid: each experiment's entries for seeds 1..N, in table order, seed by seed. */
  List<TrainingConfig> configs() {
    List<TrainingConfig> out = new ArrayList<>();
    for (Experiment e : experiments()) {
      for (int s = 1; s <= seeds; s++) {
        for (Experiment.Entry entry : e.forSeed(s).entries()) {
          out.add(entry.config());
        }
      }
    }
    return out;
  }
}
