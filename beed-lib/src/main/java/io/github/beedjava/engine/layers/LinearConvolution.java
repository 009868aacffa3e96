package io.github.beedjava.engine.layers;


import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Configuration of a convolution without activation (every convolution here: BN or a sum follows)
 * whose runtime layer, {@link LinearConvolutionLayer}, skips the forward pass that DL4J's
 * ConvolutionLayer repeats inside every backward pass. Same parameters, same results.
 */
public class LinearConvolution extends ConvolutionLayer implements FoldsBatchNorm {
  private boolean inputGradient = true;
  private String foldedBatchNorm;
  private boolean fusedRelu;

  /** For DL4J's JSON (de)serialisation. */
  public LinearConvolution() {}

  /**
   * @param builder a configured convolution builder; its activation must be identity
   * @throws IllegalArgumentException when the activation is not identity
   */
  public LinearConvolution(ConvolutionLayer.Builder builder) {
    super(builder);
    if (getActivationFn() != null && !(getActivationFn() instanceof ActivationIdentity)) {
      throw new IllegalArgumentException("LinearConvolution: activation must be identity, got " + getActivationFn());
    }
  }

  /** Whether backward must produce dLoss/dInput (false when the input is the network's data). */
  public boolean isInputGradient() {
    return inputGradient;
  }

  /** @param inputGradient false only when nothing upstream needs the gradient of this layer's input */
  public void setInputGradient(boolean inputGradient) {
    this.inputGradient = inputGradient;
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

  /**
   * Whether this is a 3x3, stride-1, padding-1 convolution without bias, dilation or "same" mode:
   * the geometry the Java inference kernels take (output map the input's size).
   */
  public boolean plainThreeByThree() {
    return plain(3, 1, 1);
  }

  /** Whether this is a square {@code kernel}-sized convolution of this stride and padding, without bias, dilation or "same" mode. */
  public boolean plain(int kernel, int stride, int pad) {
    int[] k = getKernelSize();
    int[] s = getStride();
    int[] p = getPadding();
    int[] d = getDilation();
    return !hasBias() && getConvolutionMode() != ConvolutionMode.Same && k[0] == kernel && k[1] == kernel
        && s[0] == stride && s[1] == stride && p[0] == pad && p[1] == pad && d[0] == 1 && d[1] == 1;
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
        new LinearConvolutionLayer(conf, networkDataType), conf, listeners, layerIndex, paramsView, initializeParams, initializer());
  }
}
