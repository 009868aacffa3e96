package io.github.beedjava.engine.layers;

import io.github.beedjava.engine.layout.BlockedActivations;
import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Configuration of an identity layer, in an inference copy, whose output is NCHW even when its
 * input is in oneDNN's blocked layout ({@link BlockedActivations}); runtime layer
 * {@link UnblockingIdentityLayer}. It replaces the identity layers that hand a feature map out as a
 * graph output: with them the map's producers, and everything the plan can only block together with
 * those, had to stay NCHW (the last stage of every network, with a layout copy around each of its
 * convolutions).
 */
public class UnblockingIdentity extends ActivationLayer {

  /** An identity layer (also DL4J's JSON constructor). */
  public UnblockingIdentity() {
    setActivationFn(Activation.IDENTITY.getActivationFunction());
  }

  /** An identity layer named {@code name}. */
  public UnblockingIdentity(String name) {
    this();
    setLayerName(name);
  }

  @Override
  public Layer instantiate(
      NeuralNetConfiguration conf,
      Collection<TrainingListener> listeners,
      int layerIndex,
      INDArray paramsView,
      boolean initializeParams,
      DataType networkDataType) {
    return CustomLayers.wire(new UnblockingIdentityLayer(conf, networkDataType), conf, listeners, layerIndex, paramsView,
        initializeParams, initializer());
  }
}
