package io.github.beedjava.model;

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
final class SinglePassReluLayer extends ActivationLayer {

  SinglePassReluLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  @Override
  public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
    assertInputSet(false);
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
