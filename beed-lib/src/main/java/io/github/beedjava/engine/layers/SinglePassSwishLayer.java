package io.github.beedjava.engine.layers;

import io.github.beedjava.engine.simd.JavaSwish;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.ActivationLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runtime layer of {@link SinglePassSwish}: forward writes x·σ(x) and backward dy·σ(x)·(1 +
 * x·(1 − σ(x))) straight into fresh arrays ({@link JavaSwish}), one pass each, where DL4J's
 * ActivationLayer copies its input first; the input stays intact for backward. Same kernels, so
 * the same values bit for bit. Arrays the Vector API path does not take (doubles, views) run
 * {@link StableSwish}'s ND4J ops on a copy of the input, as DL4J's layer does in training.
 */
public final class SinglePassSwishLayer extends ActivationLayer {

  SinglePassSwishLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  @Override
  public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
    assertInputSet(false);
    INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, input.dataType(), input.shape(), 'c');
    if (!JavaSwish.forward(input, out)) {
      layerConf().getActivationFn().getActivation(out.assign(input), training);  // ND4J ops, in place on the copy
    }
    return out;
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
    assertInputSet(true);
    INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape(), 'c');
    if (!JavaSwish.backward(input, epsilon, dx)) {
      layerConf().getActivationFn().backprop(dx.assign(input), epsilon);  // ND4J ops, the result written into the copy
    }
    return new Pair<>(new DefaultGradient(), dx);
  }
}
