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
 * A {@link LinearConvolution}'s vertex in an inference-only graph that reads a second input besides
 * the convolution's own (input 0) and hands it to the layer itself: the convolution keeps its layer
 * and parameters, so the graph's parameter layout is unchanged. The type and memory of the output
 * are the convolution's. Subclasses say what the second input is for; no training, no backward.
 */
public abstract class SecondInputConvolutionVertex extends LayerVertex {

  /** For DL4J's JSON (de)serialisation. */
  protected SecondInputConvolutionVertex() {}

  /**
   * @param convolution the layer vertex of a {@link LinearConvolution}
   * @throws IllegalArgumentException for any other vertex
   */
  protected SecondInputConvolutionVertex(LayerVertex convolution) {
    super(convolution.getLayerConf(), convolution.getPreProcessor());
    if (!(convolution.getLayerConf().getLayer() instanceof LinearConvolution)) {
      throw new IllegalArgumentException(getClass().getSimpleName() + ": needs a LinearConvolution, got "
          + convolution.getLayerConf().getLayer());
    }
    setOutputVertex(convolution.isOutputVertex());
  }

  /** This vertex's settings around a copy of its convolution's layer vertex ({@link #clone}). */
  protected abstract SecondInputConvolutionVertex around(LayerVertex convolution);

  /** The runtime vertex over an instantiated layer. */
  protected abstract Impl runtime(ComputationGraph graph, String name, int idx, Layer layer, boolean output, DataType dataType);

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
  public SecondInputConvolutionVertex clone() {
    InputPreProcessor pre = getPreProcessor() == null ? null : getPreProcessor().clone();
    LayerVertex copy = new LayerVertex(getLayerConf().clone(), pre);
    copy.setOutputVertex(isOutputVertex());
    return around(copy);
  }

  @Override
  public GraphVertex instantiate(ComputationGraph graph, String name, int idx, INDArray paramsView,
      boolean initializeParams, DataType networkDatatype) {
    Layer layer = getLayerConf().getLayer().instantiate(getLayerConf(), null, idx, paramsView, initializeParams, networkDatatype);
    return runtime(graph, name, idx, layer, graph.getConfiguration().getNetworkOutputs().contains(name), networkDatatype);
  }

  /** The runtime vertex: the second input is kept for {@link #forward}, not handed to the layer; inference only. */
  abstract static class Impl extends org.deeplearning4j.nn.graph.vertex.impl.LayerVertex {
    private final String fusedFor;
    private final String inputNames;

    /**
     * @param fusedFor what the vertex does for inference, for errors ("its residual sum is fused for inference")
     * @param inputNames its two inputs, for errors ("the convolution's and the shortcut")
     */
    Impl(ComputationGraph graph, String name, int idx, Layer layer, InputPreProcessor preProcessor, boolean output,
        DataType dataType, String fusedFor, String inputNames) {
      super(graph, name, idx, layer, preProcessor, output, dataType);
      this.fusedFor = fusedFor;
      this.inputNames = inputNames;
    }

    /** The output, from the convolution layer (its input set) and the second input. */
    abstract INDArray forward(LinearConvolutionLayer layer, INDArray second, LayerWorkspaceMgr workspaceMgr);

    @Override
    public void setInput(int inputNumber, INDArray input, LayerWorkspaceMgr workspaceMgr) {
      if (inputNumber == 1) {
        inputs[1] = input;
      } else {
        super.setInput(inputNumber, input, workspaceMgr);
      }
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
      if (training) {
        throw new IllegalStateException("vertex " + vertexName + ": " + fusedFor + "; never train this graph");
      }
      if (!canDoForward()) {
        throw new IllegalStateException("vertex " + vertexName + ": forward without both inputs (" + inputNames + ")");
      }
      return forward((LinearConvolutionLayer) getLayer(), inputs[1], workspaceMgr);
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
      throw new IllegalStateException("vertex " + vertexName + ": " + fusedFor + " and has no backward");
    }
  }
}
