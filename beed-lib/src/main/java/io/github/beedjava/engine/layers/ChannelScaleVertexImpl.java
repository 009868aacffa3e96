package io.github.beedjava.engine.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.BaseGraphVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

/** y = x * s with s broadcast over H and W (either layout); dx = dy * s, ds = sum over H, W of dy * x. */
final class ChannelScaleVertexImpl extends BaseGraphVertex {

  ChannelScaleVertexImpl(ComputationGraph graph, String name, int index, DataType dataType) {
    super(graph, name, index, null, null, dataType);
  }

  @Override
  public boolean hasLayer() {
    return false;
  }

  @Override
  public Layer getLayer() {
    return null;
  }

  @Override
  public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
    try (MemoryWorkspace ws = workspaceMgr.notifyScopeBorrowed(ArrayType.ACTIVATIONS)) {
      return inputs[0].mul(inputs[1]);
    }
  }

  @Override
  public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
    try (MemoryWorkspace ws = workspaceMgr.notifyScopeBorrowed(ArrayType.ACTIVATION_GRAD)) {
      INDArray dx = epsilon.mul(inputs[1]);
      INDArray ds = epsilon.mul(inputs[0]).sum(true, scaledDimensions());
      return new Pair<>(null, new INDArray[] {dx, ds});
    }
  }

  /** The dimensions s is broadcast over: H and W in NCHW, 1 and 2 in NHWC (inference copies). */
  private int[] scaledDimensions() {
    return java.util.stream.IntStream.range(1, inputs[0].rank())
        .filter(d -> inputs[1].size(d) == 1 && inputs[0].size(d) != 1).toArray();
  }

  @Override
  public void setBackpropGradientsViewArray(INDArray view) {
    if (view != null) {
      throw new IllegalStateException("ChannelScaleVertex has no parameters");
    }
  }

  @Override
  public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState, int minibatchSize) {
    return maskArrays == null || maskArrays.length == 0 ? null : new Pair<>(maskArrays[0], currentMaskState);
  }

  @Override
  public String toString() {
    return "ChannelScaleVertex(" + getVertexName() + ")";
  }
}
