package io.github.beedjava.train;

import io.github.beedjava.network.MultiExitNetwork;
import io.github.beedjava.network.Outputs;
import io.github.beedjava.network.RunningStatistics;
import io.github.beedjava.objective.LossResult;
import io.github.beedjava.objective.Objective;
import io.github.beedjava.objective.Tensor;
import io.github.beedjava.optim.PyTorchSgd;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One training iteration as the official code does it: one forward and one backward through the
 * whole multi-exit network with the objective's output gradients, PyTorch's BN running-statistics
 * update, then one SGD step.
 */
public final class TrainingStep {
  private final MultiExitNetwork net;
  private final Objective objective;
  private final PyTorchSgd sgd;

  /** @param sgd the optimiser whose state persists across steps */
  public TrainingStep(MultiExitNetwork net, Objective objective, PyTorchSgd sgd) {
    this.net = net;
    this.objective = objective;
    this.sgd = sgd;
  }

  /**
   * Forward, backward and running statistics, without the parameter update.
   *
   * @return the loss and its terms (check them before {@link #update})
   */
  public LossResult forwardBackward(INDArray input, int[] labels) {
    LossResult result = forwardBackward(net, input, labels, objective);
    RunningStatistics.apply(net, input.size(0));
    return result;
  }

  /** The SGD update from the last {@link #forwardBackward}. */
  public void update(double lr) {
    sgd.step(net, lr);
  }

  /**
   * Forward and backward of an objective; gradients are left in the network.
   *
   * @return the loss, its terms and the teacher; the output gradients were consumed by the backward
   *     pass and are not kept ({@link LossResult#withoutGradients})
   */
  public static LossResult forwardBackward(MultiExitNetwork net, INDArray input, int[] labels, Objective objective) {
    LossResult[] holder = new LossResult[1];
    net.forwardBackward(
        input,
        outs -> {
          LossResult result = evaluate(objective, outs, labels);
          Outputs errors = errors(result, input.dataType());
          holder[0] = result.withoutGradients();  // the doubles go before the backward pass, not after the step
          return errors;
        });
    return holder[0];
  }

  /** An objective on the network's outputs (logits and features of every classifier). */
  public static LossResult evaluate(Objective objective, Outputs outputs, int[] labels) {
    Tensor[] z = new Tensor[outputs.numClassifiers()];
    Tensor[] f = new Tensor[outputs.numClassifiers()];
    for (int k = 0; k < z.length; k++) {
      z[k] = Tensor.of(outputs.logits()[k]);
      f[k] = Tensor.of(outputs.features()[k]);
    }
    return objective.evaluate(z, f, labels);
  }

  /** A loss result's output gradients as the network-output errors of a backward pass. */
  public static Outputs errors(LossResult result, DataType type) {
    int k = result.logitGradients().length;
    INDArray[] dz = new INDArray[k];
    INDArray[] df = new INDArray[k];
    for (int i = 0; i < k; i++) {
      dz[i] = result.logitGradients()[i].toINDArray(type);
      df[i] = result.featureGradients()[i].toINDArray(type);
    }
    return new Outputs(dz, df);
  }
}
