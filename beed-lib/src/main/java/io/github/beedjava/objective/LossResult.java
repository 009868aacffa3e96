package io.github.beedjava.objective;

import java.util.Map;

/**
 * The value of an objective on one batch and its gradients w.r.t. the network outputs.
 *
 * @param total the loss that is minimised
 * @param terms unweighted terms by name: {@code CE1..CEK}, {@code KD1..}, {@code FD1..} (1 = first exit, K = main)
 * @param logitGradients dLoss/dlogits per classifier (empty once a backward pass has consumed them)
 * @param featureGradients dLoss/dfeature per classifier (zeros where no feature term; empty once a
 *     backward pass has consumed them)
 * @param teacher the detached teacher, or null when the objective has none
 */
public record LossResult(
    double total,
    Map<String, Double> terms,
    Tensor[] logitGradients,
    Tensor[] featureGradients,
    Teacher teacher) {

  /**
   * This result without its output gradients, which are as large as the feature maps (33 MB of
   * doubles per classifier for ResNet18 at full width and batch 128): what a training step keeps
   * once the backward pass has taken them.
   */
  public LossResult withoutGradients() {
    return new LossResult(total, terms, new Tensor[0], new Tensor[0], teacher);
  }
}
