package io.github.beedjava.engine.layers;

import io.github.beedjava.engine.simd.JavaPointwiseProduct;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runtime layer of {@link InferenceDense}: eval-mode x·W + b by {@link JavaPointwiseProduct} (DL4J
 * keeps W as an F-order [nIn, nOut] view, the same memory as the C-order [nOut, nIn] rows that
 * product reads); DL4J's own code for anything else (double precision, an activation, layer norm).
 */
public final class InferenceDenseLayer extends DenseLayer {

  InferenceDenseLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  @Override
  public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
    if (training) {
      throw new IllegalStateException("layer " + layerId() + " is an inference copy's head: inference graphs only");
    }
    assertInputSet(false);
    var conf = (InferenceDense) layerConf();
    if (input.rank() == 2 && conf.hasBias() && !conf.hasLayerNorm() && conf.getActivationFn() instanceof ActivationIdentity) {
      INDArray weightRows = getParam(DefaultParamInitializer.WEIGHT_KEY).transpose();  // [nOut, nIn], C order
      INDArray bias = getParam(DefaultParamInitializer.BIAS_KEY);
      long n = input.size(0);
      INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, new long[] {n, conf.getNOut()}, 'c');
      if (JavaPointwiseProduct.apply(input, weightRows, bias, out, n, conf.getNIn(), conf.getNOut())) {
        return out;
      }
    }
    return super.activate(false, workspaceMgr);
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
    throw new IllegalStateException("layer " + layerId() + " is an inference copy's head: inference graphs have no backward pass");
  }
}
