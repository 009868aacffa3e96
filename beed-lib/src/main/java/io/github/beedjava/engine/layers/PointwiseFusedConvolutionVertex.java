package io.github.beedjava.engine.layers;

import io.github.beedjava.engine.simd.JavaPointwiseStrided;
import java.util.Objects;
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
 * A {@link LinearConvolution} that, in an inference-only graph, also computes the 1x1 convolution
 * before it ({@link LinearConvolutionLayer#activateFusedWithPointwise}, {@link JavaPointwiseStrided}):
 * its input is that convolution's input, and it looks that convolution's layer up by name (its
 * vertex, a {@link DeferredConvolutionVertex}, computes nothing). It keeps its own layer and
 * parameters, so the graph's parameter layout is unchanged (the {@code PointwiseStridedFusion} rewrite).
 */
public final class PointwiseFusedConvolutionVertex extends LayerVertex {
  private String pointwise;

  /** For DL4J's JSON (de)serialisation. */
  public PointwiseFusedConvolutionVertex() {}

  /**
   * @param convolution the layer vertex of a {@link LinearConvolution}
   * @param pointwise the name of the 1x1 convolution's (deferred) vertex, whose input this one reads
   * @throws IllegalArgumentException for any other vertex
   */
  public PointwiseFusedConvolutionVertex(LayerVertex convolution, String pointwise) {
    super(convolution.getLayerConf(), convolution.getPreProcessor());
    if (!(convolution.getLayerConf().getLayer() instanceof LinearConvolution)) {
      throw new IllegalArgumentException("PointwiseFusedConvolutionVertex: needs a LinearConvolution, got "
          + convolution.getLayerConf().getLayer());
    }
    setOutputVertex(convolution.isOutputVertex());
    this.pointwise = pointwise;
  }

  /** The name of the 1x1 convolution's vertex. */
  public String getPointwise() {
    return pointwise;
  }

  /** @param pointwise the name of the 1x1 convolution's vertex (for DL4J's JSON) */
  public void setPointwise(String pointwise) {
    this.pointwise = pointwise;
  }

  @Override
  public PointwiseFusedConvolutionVertex clone() {
    InputPreProcessor pre = getPreProcessor() == null ? null : getPreProcessor().clone();
    LayerVertex copy = new LayerVertex(getLayerConf().clone(), pre);
    copy.setOutputVertex(isOutputVertex());
    return new PointwiseFusedConvolutionVertex(copy, pointwise);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PointwiseFusedConvolutionVertex other && Objects.equals(other.pointwise, pointwise) && super.equals(o);
  }

  @Override
  public int hashCode() {
    return 31 * super.hashCode() + Objects.hashCode(pointwise);
  }

  @Override
  public GraphVertex instantiate(ComputationGraph graph, String name, int idx, INDArray paramsView,
      boolean initializeParams, DataType networkDatatype) {
    Layer layer = getLayerConf().getLayer().instantiate(getLayerConf(), null, idx, paramsView, initializeParams, networkDatatype);
    String first = pointwise;
    return new org.deeplearning4j.nn.graph.vertex.impl.LayerVertex(graph, name, idx, layer, getPreProcessor(),
        graph.getConfiguration().getNetworkOutputs().contains(name), networkDatatype) {
      @Override
      public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (training) {
          throw new IllegalStateException("vertex " + vertexName + ": fused with " + first + " for inference; never train this graph");
        }
        if (!canDoForward()) {
          throw new IllegalStateException("vertex " + vertexName + ": forward without its input (" + first + "'s input)");
        }
        if (!(graph.getLayer(first) instanceof LinearConvolutionLayer firstLayer)) {
          throw new IllegalStateException("vertex " + vertexName + ": " + first + " is not a convolution layer of this graph");
        }
        return ((LinearConvolutionLayer) getLayer()).activateFusedWithPointwise(inputs[0], firstLayer, workspaceMgr);
      }

      @Override
      public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        throw new IllegalStateException("vertex " + vertexName + ": fused with " + first + " for inference and has no backward");
      }
    };
  }
}
