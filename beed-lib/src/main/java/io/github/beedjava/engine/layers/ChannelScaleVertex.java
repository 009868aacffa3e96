package io.github.beedjava.engine.layers;

import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Configuration of x[N,C,H,W] times s[N,C,1,1] (broadcast): the excitation step of
 * squeeze-and-excitation, which DL4J's built-in vertices (same-shape element-wise only) cannot
 * express. The backward pass is written out ({@link ChannelScaleVertexImpl}); a SameDiff lambda
 * vertex doing the same multiply gave wrong gradients for s, which the finite-difference test
 * caught.
 */
public final class ChannelScaleVertex extends GraphVertex {

  @Override
  public ChannelScaleVertex clone() {
    return new ChannelScaleVertex();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChannelScaleVertex;
  }

  @Override
  public int hashCode() {
    return ChannelScaleVertex.class.hashCode();
  }

  @Override
  public long numParams(boolean backprop) {
    return 0;
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
  public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(
      ComputationGraph graph, String name, int idx, INDArray paramsView, boolean initializeParams, DataType networkDatatype) {
    return new ChannelScaleVertexImpl(graph, name, idx, networkDatatype);
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
    return vertexInputs[0];
  }

  @Override
  public MemoryReport getMemoryReport(InputType... inputTypes) {
    return new LayerMemoryReport.Builder(null, ChannelScaleVertex.class, inputTypes[0], inputTypes[0])
        .standardMemory(0, 0).workingMemory(0, 0, 0, 0).cacheMemory(0, 0).build();
  }
}
