package io.github.beedjava.engine.layers;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/** DL4J's steps for turning a layer configuration into a runtime layer, for this project's custom layers. */
final class CustomLayers {
  private CustomLayers() {}

  /** Wires a freshly constructed runtime layer as DL4J's own {@code instantiate} methods do. */
  static Layer wire(
      Layer layer,
      NeuralNetConfiguration conf,
      Collection<TrainingListener> listeners,
      int layerIndex,
      INDArray paramsView,
      boolean initializeParams,
      ParamInitializer initializer) {
    layer.setListeners(listeners);
    layer.setIndex(layerIndex);
    layer.setParamsViewArray(paramsView);
    layer.setParamTable(initializer.init(conf, paramsView, initializeParams));
    layer.setConf(conf);
    return layer;
  }
}
