package io.github.beedjava.engine.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A {@link LinearConvolution}'s vertex that an inference-only graph's rewrites put in place of its
 * layer vertex, to compute it otherwise: it keeps the layer and its parameters, so the graph's
 * parameter layout is unchanged. Subclasses say what the vertex does; no training, no backward.
 */
public abstract class InferenceConvolutionVertex extends LayerVertex {

  /** For DL4J's JSON (de)serialisation. */
  protected InferenceConvolutionVertex() {}

  /**
   * @param convolution the layer vertex of a {@link LinearConvolution}
   * @throws IllegalArgumentException for any other vertex
   */
  protected InferenceConvolutionVertex(LayerVertex convolution) {
    super(convolution.getLayerConf(), convolution.getPreProcessor());
    if (!(convolution.getLayerConf().getLayer() instanceof LinearConvolution)) {
      throw new IllegalArgumentException(getClass().getSimpleName() + ": needs a LinearConvolution, got "
          + convolution.getLayerConf().getLayer());
    }
    setOutputVertex(convolution.isOutputVertex());
  }

  /** This vertex's settings around a copy of its convolution's layer vertex ({@link #clone}). */
  protected abstract InferenceConvolutionVertex around(LayerVertex convolution);

  /** The runtime vertex over an instantiated layer. */
  protected abstract Impl runtime(ComputationGraph graph, String name, int idx, Layer layer, boolean output, DataType dataType);

  @Override
  public InferenceConvolutionVertex clone() {
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

  /** The runtime vertex: inference only. */
  abstract static class Impl extends org.deeplearning4j.nn.graph.vertex.impl.LayerVertex {
    private final String purpose;
    private final String inputNames;

    /**
     * @param purpose what the vertex does for inference, for errors ("its residual sum is fused for inference")
     * @param inputNames its inputs, for errors ("both inputs (the convolution's and the shortcut)")
     */
    Impl(ComputationGraph graph, String name, int idx, Layer layer, InputPreProcessor preProcessor, boolean output,
        DataType dataType, String purpose, String inputNames) {
      super(graph, name, idx, layer, preProcessor, output, dataType);
      this.purpose = purpose;
      this.inputNames = inputNames;
    }

    /** The output, from the inputs set. */
    abstract INDArray forward(LayerWorkspaceMgr workspaceMgr);

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
      if (training) {
        throw new IllegalStateException("vertex " + vertexName + ": " + purpose + "; never train this graph");
      }
      if (!canDoForward()) {
        throw new IllegalStateException("vertex " + vertexName + ": forward without " + inputNames);
      }
      return forward(workspaceMgr);
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
      throw new IllegalStateException("vertex " + vertexName + ": " + purpose + " and has no backward");
    }

    /**
     * The convolution layer of another vertex of this graph that this one computes or reads.
     *
     * @throws IllegalStateException when {@code vertex} is not a {@link LinearConvolution} of the graph
     */
    LinearConvolutionLayer convolution(String vertex) {
      if (!(graph.getLayer(vertex) instanceof LinearConvolutionLayer layer)) {
        throw new IllegalStateException("vertex " + vertexName + ": " + vertex + " is not a convolution layer of this graph");
      }
      return layer;
    }
  }
}
