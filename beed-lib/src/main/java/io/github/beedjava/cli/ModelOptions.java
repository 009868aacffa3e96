package io.github.beedjava.cli;

import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.model.ModelConfig;
import io.github.beedjava.model.Models;
import picocli.CommandLine.Option;

/** The options that name a network, shared by {@code summary} and {@code export} (a picocli mixin). */
final class ModelOptions {
  @Option(names = "--model", defaultValue = "resnet18", description = "Backbone: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).",
      completionCandidates = SummaryCommand.ModelNames.class)
  String model;

  @Option(names = "--exits", description = "Exit structure: bottleneck, lct, byot, tofd, msdnet (msdnet's own) or none "
      + "(default: bottleneck, or msdnet for msdnet).")
  String exits;

  @Option(names = "--width", defaultValue = "1", description = "Width multiplier (default ${DEFAULT-VALUE}).")
  double width;

  @Option(names = "--classes", defaultValue = "100", description = "Number of classes (default ${DEFAULT-VALUE}).")
  int classes;

  /** The CIFAR-shaped config these options name. */
  ModelConfig config() {
    return ModelConfig.cifar(model, exits == null ? Models.defaultExits(model) : ExitStructure.parse(exits), width, classes);
  }
}
