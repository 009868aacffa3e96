package io.github.beedjava.model;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Configuration of a ReLU layer whose runtime layer, {@link SinglePassReluLayer}, runs each
 * training pass as one native op: DL4J's ActivationLayer first copies its input in both passes.
 */
public class SinglePassRelu extends ActivationLayer {

  /** A ReLU (also DL4J's JSON constructor). */
  public SinglePassRelu() {
    super(new ActivationLayer.Builder().activation(Activation.RELU));
  }

  @Override
  public Layer instantiate(
      NeuralNetConfiguration conf,
      Collection<TrainingListener> listeners,
      int layerIndex,
      INDArray paramsView,
      boolean initializeParams,
      DataType networkDataType) {
    return CustomLayers.wire(
        new SinglePassReluLayer(conf, networkDataType), conf, listeners, layerIndex, paramsView, initializeParams, initializer());
  }
}
