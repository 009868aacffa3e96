package io.github.beedjava.cli;

import io.github.beedjava.interop.NpzWriter;
import io.github.beedjava.interop.StateDict;
import io.github.beedjava.model.ModelConfig;
import io.github.beedjava.network.MultiExitNetwork;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code beed export}: a freshly initialised network's state_dict by PyTorch names, for PyTorch twins. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Write a freshly initialised network's state_dict as a NumPy .npz: param/<PyTorch name> for every tensor",
      "(BN running statistics included, PyTorch layouts), plus config/model, config/exits, config/width,",
      "config/num_classes and config/seed. tools/twin/make_twin_fixture.py loads it into a PyTorch twin."
    })
final class ExportCommand implements Callable<Integer> {
  @picocli.CommandLine.Mixin ModelOptions network;

  @Option(names = "--seed", defaultValue = "1", description = "Initialisation seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--out", required = true, paramLabel = "FILE.npz", description = "The archive to write (replaced whole).")
  Path out;

  @Override
  public Integer call() throws Exception {
    ModelConfig config = network.config().withSeed(seed);
    MultiExitNetwork net = MultiExitNetwork.create(config);
    NpzWriter npz = new NpzWriter()
        .putText("config/model", config.architecture())
        .putText("config/exits", config.exits().cliName())
        .put("config/width", config.width())
        .put("config/num_classes", config.numClasses())
        .put("config/seed", config.seed());
    StateDict.putAll(net, npz, "param/");
    npz.write(out);
    System.out.printf(java.util.Locale.ROOT, "wrote %s: %s, exits %s, width %s, %d classes, %d tensors%n",
        out, config.architecture(), config.exits().cliName(), config.width(), config.numClasses(), net.parameters().size());
    return 0;
  }
}
