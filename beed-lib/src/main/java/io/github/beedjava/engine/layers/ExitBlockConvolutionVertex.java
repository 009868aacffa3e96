package io.github.beedjava.engine.layers;

import io.github.beedjava.engine.simd.JavaExitBlock;
import java.util.Objects;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The closing 1x1 convolution of a bottleneck exit block that, in an inference-only graph, also
 * computes the block's two convolutions before it ({@link LinearConvolutionLayer#activateAsExitBlock},
 * {@link JavaExitBlock}): its input is the block's input, and it looks the other two layers up by
 * name (their vertices, {@link DeferredConvolutionVertex}es, compute nothing). It keeps its own
 * layer and parameters, so the graph's parameter layout is unchanged (the {@code ExitBlockFusion}
 * rewrite).
 */
public final class ExitBlockConvolutionVertex extends InferenceConvolutionVertex {
  private String pointwise;
  private String strided;

  /** For DL4J's JSON (de)serialisation. */
  public ExitBlockConvolutionVertex() {}

  /**
   * @param convolution the layer vertex of the block's closing {@link LinearConvolution}
   * @param pointwise the name of the block's first (1x1) convolution's deferred vertex, whose input this one reads
   * @param strided the name of the block's stride-2 convolution's deferred vertex
   * @throws IllegalArgumentException for any other vertex
   */
  public ExitBlockConvolutionVertex(LayerVertex convolution, String pointwise, String strided) {
    super(convolution);
    this.pointwise = pointwise;
    this.strided = strided;
  }

  /** The name of the block's first (1x1) convolution's vertex. */
  public String getPointwise() {
    return pointwise;
  }

  /** @param pointwise the name of the block's first convolution's vertex (for DL4J's JSON) */
  public void setPointwise(String pointwise) {
    this.pointwise = pointwise;
  }

  /** The name of the block's stride-2 convolution's vertex. */
  public String getStrided() {
    return strided;
  }

  /** @param strided the name of the block's stride-2 convolution's vertex (for DL4J's JSON) */
  public void setStrided(String strided) {
    this.strided = strided;
  }

  @Override
  protected ExitBlockConvolutionVertex around(LayerVertex convolution) {
    return new ExitBlockConvolutionVertex(convolution, pointwise, strided);
  }

  @Override
  public ExitBlockConvolutionVertex clone() {
    return (ExitBlockConvolutionVertex) super.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ExitBlockConvolutionVertex other && Objects.equals(other.pointwise, pointwise)
        && Objects.equals(other.strided, strided) && super.equals(o);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * super.hashCode() + Objects.hashCode(pointwise)) + Objects.hashCode(strided);
  }

  @Override
  protected Impl runtime(ComputationGraph graph, String name, int idx, Layer layer, boolean output, DataType dataType) {
    String first = pointwise;
    String second = strided;
    return new Impl(graph, name, idx, layer, getPreProcessor(), output, dataType,
        "fused with " + first + " and " + second + " for inference", "its input (" + first + "'s input)") {
      @Override
      INDArray forward(LayerWorkspaceMgr workspaceMgr) {
        return ((LinearConvolutionLayer) getLayer()).activateAsExitBlock(inputs[0], convolution(first), convolution(second), workspaceMgr);
      }
    };
  }
}
