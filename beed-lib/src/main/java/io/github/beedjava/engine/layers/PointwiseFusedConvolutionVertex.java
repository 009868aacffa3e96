package io.github.beedjava.engine.layers;

import io.github.beedjava.engine.simd.JavaPointwiseStrided;
import java.util.Objects;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A {@link LinearConvolution} that, in an inference-only graph, also computes the 1x1 convolution
 * before it ({@link LinearConvolutionLayer#activateFusedWithPointwise}, {@link JavaPointwiseStrided}):
 * its input is that convolution's input, and it looks that convolution's layer up by name (its
 * vertex, a {@link DeferredConvolutionVertex}, computes nothing). It keeps its own layer and
 * parameters, so the graph's parameter layout is unchanged (the {@code PointwiseStridedFusion} rewrite).
 */
public final class PointwiseFusedConvolutionVertex extends InferenceConvolutionVertex {
  private String pointwise;

  /** For DL4J's JSON (de)serialisation. */
  public PointwiseFusedConvolutionVertex() {}

  /**
   * @param convolution the layer vertex of a {@link LinearConvolution}
   * @param pointwise the name of the 1x1 convolution's (deferred) vertex, whose input this one reads
   * @throws IllegalArgumentException for any other vertex
   */
  public PointwiseFusedConvolutionVertex(LayerVertex convolution, String pointwise) {
    super(convolution);
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
  protected PointwiseFusedConvolutionVertex around(LayerVertex convolution) {
    return new PointwiseFusedConvolutionVertex(convolution, pointwise);
  }

  @Override
  public PointwiseFusedConvolutionVertex clone() {
    return (PointwiseFusedConvolutionVertex) super.clone();
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
  protected Impl runtime(ComputationGraph graph, String name, int idx, Layer layer, boolean output, DataType dataType) {
    String first = pointwise;
    return new Impl(graph, name, idx, layer, getPreProcessor(), output, dataType, "fused with " + first + " for inference",
        "its input (" + first + "'s input)") {
      @Override
      INDArray forward(LayerWorkspaceMgr workspaceMgr) {
        if (!(graph.getLayer(first) instanceof LinearConvolutionLayer firstLayer)) {
          throw new IllegalStateException("vertex " + vertexName + ": " + first + " is not a convolution layer of this graph");
        }
        return ((LinearConvolutionLayer) getLayer()).activateFusedWithPointwise(inputs[0], firstLayer, workspaceMgr);
      }
    };
  }
}
