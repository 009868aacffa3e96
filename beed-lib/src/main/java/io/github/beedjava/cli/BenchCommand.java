package io.github.beedjava.cli;

import io.github.beedjava.engine.Nd4jRuntime;
import io.github.beedjava.interop.NpzArchive;
import io.github.beedjava.model.ArchitectureSummary;
import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.model.ModelConfig;
import io.github.beedjava.model.Models;
import io.github.beedjava.objective.Method;
import io.github.beedjava.runtime.BuildInfo;
import io.github.beedjava.train.ThroughputBenchmark;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.IntConsumer;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code beed bench}: training and inference images/second and peak memory. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Measure training and inference images/second on random data after warm-up, and peak RSS.",
      "Last line: bench: train X img/s, infer Y img/s, rss Z MiB"
    })
final class BenchCommand implements Callable<Integer> {
  @Option(names = "--model", defaultValue = "resnet18", description = "Backbone (default ${DEFAULT-VALUE}).") String model;
  @Option(names = "--exits", description = "Exit structure (default: the model's, bottleneck or msdnet; none with --method baseline).") String exits;
  @Option(names = "--method", defaultValue = "beed", description = "Objective of the training step (default ${DEFAULT-VALUE}).") String method;
  @Option(names = "--width", defaultValue = "1", description = "Width multiplier (default ${DEFAULT-VALUE}).") double width;
  @Option(names = {"--batch", "--batch-size"}, defaultValue = "128", description = "Batch size (default ${DEFAULT-VALUE}).") int batch;
  @Option(names = "--classes", defaultValue = "100", description = "Classes (default ${DEFAULT-VALUE}, CIFAR-100).") int classes;
  @Option(names = "--input-channels", defaultValue = "3", description = "Input channels (default ${DEFAULT-VALUE}).") int channels;
  @Option(names = "--input-size", defaultValue = "32", description = "Input size (default ${DEFAULT-VALUE}).") int size;
  @Option(names = "--warmup", defaultValue = "5", description = "Untimed iterations before each measurement (default ${DEFAULT-VALUE}).") int warmup;
  @Option(names = "--iterations", defaultValue = "10", description = "Timed iterations (default ${DEFAULT-VALUE}).") int iterations;
  @Option(names = "--inputs", paramLabel = "FILE.npz",
      description = "Benchmark on this batch instead of seeded random data: x [N,C,H,W] float32, y [N] int labels (N overrides --batch).")
  Path inputs;
  @Option(names = "--json", description = "Also print the figures as one JSON object on the last line (for bench/side_by_side.py).")
  boolean json;

  @Override
  public Integer call() throws IOException {
    Method m = Method.parse(method);
    ModelConfig config = ModelConfig.cifar(model, m.exitsFor(exits == null ? Models.defaultExits(model) : ExitStructure.parse(exits)), width, classes).withInput(channels, size);
    IntConsumer progress = i -> System.err.printf(Locale.ROOT, "\rbench: iteration %d", i);
    ThroughputBenchmark.Result r;
    if (inputs != null) {
      NpzArchive batchFile = NpzArchive.read(inputs);
      INDArray x = batchFile.get("x");
      long[] expected = {x.size(0), channels, size, size};
      if (!java.util.Arrays.equals(x.shape(), expected)) {
        throw new IllegalArgumentException(inputs + ": x has shape " + java.util.Arrays.toString(x.shape())
            + ", expected " + java.util.Arrays.toString(expected) + " (set --input-channels/--input-size to match)");
      }
      int[] labels = batchFile.get("y").toIntVector();
      for (int label : labels) {
        if (label < 0 || label >= classes) {
          throw new IllegalArgumentException(inputs + ": label " + label + " in y is outside [0, " + classes + "); set --classes");
        }
      }
      batch = (int) x.size(0);
      r = ThroughputBenchmark.run(config, m, x, labels, warmup, iterations, progress);
    } else {
      r = ThroughputBenchmark.run(config, m, batch, warmup, iterations, progress);
    }
    System.err.println();
    long parameters = new ArchitectureSummary(Models.blueprint(config)).totalParameters();
    System.out.printf(Locale.ROOT, "%s %s, width %s, batch %d, method %s, %dx%dx%d, %d classes%n",
        model, config.exits().cliName(), width, batch, m.name(), channels, size, size, classes);
    System.out.printf(Locale.ROOT, "%s; %s; backend %s, oneDNN helpers %s%n",
        BuildInfo.hardware(), "java " + System.getProperty("java.version"), Nd4jRuntime.backend(), Nd4jRuntime.oneDnnHelpersEnabled());
    System.out.printf(Locale.ROOT, "%-10s %12s %12s%n", "phase", "img/s", "ms/iter");
    System.out.printf(Locale.ROOT, "%-10s %12.1f %12.1f%n", "train", r.trainImagesPerSecond(), r.trainMsPerIteration());
    System.out.printf(Locale.ROOT, "%-10s %12.1f %12.1f%n", "inference", r.inferImagesPerSecond(), r.inferMsPerIteration());
    System.out.printf(Locale.ROOT, "%-10s %12.0f MiB (peak RSS; %.0f MiB when training ended)%n", "memory", r.peakRssMiB(),
        r.trainPeakRssMiB());
    System.out.printf(Locale.ROOT, "bench: train %.1f img/s, infer %.1f img/s, rss %.0f MiB%n",
        r.trainImagesPerSecond(), r.inferImagesPerSecond(), r.peakRssMiB());
    if (json) {
      System.out.printf(Locale.ROOT,
          "{\"train_img_s\": %.3f, \"infer_img_s\": %.3f, \"peak_rss_mib\": %.1f, \"train_peak_rss_mib\": %.1f, "
              + "\"parameters\": %d, \"backend\": \"%s\", "
              + "\"onednn_helpers\": %b, \"java\": \"%s\", \"dl4j\": \"%s\"}%n",
          r.trainImagesPerSecond(), r.inferImagesPerSecond(), r.peakRssMiB(), r.trainPeakRssMiB(), parameters,
          Nd4jRuntime.backend(),
          Nd4jRuntime.oneDnnHelpersEnabled(), System.getProperty("java.version"), BuildInfo.dl4jVersion());
    }
    return 0;
  }
}
