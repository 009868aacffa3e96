package io.github.beedjava.engine.layers;

import io.github.beedjava.engine.simd.JavaStemComposition;
import java.util.Objects;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The convolution that reads a linear stem, in an inference-only graph, computed from the network
 * input ({@link LinearConvolutionLayer#activateComposedWithStem}, {@link JavaStemComposition}): the
 * vertex reads the stem's output (input 0, its layer's usual input, for the passes the composed
 * kernel does not take) and the network input (input 1), and looks up the stem's layer, whose
 * weights the composed kernels are made from, by name. It replaces the convolution's layer vertex,
 * keeping its layer and parameters, so the graph's parameter layout is unchanged (the
 * {@code StemComposition} rewrite). Where the first block's shortcut computes the stem itself
 * ({@link StemShortcutConvolutionVertex}), the stem's vertex computes nothing, and passes the
 * composed kernel does not take run the stem's layer here first.
 */
public final class StemComposedConvolutionVertex extends SecondInputConvolutionVertex {
  private String stem;

  /** For DL4J's JSON (de)serialisation. */
  public StemComposedConvolutionVertex() {}

  /**
   * @param convolution the layer vertex of a {@link LinearConvolution}
   * @param stem the name of the stem's convolution vertex, whose output the convolution reads
   * @throws IllegalArgumentException for any other vertex
   */
  public StemComposedConvolutionVertex(LayerVertex convolution, String stem) {
    super(convolution);
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
  protected StemComposedConvolutionVertex around(LayerVertex convolution) {
    return new StemComposedConvolutionVertex(convolution, stem);
  }

  @Override
  public StemComposedConvolutionVertex clone() {
    return (StemComposedConvolutionVertex) super.clone();
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
  protected Impl runtime(ComputationGraph graph, String name, int idx, Layer layer, boolean output, DataType dataType) {
    String stemName = stem;
    // with a StemShortcutConvolutionVertex in the graph the stem's vertex computes nothing, and its output is a placeholder
    boolean stemDeferred = graph.getConfiguration().getVertices().get(stemName) instanceof DeferredConvolutionVertex;
    return new Impl(graph, name, idx, layer, getPreProcessor(), output, dataType,
        "composed with the stem for inference", "the stem's output and the network input") {
      @Override
      INDArray forward(LinearConvolutionLayer conv, INDArray networkInput, LayerWorkspaceMgr workspaceMgr) {
        return conv.activateComposedWithStem(networkInput, convolution(stemName), stemDeferred, workspaceMgr);
      }
    };
  }
}
