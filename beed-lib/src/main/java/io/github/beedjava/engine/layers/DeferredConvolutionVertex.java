package io.github.beedjava.engine.layers;

import java.util.Objects;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A {@link LinearConvolution} that other vertices compute, in an inference-only graph. In an exit
 * block, {@code consumer} ({@link ExitBlockConvolutionVertex}) reads the block's input and runs
 * this layer, found by name, together with its own (the {@code ExitBlockFusion} rewrite); a linear
 * stem is computed by the first block's sum, {@code consumer} ({@link StemShortcutConvolutionVertex}),
 * and by the convolution composed with it ({@link StemComposedConvolutionVertex}; the
 * {@code StemShortcutFusion} rewrite). This vertex computes nothing and outputs a one-element
 * placeholder (as a folded BN does), which only vertices that ignore it read. It keeps its layer and
 * parameters, so the graph's parameter layout is unchanged.
 */
public final class DeferredConvolutionVertex extends InferenceConvolutionVertex {
  private String consumer;

  /** For DL4J's JSON (de)serialisation. */
  public DeferredConvolutionVertex() {}

  /**
   * @param convolution the layer vertex of a {@link LinearConvolution}
   * @param consumer the name of the vertex that computes it
   * @throws IllegalArgumentException for any other vertex
   */
  public DeferredConvolutionVertex(LayerVertex convolution, String consumer) {
    super(convolution);
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
  protected DeferredConvolutionVertex around(LayerVertex convolution) {
    return new DeferredConvolutionVertex(convolution, consumer);
  }

  @Override
  public DeferredConvolutionVertex clone() {
    return (DeferredConvolutionVertex) super.clone();
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
  protected Impl runtime(ComputationGraph graph, String name, int idx, Layer layer, boolean output, DataType dataType) {
    return new Impl(graph, name, idx, layer, getPreProcessor(), output, dataType, "computed by " + consumer + " for inference",
        "its input") {
      @Override
      INDArray forward(LayerWorkspaceMgr workspaceMgr) {
        return workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, 1);
      }
    };
  }
}
