package io.github.beedjava.engine.layers;

import io.github.beedjava.engine.simd.JavaStemComposition;
import java.util.Objects;
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
 * The convolution that reads a linear stem, in an inference-only graph, computed from the network
 * input ({@link LinearConvolutionLayer#activateComposedWithStem}, {@link JavaStemComposition}): the
 * vertex reads the stem's output (input 0, its layer's usual input, for the passes the composed
 * kernel does not take) and the network input (input 1), and looks up the stem's layer, whose
 * weights the composed kernels are made from, by name. It replaces the convolution's layer vertex,
 * keeping its layer and parameters, so the graph's parameter layout is unchanged (the
 * {@code StemComposition} rewrite). The stem still runs: the first block's shortcut reads it.
 */
public final class StemComposedConvolutionVertex extends LayerVertex {
  private String stem;

  /** For DL4J's JSON (de)serialisation. */
  public StemComposedConvolutionVertex() {}

  /**
   * @param convolution the layer vertex of a {@link LinearConvolution}
   * @param stem the name of the stem's convolution vertex, whose output the convolution reads
   * @throws IllegalArgumentException for any other vertex
   */
  public StemComposedConvolutionVertex(LayerVertex convolution, String stem) {
    super(convolution.getLayerConf(), convolution.getPreProcessor());
    if (!(convolution.getLayerConf().getLayer() instanceof LinearConvolution)) {
      throw new IllegalArgumentException("StemComposedConvolutionVertex: needs a LinearConvolution, got " + convolution.getLayerConf().getLayer());
    }
    setOutputVertex(convolution.isOutputVertex());
    this.stem = stem;
  }

  /** The name of the stem's convolution vertex. */
  public String getStem() {
    return stem;
  }

  /** @param stem the name of the stem's convolution vertex (for DL4J's JSON) */
  public void setStem(String stem) {
    this.stem = stem;
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
  public StemComposedConvolutionVertex clone() {
    InputPreProcessor pre = getPreProcessor() == null ? null : getPreProcessor().clone();
    LayerVertex copy = new LayerVertex(getLayerConf().clone(), pre);
    copy.setOutputVertex(isOutputVertex());
    return new StemComposedConvolutionVertex(copy, stem);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StemComposedConvolutionVertex other && Objects.equals(other.stem, stem) && super.equals(o);
  }

  @Override
  public int hashCode() {
    return 31 * super.hashCode() + Objects.hashCode(stem);
  }

  @Override
  public GraphVertex instantiate(ComputationGraph graph, String name, int idx, INDArray paramsView,
      boolean initializeParams, DataType networkDatatype) {
    Layer layer = getLayerConf().getLayer().instantiate(getLayerConf(), null, idx, paramsView, initializeParams, networkDatatype);
    boolean output = graph.getConfiguration().getNetworkOutputs().contains(name);
    return new Impl(graph, name, idx, layer, getPreProcessor(), output, networkDatatype, stem);
  }

  /** The runtime vertex: its layer's {@link LinearConvolutionLayer#activateComposedWithStem}; no backward. */
  static final class Impl extends org.deeplearning4j.nn.graph.vertex.impl.LayerVertex {
    private final String stem;

    Impl(ComputationGraph graph, String name, int idx, Layer layer, InputPreProcessor preProcessor, boolean output,
        DataType dataType, String stem) {
      super(graph, name, idx, layer, preProcessor, output, dataType);
      this.stem = stem;
    }

    @Override
    public void setInput(int inputNumber, INDArray input, LayerWorkspaceMgr workspaceMgr) {
      if (inputNumber == 1) {  // the network input: read by this vertex, not handed to the layer
        inputs[1] = input;
      } else {
        super.setInput(inputNumber, input, workspaceMgr);
      }
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
      if (training) {
        throw new IllegalStateException("vertex " + vertexName + ": composed with the stem for inference; never train this graph");
      }
      if (!canDoForward()) {
        throw new IllegalStateException("vertex " + vertexName + ": forward without both inputs (the stem's output and the network input)");
      }
      if (!(graph.getLayer(stem) instanceof LinearConvolutionLayer stemLayer)) {
        throw new IllegalStateException("vertex " + vertexName + ": its stem " + stem + " is not a convolution layer of this graph");
      }
      return ((LinearConvolutionLayer) getLayer()).activateComposedWithStem(inputs[1], stemLayer, workspaceMgr);
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
      throw new IllegalStateException("vertex " + vertexName + ": composed with the stem for inference; it has no backward");
    }
  }
}
