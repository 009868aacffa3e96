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
 * Configuration of the identity layer that hands a feature map out of an inference copy as a graph
 * output; runtime layer {@link FeatureMapOutputLayer}. Its output is NCHW even when its input is in
 * oneDNN's blocked layout ({@link BlockedActivations}): with DL4J's identity layer there the map's
 * producers, and everything the plan can only block together with them, had to stay NCHW (the last
 * stage of every network, with a layout copy around each of its convolutions). In a pass that wants
 * logits only ({@link FeatureMapOutputLayer#logitsOnly}) it copies nothing.
 */
public class FeatureMapOutput extends ActivationLayer {

  /** An identity layer (also DL4J's JSON constructor). */
  public FeatureMapOutput() {
    setActivationFn(Activation.IDENTITY.getActivationFunction());
  }

  /** An identity layer named {@code name}. */
  public FeatureMapOutput(String name) {
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
    return CustomLayers.wire(new FeatureMapOutputLayer(conf, networkDataType), conf, listeners, layerIndex, paramsView,
        initializeParams, initializer());
  }
}
