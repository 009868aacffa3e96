package io.github.beedjava.engine.layers;

import io.github.beedjava.engine.simd.JavaWinograd;
import java.util.Objects;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The first residual block's last convolution together with the block's sum, in an inference-only
 * graph, where the block's shortcut is the network's linear stem: the vertex reads the convolution's
 * input (input 0) and the network input (input 1), and writes conv(x) + stem(image), or its ReLU
 * with {@link #isRelu} ({@link LinearConvolutionLayer#activateWithStemShortcut}). It looks up the
 * stem's layer by name; the stem's own vertex becomes a {@link DeferredConvolutionVertex} and
 * computes nothing. Where {@link JavaWinograd} runs the convolution, its output transform computes
 * the stem from the image; elsewhere the stem's layer runs here and its output is added. It replaces
 * a {@link ResidualConvolutionVertex}, keeping the convolution's layer and parameters, so the graph's
 * parameter layout is unchanged (the {@code StemShortcutFusion} rewrite).
 */
public final class StemShortcutConvolutionVertex extends SecondInputConvolutionVertex {
  private String stem;
  private boolean relu;

  /** For DL4J's JSON (de)serialisation. */
  public StemShortcutConvolutionVertex() {}

  /**
   * @param convolution the layer vertex of a {@link LinearConvolution} without a fused ReLU
   * @param stem the name of the stem's convolution vertex
   * @param relu whether the ReLU that read the sum is applied after it
   * @throws IllegalArgumentException for any other vertex
   */
  public StemShortcutConvolutionVertex(LayerVertex convolution, String stem, boolean relu) {
    super(convolution);
    if (((LinearConvolution) convolution.getLayerConf().getLayer()).isFusedRelu()) {
      throw new IllegalArgumentException("StemShortcutConvolutionVertex: needs a LinearConvolution whose ReLU is not fused, got "
          + convolution.getLayerConf().getLayer());
    }
    this.stem = stem;
    this.relu = relu;
  }

  /** The name of the stem's convolution vertex. */
  public String getStem() {
    return stem;
  }

  /** @param stem the name of the stem's convolution vertex (for DL4J's JSON) */
  public void setStem(String stem) {
    this.stem = stem;
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
  protected StemShortcutConvolutionVertex around(LayerVertex convolution) {
    return new StemShortcutConvolutionVertex(convolution, stem, relu);
  }

  @Override
  public StemShortcutConvolutionVertex clone() {
    return (StemShortcutConvolutionVertex) super.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StemShortcutConvolutionVertex other && Objects.equals(other.stem, stem) && other.relu == relu
        && super.equals(o);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * super.hashCode() + Objects.hashCode(stem)) + Boolean.hashCode(relu);
  }

  @Override
  protected Impl runtime(ComputationGraph graph, String name, int idx, Layer layer, boolean output, DataType dataType) {
    String stemName = stem;
    boolean reluAfterSum = relu;
    return new Impl(graph, name, idx, layer, getPreProcessor(), output, dataType,
        "its shortcut, the stem, is computed with it for inference", "the convolution's and the network input") {
      @Override
      INDArray forward(LinearConvolutionLayer conv, INDArray networkInput, LayerWorkspaceMgr workspaceMgr) {
        return conv.activateWithStemShortcut(networkInput, convolution(stemName), reluAfterSum, workspaceMgr);
      }
    };
  }
}
