package io.github.beedjava.engine.layers;

import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Test helper: one training forward and backward of a single-layer network's layer, results copied. */
final class LayerPasses {
  private LayerPasses() {}

  /** The layer's parameter gradients and input gradient (null when it computes none) for output error {@code eps}. */
  static Pair<Gradient, INDArray> backward(MultiLayerNetwork net, INDArray x, INDArray eps) {
    var layer = net.getLayer(0);
    LayerWorkspaceMgr ws = LayerWorkspaceMgr.noWorkspaces();
    layer.setInput(x, ws);
    layer.activate(true, ws);
    Pair<Gradient, INDArray> p = layer.backpropGradient(eps.dup(), ws);
    Gradient g = new DefaultGradient();
    p.getFirst().gradientForVariable().forEach((k, v) -> g.setGradientFor(k, v.dup()));
    return new Pair<>(g, p.getSecond() == null ? null : p.getSecond().dup());
  }
}
