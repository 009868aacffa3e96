package io.github.beedjava.objective;

import java.util.Map;

/**
 * The value of an objective on one batch and its gradients w.r.t. the network outputs.
 *
 * @param total the loss that is minimised
 * @param terms unweighted terms by name: {@code CE1..CEK}, {@code KD1..}, {@code FD1..} (1 = first exit, K = main)
 * @param logitGradients dLoss/dlogits per classifier
 * @param featureGradients dLoss/dfeature per classifier (zeros where no feature term)
 * @param teacher the detached teacher, or null when the objective has none
 */
public record LossResult(
    double total,
    Map<String, Double> terms,
    Tensor[] logitGradients,
    Tensor[] featureGradients,
    Teacher teacher) {}
