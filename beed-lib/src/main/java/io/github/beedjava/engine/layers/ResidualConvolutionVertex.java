package io.github.beedjava.engine.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
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
public final class ResidualConvolutionVertex extends LayerVertex {
  private boolean relu;

  /** For DL4J's JSON (de)serialisation. */
  public ResidualConvolutionVertex() {}

  /**
   * @param convolution the layer vertex of a {@link LinearConvolution} without a fused ReLU
   * @param relu whether the ReLU that read the sum is applied after it
   * @throws IllegalArgumentException for any other vertex
   */
  public ResidualConvolutionVertex(LayerVertex convolution, boolean relu) {
    super(convolution.getLayerConf(), convolution.getPreProcessor());
    if (!(convolution.getLayerConf().getLayer() instanceof LinearConvolution conv) || conv.isFusedRelu()) {
      throw new IllegalArgumentException("ResidualConvolutionVertex: needs a LinearConvolution whose ReLU is not fused, got "
          + convolution.getLayerConf().getLayer());
    }
    setOutputVertex(convolution.isOutputVertex());
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
  public int minVertexInputs() {
    return 2;
  }

  @Override
  public int maxVertexInputs() {
    return 2;
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
    return super.getOutputType(layerIndex, vertexInputs[0]);
  }

  @Override
  public MemoryReport getMemoryReport(InputType... inputTypes) {
    return super.getMemoryReport(inputTypes[0]);
  }

  @Override
  public ResidualConvolutionVertex clone() {
    InputPreProcessor pre = getPreProcessor() == null ? null : getPreProcessor().clone();
    LayerVertex copy = new LayerVertex(getLayerConf().clone(), pre);
    copy.setOutputVertex(isOutputVertex());
    return new ResidualConvolutionVertex(copy, relu);
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
  public GraphVertex instantiate(ComputationGraph graph, String name, int idx, INDArray paramsView,
      boolean initializeParams, DataType networkDatatype) {
    Layer layer = getLayerConf().getLayer().instantiate(getLayerConf(), null, idx, paramsView, initializeParams, networkDatatype);
    boolean output = graph.getConfiguration().getNetworkOutputs().contains(name);
    return new Impl(graph, name, idx, layer, getPreProcessor(), output, networkDatatype, relu);
  }

  /** The runtime vertex: its layer's {@link LinearConvolutionLayer#activateWithResidual}; no backward. */
  static final class Impl extends org.deeplearning4j.nn.graph.vertex.impl.LayerVertex {
    private final boolean relu;

    Impl(ComputationGraph graph, String name, int idx, Layer layer, InputPreProcessor preProcessor, boolean output,
        DataType dataType, boolean relu) {
      super(graph, name, idx, layer, preProcessor, output, dataType);
      this.relu = relu;
    }

    @Override
    public void setInput(int inputNumber, INDArray input, LayerWorkspaceMgr workspaceMgr) {
      if (inputNumber == 1) {  // the shortcut: read by this vertex, not handed to the layer
        inputs[1] = input;
      } else {
        super.setInput(inputNumber, input, workspaceMgr);
      }
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
      if (training) {
        throw new IllegalStateException("vertex " + vertexName + ": its residual sum is fused for inference; never train this graph");
      }
      if (!canDoForward()) {
        throw new IllegalStateException("vertex " + vertexName + ": forward without both inputs (the convolution's and the shortcut)");
      }
      return ((LinearConvolutionLayer) getLayer()).activateWithResidual(inputs[1], relu, workspaceMgr);
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
      throw new IllegalStateException("vertex " + vertexName + ": its residual sum is fused for inference and has no backward");
    }
  }
}
