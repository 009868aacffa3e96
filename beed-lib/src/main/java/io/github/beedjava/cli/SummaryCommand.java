package io.github.beedjava.cli;

import io.github.beedjava.model.ArchitectureSummary;
import io.github.beedjava.model.ModelConfig;
import io.github.beedjava.model.Models;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code beed summary}: the Fig. 1-style table, parameters and MFLOPs per classifier. */
@Command(
    name = "summary",
    mixinStandardHelpOptions = true,
    description = "Print a Fig. 1-style architecture table, parameters and MFLOPs per classifier.")
final class SummaryCommand implements Callable<Integer> {
  @picocli.CommandLine.Mixin ModelOptions network;

  @Option(names = "--input-channels", defaultValue = "3", description = "Input channels (default ${DEFAULT-VALUE}).")
  int inputChannels;

  @Option(names = "--input-size", defaultValue = "32", description = "Input height and width (default ${DEFAULT-VALUE}).")
  int inputSize;

  @Option(names = "--stem-relu", description = "Apply ReLU after the stem BN (the official code does not).")
  boolean stemRelu;

  @Option(names = "--imagenet-stem", description = "ResNet's ImageNet stem: conv 7x7/s2, BN, ReLU, max-pool (use --input-size 224).")
  boolean imagenetStem;

  @Override
  public Integer call() {
    ModelConfig config =
        network.config()
            .withInput(inputChannels, inputSize)
            .withStemRelu(stemRelu)
            .withImagenetStem(imagenetStem);
    System.out.println(new ArchitectureSummary(Models.blueprint(config)).render());
    return 0;
  }

  /** Completion candidates for --model. */
  static final class ModelNames implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return Models.names().iterator();
    }
  }
}
