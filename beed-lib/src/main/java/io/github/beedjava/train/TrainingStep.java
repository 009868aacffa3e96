package io.github.beedjava.train;

import io.github.beedjava.model.MultiExitNetwork;
import io.github.beedjava.model.RunningStatistics;
import io.github.beedjava.objective.LossResult;
import io.github.beedjava.objective.Objective;
import io.github.beedjava.optim.PyTorchSgd;
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

  /** Forward and backward of an objective; gradients are left in the network. */
  public static LossResult forwardBackward(MultiExitNetwork net, INDArray input, int[] labels, Objective objective) {
    LossResult[] holder = new LossResult[1];
    net.forwardBackward(
        input,
        outs -> {
          holder[0] = objective.evaluate(outs, labels);
          return Objective.errors(holder[0], input.dataType());
        });
    return holder[0];
  }
}
