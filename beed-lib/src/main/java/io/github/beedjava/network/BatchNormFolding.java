package io.github.beedjava.network;

import io.github.beedjava.engine.layers.BatchNormFold;
import io.github.beedjava.engine.layers.FoldedBatchNormalization;
import io.github.beedjava.engine.layers.FoldsBatchNorm;
import io.github.beedjava.engine.layers.RectifiedBatchNormalization;
import io.github.beedjava.engine.layers.SinglePassRelu;
import io.github.beedjava.engine.layers.SumVertex;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Folds, in an inference-only graph configuration, every eval-mode batch norm into the convolution
 * (dense or depthwise: {@link FoldsBatchNorm}) that feeds it, and the ReLU after it into the same
 * convolution (a oneDNN post-op); and the ReLU that alone reads a residual sum into the sum ({@link SumVertex#setRelu}: one pass instead of two
 * over the block's output).
 *
 * <p>In eval mode a BN is a per-channel affine map, so conv then BN equals one convolution with
 * scaled weights and a bias ({@link BatchNormFold}); the ReLU then costs nothing more. That spares
 * two passes over every such activation: BN and ReLU were 29 % of an inference pass at width 1/4
 * (bench/HISTORY.md, "Fourth pass"). A pair is folded when the BN reads only that convolution, the
 * convolution feeds only that BN and is no network output, and the convolution has no bias; the
 * ReLU joins when it is the BN's only consumer and neither is a network output.
 *
 * <p>The graph is rewired: whatever read the BN (or its ReLU) reads the convolution, and the ReLU
 * vertex is removed. The BN vertex stays, with no consumer, only to hold its parameters
 * ({@link FoldedBatchNormalization}); the topological order is fixed to the original one without
 * the removed ReLUs. Both keep the parameter layout of the original, so the configuration can share
 * the training graph's parameter buffer ({@link MultiExitNetwork} checks that it does).
 */
public final class BatchNormFolding {
  private BatchNormFolding() {}

  /**
   * Folds the foldable pairs of {@code inference}, changing it in place, and returns it. Never
   * train the result: its folded layers refuse training passes.
   */
  static ComputationGraphConfiguration apply(ComputationGraphConfiguration inference) {
    List<String> order = new ArrayList<>(topologicalOrder(inference));
    Map<String, List<String>> consumers = consumers(inference);
    List<String> outputs = inference.getNetworkOutputs();
    Map<String, GraphVertex> vertices = inference.getVertices();
    Map<String, List<String>> inputsOf = inference.getVertexInputs();
    for (String name : order) {
      if (!(layerOf(vertices.get(name)) instanceof BatchNormalization bn)
          || bn instanceof FoldedBatchNormalization || bn.isUseLogStd() || bn.isLockGammaBeta()) {
        continue;
      }
      List<String> inputs = inputsOf.get(name);
      if (inputs == null || inputs.size() != 1) {
        continue;
      }
      String convName = inputs.get(0);
      if (!(layerOf(vertices.get(convName)) instanceof FoldsBatchNorm conv)
          || conv.hasBias() || conv.getFoldedBatchNorm() != null
          || !consumers.getOrDefault(convName, List.of()).equals(List.of(name))
          || outputs.contains(convName) || outputs.contains(name)) {
        continue;
      }
      conv.setFoldedBatchNorm(name);
      ((LayerVertex) vertices.get(name)).getLayerConf().setLayer(new FoldedBatchNormalization(bn));
      String last = name;
      List<String> after = consumers.getOrDefault(name, List.of());
      if (after.size() == 1 && !outputs.contains(after.get(0))
          && layerOf(vertices.get(after.get(0))) instanceof SinglePassRelu) {
        conv.setFusedRelu(true);
        last = after.get(0);
        vertices.remove(last);
        inputsOf.remove(last);
      }
      String replaced = last;
      for (String reader : consumers.getOrDefault(replaced, List.of())) {
        inputsOf.get(reader).replaceAll(input -> input.equals(replaced) ? convName : input);
      }
    }
    // The ReLU that alone reads a residual sum joins the sum: max(a + b, 0) in one pass.
    Map<String, List<String>> readers = consumers(inference);
    for (String name : order) {
      List<String> after = readers.getOrDefault(name, List.of());
      if (!(vertices.get(name) instanceof SumVertex sum) || sum.isRelu() || outputs.contains(name) || after.size() != 1
          || outputs.contains(after.get(0)) || !(layerOf(vertices.get(after.get(0))) instanceof SinglePassRelu)) {
        continue;
      }
      String relu = after.get(0);
      SumVertex fused = new SumVertex();
      fused.setRelu(true);
      vertices.put(name, fused);  // a new vertex: the training configuration's stays as it was
      removeRelu(inference, relu, name, readers.getOrDefault(relu, List.of()));
    }
    // A BN left unfolded (it reads a residual sum) takes over the ReLU that alone reads it.
    readers = consumers(inference);
    for (String name : order) {
      List<String> after = readers.getOrDefault(name, List.of());
      if (!(layerOf(vertices.get(name)) instanceof BatchNormalization bn) || bn instanceof FoldedBatchNormalization
          || bn instanceof RectifiedBatchNormalization || outputs.contains(name) || after.size() != 1
          || outputs.contains(after.get(0)) || !(layerOf(vertices.get(after.get(0))) instanceof SinglePassRelu)) {
        continue;
      }
      String relu = after.get(0);
      ((LayerVertex) vertices.get(name)).getLayerConf().setLayer(new RectifiedBatchNormalization(bn));
      removeRelu(inference, relu, name, readers.getOrDefault(relu, List.of()));
    }
    order.removeIf(name -> !vertices.containsKey(name) && !inference.getNetworkInputs().contains(name));
    fixOrder(inference, order);
    return inference;
  }

  /**
   * Fixes {@code conf}'s topological order to {@code order} (vertex names, network inputs included):
   * the order DL4J lays out the parameters in, kept from the original graph by the rewrites here.
   */
  static void fixOrder(ComputationGraphConfiguration conf, List<String> order) {
    int[] positions = new int[order.size()];
    for (int i = 0; i < positions.length; i++) {
      positions[i] = i;
    }
    conf.setTopologicalOrderStr(order);
    conf.setTopologicalOrder(positions);
  }

  /** Removes the vertex {@code relu}, whose work {@code producer} now does; its {@code readers} read {@code producer}. */
  private static void removeRelu(ComputationGraphConfiguration conf, String relu, String producer, List<String> readers) {
    conf.getVertices().remove(relu);
    conf.getVertexInputs().remove(relu);
    for (String reader : readers) {
      conf.getVertexInputs().get(reader).replaceAll(input -> input.equals(relu) ? producer : input);
    }
  }

  /** How many batch norms of {@code conf} are folded. */
  static int count(ComputationGraphConfiguration conf) {
    int n = 0;
    for (GraphVertex v : conf.getVertices().values()) {
      n += layerOf(v) instanceof FoldedBatchNormalization ? 1 : 0;
    }
    return n;
  }

  /** The vertex names (network inputs included) in the order DL4J lays out the parameters. */
  private static List<String> topologicalOrder(ComputationGraphConfiguration conf) {
    if (conf.getTopologicalOrderStr() != null) {
      return conf.getTopologicalOrderStr();
    }
    ComputationGraph graph = new ComputationGraph(conf);
    int[] order = graph.topologicalSortOrder();
    var idxToName = graph.calculateIndices().getIdxToName();
    List<String> names = new ArrayList<>();
    for (int index : order) {
      names.add(idxToName.get(index));
    }
    return names;
  }

  private static Layer layerOf(GraphVertex vertex) {
    return vertex instanceof LayerVertex lv ? lv.getLayerConf().getLayer() : null;
  }

  /** The vertices that read each vertex of {@code conf}. */
  static Map<String, List<String>> consumers(ComputationGraphConfiguration conf) {
    Map<String, List<String>> consumers = new HashMap<>();
    conf.getVertexInputs().forEach((vertex, inputs) -> {
      for (String input : inputs) {
        consumers.computeIfAbsent(input, k -> new ArrayList<>()).add(vertex);
      }
    });
    return consumers;
  }
}
