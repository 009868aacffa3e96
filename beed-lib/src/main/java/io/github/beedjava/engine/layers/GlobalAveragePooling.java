package io.github.beedjava.engine.layers;

import io.github.beedjava.engine.layout.BlockedActivations;
import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Configuration of a global average pooling to [N, C]: DL4J's {@link GlobalPoolingLayer} (AVG,
 * dimensions collapsed), whose runtime layer, {@link GlobalAveragePoolingLayer}, also reads maps in
 * oneDNN's blocked layout ({@link BlockedActivations}).
 */
public class GlobalAveragePooling extends GlobalPoolingLayer {

  /** An average pooling over H and W (also DL4J's JSON constructor). */
  public GlobalAveragePooling() {
    super(PoolingType.AVG);
    setCollapseDimensions(true);
  }

  @Override
  public Layer instantiate(
      NeuralNetConfiguration conf,
      Collection<TrainingListener> listeners,
      int layerIndex,
      INDArray paramsView,
      boolean initializeParams,
      DataType networkDataType) {
    return CustomLayers.wire(new GlobalAveragePoolingLayer(conf, networkDataType), conf, listeners, layerIndex, paramsView,
        initializeParams, initializer());
  }
}
