package io.github.beedjava.engine.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A residual block's last convolution together with the block's sum, in an inference-only graph:
 * the vertex reads the convolution's input (input 0) and the block's shortcut (input 1), and writes
 * conv(x) + shortcut, or max(conv(x) + shortcut, 0) with {@link #isRelu}. It replaces the
 * convolution's layer vertex, keeping its layer and parameters (so the graph's parameter layout is
 * unchanged), and the sum vertex goes away (the {@code ResidualFusion} rewrite). Where
 * {@link io.github.beedjava.engine.simd.JavaWinograd} runs the convolution, the sum is done in its
 * output transform; elsewhere the convolution runs as before and the sum follows in one pass.
 */
public final class ResidualConvolutionVertex extends SecondInputConvolutionVertex {
  private boolean relu;

  /** For DL4J's JSON (de)serialisation. */
  public ResidualConvolutionVertex() {}

  /**
   * @param convolution the layer vertex of a {@link LinearConvolution} without a fused ReLU
   * @param relu whether the ReLU that read the sum is applied after it
   * @throws IllegalArgumentException for any other vertex
   */
  public ResidualConvolutionVertex(LayerVertex convolution, boolean relu) {
    super(convolution);
    if (((LinearConvolution) convolution.getLayerConf().getLayer()).isFusedRelu()) {
      throw new IllegalArgumentException("ResidualConvolutionVertex: needs a LinearConvolution whose ReLU is not fused, got "
          + convolution.getLayerConf().getLayer());
    }
    this.relu = relu;
  }

  /** Whether max(sum, 0) is written instead of the sum. */
  public boolean isRelu() {
    return relu;
  }

  /** @param relu whether the ReLU after the sum is applied (for DL4J's JSON) */
  public void setRelu(boolean relu) {
    this.relu = relu;
  }

  @Override
  protected ResidualConvolutionVertex around(LayerVertex convolution) {
    return new ResidualConvolutionVertex(convolution, relu);
  }

  @Override
  public ResidualConvolutionVertex clone() {
    return (ResidualConvolutionVertex) super.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ResidualConvolutionVertex other && other.relu == relu && super.equals(o);
  }

  @Override
  public int hashCode() {
    return 31 * super.hashCode() + Boolean.hashCode(relu);
  }

  @Override
  protected Impl runtime(ComputationGraph graph, String name, int idx, Layer layer, boolean output, DataType dataType) {
    boolean reluAfterSum = relu;
    return new Impl(graph, name, idx, layer, getPreProcessor(), output, dataType,
        "its residual sum is fused for inference", "the convolution's and the shortcut") {
      @Override
      INDArray forward(LinearConvolutionLayer conv, INDArray shortcut, LayerWorkspaceMgr workspaceMgr) {
        return conv.activateWithResidual(shortcut, reluAfterSum, workspaceMgr);
      }
    };
  }
}
