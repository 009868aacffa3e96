package io.github.beedjava.optim;

import io.github.beedjava.network.MultiExitNetwork;
import io.github.beedjava.network.ParameterRef;
import org.nd4j.linalg.api.blas.Level1;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * SGD with PyTorch's semantics (ND4J has no heavy-ball momentum): d = g + wd·p; buf = m·buf + d
 * (buf = d at the first step); p ← p - lr·buf. Weight decay applies to every trainable parameter,
 * BN affine parameters and biases included; BN running statistics are never touched. No Nesterov.
 * Works on the network's flat parameter and gradient views, so one step is a handful of ops.
 */
public final class PyTorchSgd {
  private final double momentum;
  private final double weightDecay;
  private INDArray buffer;
  private INDArray trainableMask;

  /**
   * @param momentum momentum factor (0.9 in the paper)
   * @param weightDecay coupled L2 weight decay (5e-4 in the paper)
   */
  public PyTorchSgd(double momentum, double weightDecay) {
    if (momentum < 0 || momentum >= 1) {
      throw new IllegalArgumentException("momentum: must be in [0, 1), got " + momentum);
    }
    if (weightDecay < 0) {
      throw new IllegalArgumentException("weightDecay: must be >= 0, got " + weightDecay);
    }
    this.momentum = momentum;
    this.weightDecay = weightDecay;
  }

  /**
   * One update from the gradients of the last forward/backward pass. BN running statistics must
   * already have been applied (their deltas zeroed), see {@code RunningStatistics}. Works in place
   * without temporaries (the flat views are the size of the model): the gradient view is
   * overwritten with d, so read gradients before calling this.
   *
   * @param lr learning rate of this step
   */
  public void step(MultiExitNetwork net, double lr) {
    // Flat 1-D views of the same buffers (DL4J shapes them [n] and [1, n]).
    INDArray params = flat(net.graph().params());
    INDArray d = flat(net.graph().getGradientsViewArray());
    if (trainableMask == null) {
      trainableMask = maskOf(net);
    }
    Level1 blas = Nd4j.getBlasWrapper().level1();
    blas.axpy(d.length(), weightDecay, params, d);  // d = g + wd * p
    d.muli(trainableMask);  // running statistics are not SGD parameters
    if (buffer == null) {
      buffer = d.dup();
    } else {
      buffer.muli(momentum).addi(d);
    }
    blas.axpy(params.length(), -lr, buffer, params);
  }

  /** The momentum buffer (flat, network parameter order), or null before the first step. */
  public INDArray momentumBuffer() {
    return buffer;
  }

  /** Restores a momentum buffer saved from {@link #momentumBuffer()} (null: no step taken yet). */
  public void restoreMomentumBuffer(INDArray saved) {
    buffer = saved == null ? null : saved.dup();
  }

  /** 1 where SGD updates, 0 on BN running statistics. */
  private static INDArray maskOf(MultiExitNetwork net) {
    INDArray params = flat(net.graph().params());
    INDArray mask = Nd4j.onesLike(params);
    INDArray flatMask = mask;
    for (ParameterRef ref : net.parameters()) {
      if (!ref.trainable()) {
        // Parameter views share the flat buffer: locate each by its element offset.
        INDArray view = net.parameter(ref);
        long offset = view.offset() - params.offset();
        flatMask.get(NDArrayIndex.interval(offset, offset + view.length())).assign(0);
      }
    }
    return mask;
  }

  private static INDArray flat(INDArray a) {
    return a.rank() == 1 ? a : a.reshape(a.length());
  }
}
