package io.github.beedjava.engine.layers;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Configuration of a depthwise convolution without activation whose runtime layer, {@link
 * DirectDepthwiseConvolutionLayer}, runs both passes as oneDNN grouped convolutions instead of
 * libnd4j's generic depthwise op. Same parameters (DL4J's [kH, kW, in, multiplier] weights), same
 * results.
 */
public class DirectDepthwiseConvolution extends DepthwiseConvolution2D implements FoldsBatchNorm {
  private String foldedBatchNorm;
  private boolean fusedRelu;

  /** For DL4J's JSON (de)serialisation. */
  public DirectDepthwiseConvolution() {}

  /**
   * @param builder a configured depthwise builder; its activation must be identity
   * @throws IllegalArgumentException when the activation is not identity
   */
  public DirectDepthwiseConvolution(DepthwiseConvolution2D.Builder builder) {
    super(builder);
    if (getActivationFn() != null && !(getActivationFn() instanceof ActivationIdentity)) {
      throw new IllegalArgumentException("DirectDepthwiseConvolution: activation must be identity, got " + getActivationFn());
    }
  }

  @Override
  public String getFoldedBatchNorm() {
    return foldedBatchNorm;
  }

  @Override
  public void setFoldedBatchNorm(String foldedBatchNorm) {
    this.foldedBatchNorm = foldedBatchNorm;
  }

  @Override
  public boolean isFusedRelu() {
    return fusedRelu;
  }

  @Override
  public void setFusedRelu(boolean fusedRelu) {
    this.fusedRelu = fusedRelu;
  }

  @Override
  public Layer instantiate(
      NeuralNetConfiguration conf,
      Collection<TrainingListener> listeners,
      int layerIndex,
      INDArray paramsView,
      boolean initializeParams,
      DataType networkDataType) {
    return CustomLayers.wire(new DirectDepthwiseConvolutionLayer(conf, networkDataType), conf, listeners, layerIndex,
        paramsView, initializeParams, initializer());
  }
}
