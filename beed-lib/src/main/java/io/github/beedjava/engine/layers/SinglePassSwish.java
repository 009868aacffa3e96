package io.github.beedjava.engine.layers;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Configuration of a swish layer ({@link StableSwish}) whose runtime layer, {@link
 * SinglePassSwishLayer}, runs each pass as one pass over memory from its input to a fresh array:
 * DL4J's ActivationLayer first copies its input (forward, and backward again) and then applies
 * the activation to the copy in place.
 */
public class SinglePassSwish extends ActivationLayer {

  /** A swish layer (also DL4J's JSON constructor). */
  public SinglePassSwish() {
    super(new ActivationLayer.Builder().activation(new StableSwish()));
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
        new SinglePassSwishLayer(conf, networkDataType), conf, listeners, layerIndex, paramsView, initializeParams, initializer());
  }
}
