package io.github.beedjava.engine.layers;

import java.util.Objects;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A {@link LinearConvolution} that another vertex computes, in an inference-only graph:
 * {@code consumer} ({@link PointwiseFusedConvolutionVertex}) reads this convolution's input and runs
 * its layer, found by name, together with its own. This vertex computes nothing and outputs a
 * one-element placeholder (as a folded BN does), which nothing reads. It keeps its layer and
 * parameters, so the graph's parameter layout is unchanged (the {@code PointwiseStridedFusion} rewrite).
 */
public final class DeferredConvolutionVertex extends LayerVertex {
  private String consumer;

  /** For DL4J's JSON (de)serialisation. */
  public DeferredConvolutionVertex() {}

  /**
   * @param convolution the layer vertex of a {@link LinearConvolution}
   * @param consumer the name of the vertex that computes it
   * @throws IllegalArgumentException for any other vertex
   */
  public DeferredConvolutionVertex(LayerVertex convolution, String consumer) {
    super(convolution.getLayerConf(), convolution.getPreProcessor());
    if (!(convolution.getLayerConf().getLayer() instanceof LinearConvolution)) {
      throw new IllegalArgumentException("DeferredConvolutionVertex: needs a LinearConvolution, got " + convolution.getLayerConf().getLayer());
    }
    this.consumer = consumer;
  }

  /** The name of the vertex that computes this convolution. */
  public String getConsumer() {
    return consumer;
  }

  /** @param consumer the name of the vertex that computes this convolution (for DL4J's JSON) */
  public void setConsumer(String consumer) {
    this.consumer = consumer;
  }

  @Override
  public DeferredConvolutionVertex clone() {
    InputPreProcessor pre = getPreProcessor() == null ? null : getPreProcessor().clone();
    return new DeferredConvolutionVertex(new LayerVertex(getLayerConf().clone(), pre), consumer);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DeferredConvolutionVertex other && Objects.equals(other.consumer, consumer) && super.equals(o);
  }

  @Override
  public int hashCode() {
    return 31 * super.hashCode() + Objects.hashCode(consumer);
  }

  @Override
  public GraphVertex instantiate(ComputationGraph graph, String name, int idx, INDArray paramsView,
      boolean initializeParams, DataType networkDatatype) {
    Layer layer = getLayerConf().getLayer().instantiate(getLayerConf(), null, idx, paramsView, initializeParams, networkDatatype);
    String by = consumer;
    return new org.deeplearning4j.nn.graph.vertex.impl.LayerVertex(graph, name, idx, layer, getPreProcessor(),
        graph.getConfiguration().getNetworkOutputs().contains(name), networkDatatype) {
      @Override
      public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (training) {
          throw new IllegalStateException("vertex " + vertexName + ": computed by " + by + " for inference; never train this graph");
        }
        if (!canDoForward()) {
          throw new IllegalStateException("vertex " + vertexName + ": forward without its input");
        }
        return workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, 1);
      }

      @Override
      public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        throw new IllegalStateException("vertex " + vertexName + ": computed by " + by + " for inference and has no backward");
      }
    };
  }
}
