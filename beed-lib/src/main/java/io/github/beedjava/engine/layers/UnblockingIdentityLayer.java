package io.github.beedjava.engine.layers;

import io.github.beedjava.engine.layout.BlockedActivations;
import io.github.beedjava.engine.simd.HostFloats;
import io.github.beedjava.engine.simd.VectorKernels;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.ActivationLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runtime layer of {@link UnblockingIdentity}: DL4J's identity, or, when the plan blocks its input
 * and the pass uses the layout, a copy of the blocked map into a fresh NCHW array.
 */
public final class UnblockingIdentityLayer extends ActivationLayer {
  private boolean blockedInput;

  UnblockingIdentityLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  /** Whether this layer's input is blocked in passes that use the layout (set from the plan). */
  public void setBlockedInput(boolean blockedInput) {
    this.blockedInput = blockedInput;
  }

  @Override
  public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
    if (!(blockedInput && BlockedActivations.active())) {
      return super.activate(training, workspaceMgr);
    }
    assertInputSet(false);
    if (training) {
      throw new IllegalStateException("layer " + layerId() + " unblocks a feature map in inference copies only");
    }
    if (!HostFloats.isDense(input)) {
      throw new IllegalStateException("layer " + layerId() + ": the blocked layout needs a dense float input, got "
          + input.shapeInfoToString());
    }
    INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, input.shape(), 'c');
    VectorKernels.blockedToNchw(VectorKernels.Nchw.of(input), VectorKernels.Nchw.of(out));
    HostFloats.keepAlive(input, out);  // the kernel reads views that do not reference the arrays
    return out;
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
    if (blockedInput && BlockedActivations.active()) {
      throw new IllegalStateException("layer " + layerId() + " unblocks a feature map in inference copies only");
    }
    return super.backpropGradient(epsilon, workspaceMgr);
  }
}
