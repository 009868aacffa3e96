package io.github.beedjava.engine.layers;

import io.github.beedjava.engine.layout.BlockedActivations;
import io.github.beedjava.engine.simd.HostFloats;
import io.github.beedjava.engine.simd.VectorKernels;
import java.util.function.Supplier;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.ActivationLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runtime layer of {@link FeatureMapOutput}: in eval mode a copy of its input, from oneDNN's blocked
 * layout into NCHW when the plan blocks the input and the pass uses the layout; a one-element
 * placeholder in a {@link #logitsOnly} pass; DL4J's identity in training passes.
 */
public final class FeatureMapOutputLayer extends ActivationLayer {
  private static final ThreadLocal<Boolean> LOGITS_ONLY = ThreadLocal.withInitial(() -> false);

  private boolean blockedInput;

  FeatureMapOutputLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  /**
   * Runs {@code pass} with every feature-map output of this thread's eval passes replaced by a
   * one-element placeholder: for callers that read the logits only (evaluation, the throughput
   * bench), which would otherwise pay a copy of every exit's last map per batch.
   */
  public static <T> T logitsOnly(Supplier<T> pass) {
    boolean before = LOGITS_ONLY.get();
    LOGITS_ONLY.set(true);
    try {
      return pass.get();
    } finally {
      LOGITS_ONLY.set(before);
    }
  }

  /** Whether this layer's input is blocked in passes that use the layout (set from the plan). */
  public void setBlockedInput(boolean blockedInput) {
    this.blockedInput = blockedInput;
  }

  @Override
  public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
    boolean blocked = blockedInput && BlockedActivations.active();
    if (training) {
      if (blocked) {
        throw new IllegalStateException("layer " + layerId() + " unblocks a feature map in inference copies only");
      }
      return super.activate(true, workspaceMgr);
    }
    assertInputSet(false);
    if (LOGITS_ONLY.get()) {
      return workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, 1);
    }
    if (!blocked) {
      return super.activate(false, workspaceMgr);
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
