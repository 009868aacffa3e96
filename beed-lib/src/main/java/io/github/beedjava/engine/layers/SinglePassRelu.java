package io.github.beedjava.engine.layers;

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
 * When it is the only consumer of its input it works in place (like PyTorch's
 * {@code ReLU(inplace=True)}), so the graph keeps one tensor instead of two.
 */
public class SinglePassRelu extends ActivationLayer {
  private boolean inPlace;

  /** A ReLU (also DL4J's JSON constructor). */
  public SinglePassRelu() {
    super(new ActivationLayer.Builder().activation(Activation.RELU));
  }

  /** Whether the layer overwrites its input (set by the graph builder when nothing else reads it). */
  public boolean isInPlace() {
    return inPlace;
  }

  /** @param inPlace true only when this layer is the sole consumer of its input */
  public void setInPlace(boolean inPlace) {
    this.inPlace = inPlace;
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
