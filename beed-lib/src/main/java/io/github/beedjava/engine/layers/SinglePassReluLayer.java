package io.github.beedjava.engine.layers;

import io.github.beedjava.engine.simd.JavaBatchNormHelper;
import io.github.beedjava.engine.simd.JavaReluBackward;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.ActivationLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinearDerivative;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runtime layer of {@link SinglePassRelu}: forward writes max(x, 0) into a fresh activation
 * array (the input stays intact for backward), backward writes dLoss/dx = dLoss/dy where x > 0
 * ({@link JavaReluBackward}, or the {@code relu_bp} op for what that declines). Same values as DL4J's
 * ActivationLayer, one pass less each way.
 */
public final class SinglePassReluLayer extends ActivationLayer {

  SinglePassReluLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  /** The BN before this layer that applies it in its own passes, or null ({@link #absorbInto}). */
  private JavaBatchNormHelper absorbedBy;
  /**
   * Lets the BN whose output only this layer reads apply the ReLU in its training passes
   * ({@link JavaBatchNormHelper#setAbsorbsRelu}); null undoes it. In a pass where the BN did, this
   * layer's forward returns its input as it is (already rectified; this layer is in place anyway).
   * Backward is unchanged: the mask input > 0 is the same on the rectified map. (Skipping backward
   * too would hand its error on uncopied, in a workspace DL4J's backward pass rejects.)
   */
  public void absorbInto(JavaBatchNormHelper bn) {
    if (bn != null && !((SinglePassRelu) conf().getLayer()).isInPlace()) {
      throw new IllegalStateException("ReLU " + layerId() + ": only an in-place ReLU can be absorbed into the BN before it");
    }
    absorbedBy = bn;
  }

  @Override
  public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
    assertInputSet(false);
    if (training && absorbedBy != null && absorbedBy.rectifiedLastPass()) {
      return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, input);  // the BN wrote max(y, 0) already
    }
    if (training && ((SinglePassRelu) conf().getLayer()).isInPlace()) {
      // Nothing else reads the input: overwrite it. Backward's mask relu(x) > 0 equals x > 0.
      // (Inference passes alternate between two workspaces, where leverageTo would copy the input first.)
      INDArray in = workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, input);
      Nd4j.exec(new RectifiedLinear(in, in, 0.0));
      return in;
    }
    INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, input.dataType(), input.shape(), 'c');
    Nd4j.exec(new RectifiedLinear(input, out, 0.0));
    return out;
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
    assertInputSet(true);
    INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, epsilon.dataType(), epsilon.shape(), 'c');
    if (!JavaReluBackward.apply(input, epsilon, dx)) {
      Nd4j.exec(new RectifiedLinearDerivative(input, epsilon, dx));
    }
    return new Pair<>(new DefaultGradient(), dx);
  }
}
