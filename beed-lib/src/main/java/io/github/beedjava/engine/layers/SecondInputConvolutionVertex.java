package io.github.beedjava.engine.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A {@link LinearConvolution}'s vertex in an inference-only graph that reads a second input besides
 * the convolution's own (input 0) and hands it to the layer itself. The type and memory of the
 * output are the convolution's. Subclasses say what the second input is for.
 */
public abstract class SecondInputConvolutionVertex extends InferenceConvolutionVertex {

  /** For DL4J's JSON (de)serialisation. */
  protected SecondInputConvolutionVertex() {}

  /**
   * @param convolution the layer vertex of a {@link LinearConvolution}
   * @throws IllegalArgumentException for any other vertex
   */
  protected SecondInputConvolutionVertex(LayerVertex convolution) {
    super(convolution);
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
  public SecondInputConvolutionVertex clone() {
    return (SecondInputConvolutionVertex) super.clone();
  }

  /** The runtime vertex: the second input is kept for {@link #forward}, not handed to the layer. */
  abstract static class Impl extends InferenceConvolutionVertex.Impl {

    /**
     * @param fusedFor what the vertex does for inference, for errors ("its residual sum is fused for inference")
     * @param inputNames its two inputs, for errors ("the convolution's and the shortcut")
     */
    Impl(ComputationGraph graph, String name, int idx, Layer layer, InputPreProcessor preProcessor, boolean output,
        DataType dataType, String fusedFor, String inputNames) {
      super(graph, name, idx, layer, preProcessor, output, dataType, fusedFor, "both inputs (" + inputNames + ")");
    }

    /** The output, from the convolution layer (its input set) and the second input. */
    abstract INDArray forward(LinearConvolutionLayer layer, INDArray second, LayerWorkspaceMgr workspaceMgr);

    @Override
    INDArray forward(LayerWorkspaceMgr workspaceMgr) {
      return forward((LinearConvolutionLayer) getLayer(), inputs[1], workspaceMgr);
    }

    @Override
    public void setInput(int inputNumber, INDArray input, LayerWorkspaceMgr workspaceMgr) {
      if (inputNumber == 1) {
        inputs[1] = input;
      } else {
        super.setInput(inputNumber, input, workspaceMgr);
      }
    }
  }
}
