package io.github.beedjava.train;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Compute budgets (docs/training.md). Every result records the profile that made it; only
 * {@link #PAPER} results are comparable with the paper's numbers.
 */
public enum Profile {
  /** Synthetic images, width 1/8, 3 epochs of 20 batches: CI and tests, seconds. */
  SMOKE,
  /** Fashion-MNIST (Debian package), width 1/4, 5 epochs on a 10,000-image subset: minutes on a laptop CPU. */
  QUICK,
  /** CIFAR-100, full width, the paper's 200-epoch recipe: a GPU. */
  PAPER;

  /** The command-line spelling. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code smoke}, {@code quick} or {@code paper}. */
  public static Profile parse(String name) {
    for (Profile p : values()) {
      if (p.cliName().equals(name.trim().toLowerCase(Locale.ROOT))) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "profile: unknown profile '" + name + "'; available: "
            + Arrays.stream(values()).map(Profile::cliName).collect(Collectors.joining(", ")));
  }

  /** The profile's defaults for a model, exit structure and method. */
  public TrainingConfig.Builder defaults() {
    TrainingConfig.Builder b = TrainingConfig.builder().profile(this);
    return switch (this) {
      case SMOKE -> b.dataset("synthetic").width(0.125).epochs(3).batchSize(32).trainSubset(640).testSubset(200);
      case QUICK -> b.dataset("fashion-mnist").width(0.25).epochs(5).batchSize(128).trainSubset(10_000).testSubset(0);
      case PAPER -> b.dataset("cifar100").width(1.0).epochs(200).batchSize(128).trainSubset(0).testSubset(0);
    };
  }
}
