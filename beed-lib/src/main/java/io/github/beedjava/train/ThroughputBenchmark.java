package io.github.beedjava.train;


import io.github.beedjava.model.ModelConfig;
import io.github.beedjava.network.MultiExitNetwork;
import io.github.beedjava.objective.Method;
import io.github.beedjava.optim.PyTorchSgd;
import io.github.beedjava.runtime.BuildInfo;
import java.util.Random;
import java.util.function.IntConsumer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Training and inference throughput of a model on random data after warm-up (the first
 * iterations size DL4J's workspaces and are slow), with the process's peak RSS.
 */
public final class ThroughputBenchmark {
  private ThroughputBenchmark() {}

  /**
   * Measured figures.
   *
   * @param trainImagesPerSecond full training steps (forward, loss, backward, SGD)
   * @param inferImagesPerSecond eval-mode passes through every classifier, logits only, as {@code Evaluator} runs them
   * @param trainMsPerIteration milliseconds per training step
   * @param inferMsPerIteration milliseconds per inference batch
   * @param peakRssMiB peak resident memory of the process (MiB), -1 when unknown
   * @param trainPeakRssMiB the same peak when the training phase ended, before inference (MiB), -1 when unknown
   */
  public record Result(
      double trainImagesPerSecond, double inferImagesPerSecond, double trainMsPerIteration, double inferMsPerIteration,
      double peakRssMiB, double trainPeakRssMiB) {}

  /**
   * Runs the benchmark.
   *
   * @param model network (its data type and input shape are used)
   * @param method training method (its objective is part of the step)
   * @param batch images per iteration
   * @param warmup untimed iterations before each measurement
   * @param iterations timed iterations
   * @param onIteration called after every iteration (warm-up included) with a running count, for progress
   */
  public static Result run(ModelConfig model, Method method, int batch, int warmup, int iterations, IntConsumer onIteration) {
    if (batch < 1) {
      throw new IllegalArgumentException("bench: batch must be >= 1, got " + batch);
    }
    Random rng = new Random(1);
    INDArray input = Nd4j.rand(model.dataType(), batch, model.inputChannels(), model.inputSize(), model.inputSize()).subi(0.5);
    int[] labels = rng.ints(batch, 0, model.numClasses()).toArray();
    return run(model, method, input, labels, warmup, iterations, onIteration);
  }

  /**
   * Runs the benchmark on a given batch (the side-by-side harness feeds both frameworks the same one).
   *
   * @param input NCHW batch matching the model's input shape
   * @param labels one class index per image
   */
  public static Result run(
      ModelConfig model, Method method, INDArray input, int[] labels, int warmup, int iterations, IntConsumer onIteration) {
    int batch = (int) input.size(0);
    if (warmup < 0 || iterations < 1) {
      throw new IllegalArgumentException("bench: iterations must be >= 1 and warm-up >= 0");
    }
    if (labels.length != batch) {
      throw new IllegalArgumentException("bench: " + labels.length + " labels for " + batch + " images");
    }
    MultiExitNetwork net = MultiExitNetwork.create(model);
    input = input.castTo(model.dataType());
    TrainingStep step = new TrainingStep(
        net, method.objective(net.numClassifiers()), new PyTorchSgd(0.9, 5e-4));
    int done = 0;
    for (int i = 0; i < warmup; i++) {
      step.forwardBackward(input, labels);
      step.update(0.01);
      onIteration.accept(++done);
    }
    long t0 = System.nanoTime();
    for (int i = 0; i < iterations; i++) {
      step.forwardBackward(input, labels);
      step.update(0.01);
      onIteration.accept(++done);
    }
    double trainSeconds = (System.nanoTime() - t0) / 1e9;
    double trainPeakRss = BuildInfo.peakRssMiB();
    for (int i = 0; i < warmup; i++) {
      net.logits(input).release();
      onIteration.accept(++done);
    }
    long t1 = System.nanoTime();
    for (int i = 0; i < iterations; i++) {
      net.logits(input).release();  // as an evaluation loop does (Evaluator)
      onIteration.accept(++done);
    }
    double inferSeconds = (System.nanoTime() - t1) / 1e9;
    return new Result(
        (double) batch * iterations / trainSeconds,
        (double) batch * iterations / inferSeconds,
        1000 * trainSeconds / iterations,
        1000 * inferSeconds / iterations,
        BuildInfo.peakRssMiB(),
        trainPeakRss);
  }
}
