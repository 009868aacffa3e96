package io.github.beedjava.network;

import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Applies PyTorch's BN running-statistics update after a training forward/backward pass.
 *
 * <p>DL4J leaves the update in the gradient view as a delta, (1-d)(running - batch), and computes
 * it with the <em>biased</em> batch variance. PyTorch updates the running variance with the
 * <em>unbiased</em> one (n/(n-1), n = N*H*W). This recovers the batch statistics from the delta,
 * writes PyTorch's update, and zeroes the delta so that no optimiser ever sees it.
 */
public final class RunningStatistics {
  private RunningStatistics() {}

  /**
   * Updates every BN layer's running mean and variance from the last {@link
   * MultiExitNetwork#forwardBackward}.
   *
   * @param batchSize N of that pass
   */
  public static void apply(MultiExitNetwork net, long batchSize) {
    for (var entry : net.batchNormSpatial().entrySet()) {
      String layer = entry.getKey();
      long n = batchSize * entry.getValue();
      BatchNormalization conf =
          (BatchNormalization) net.graph().getLayer(layer).conf().getLayer();
      double decay = conf.getDecay();
      INDArray mean = net.parameter(layer, "mean");
      INDArray var = net.parameter(layer, "var");
      var grads = net.graph().gradient().gradientForVariable();
      INDArray dMean = grads.get(layer + "_mean");
      INDArray dVar = grads.get(layer + "_var");
      // batch variance (biased) = running - delta / (1 - decay)
      INDArray batchVar = var.sub(dVar.div(1 - decay));
      double unbiased = n > 1 ? (double) n / (n - 1) : 1.0;
      mean.subi(dMean);
      var.muli(decay).addi(batchVar.muli((1 - decay) * unbiased));
      dMean.assign(0);
      dVar.assign(0);
    }
  }
}
