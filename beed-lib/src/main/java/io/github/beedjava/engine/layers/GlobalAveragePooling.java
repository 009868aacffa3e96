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
 * Configuration of a global average pooling: DL4J's {@link GlobalPoolingLayer} (AVG), to [N, C]
 * (dimensions collapsed, the default), whose runtime layer, {@link GlobalAveragePoolingLayer}, also
 * reads maps in oneDNN's blocked layout ({@link BlockedActivations}); or, in channels-last
 * inference copies, to [N, 1, 1, C] (squeeze-excitation), which DL4J's own layer gets wrong in NHWC.
 */
public class GlobalAveragePooling extends GlobalPoolingLayer {

  /** An average pooling over H and W (also DL4J's JSON constructor). */
  public GlobalAveragePooling() {
    super(PoolingType.AVG);
    setCollapseDimensions(true);
  }

  /** An average pooling over H and W; {@code collapse} false keeps them as size-1 dimensions. */
  public GlobalAveragePooling(boolean collapse) {
    this();
    setCollapseDimensions(collapse);
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
