package io.github.beedjava.network;

import io.github.beedjava.engine.layers.DeferredConvolutionVertex;
import io.github.beedjava.engine.layers.ExitBlockConvolutionVertex;
import io.github.beedjava.engine.layers.FoldedBatchNormalization;
import io.github.beedjava.engine.layers.LinearConvolution;
import io.github.beedjava.engine.simd.JavaExitBlock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;

/**
 * Marks, in an inference-only graph configuration whose BNs are folded ({@link BatchNormFolding}),
 * each bottleneck exit block E(16, 32, 2) to be computed as one ({@link JavaExitBlock}): a 1x1
 * convolution of 16 channels into 32 read only by a 3x3, stride-2, padding-1 convolution of 32
 * channels into 32, read only by a 1x1 convolution of 32 into 32, each with a folded BN and a ReLU
 * (the first block of ResNet18/34's first exit at width 1/4). The closing convolution's vertex
 * becomes an {@link ExitBlockConvolutionVertex} reading the block's input and running all three
 * layers, and the other two become {@link DeferredConvolutionVertex}es, which compute nothing. The
 * parameters and the topological order are unchanged: the closing convolution reads a vertex that
 * came before the block.
 */
final class ExitBlockFusion {
  private ExitBlockFusion() {}

  /** Marks the blocks of {@code inference} (changing it in place) and returns it. */
  static ComputationGraphConfiguration apply(ComputationGraphConfiguration inference) {
    Map<String, GraphVertex> vertices = inference.getVertices();
    Map<String, List<String>> inputsOf = inference.getVertexInputs();
    List<String> outputs = inference.getNetworkOutputs();
    Map<String, List<String>> readers = BatchNormFolding.consumers(inference);
    for (String name : List.copyOf(inference.getTopologicalOrderStr())) {
      if (!convolution(vertices.get(name), 1, 1, 0, JavaExitBlock.OUT)) {
        continue;
      }
      String strided = onlyInput(name, inputsOf);
      if (strided == null || !onlyReader(strided, name, vertices, readers, outputs)
          || !convolution(vertices.get(strided), 3, 2, 1, JavaExitBlock.OUT)) {
        continue;
      }
      String pointwise = onlyInput(strided, inputsOf);
      if (pointwise == null || !onlyReader(pointwise, strided, vertices, readers, outputs) || onlyInput(pointwise, inputsOf) == null
          || !convolution(vertices.get(pointwise), 1, 1, 0, JavaExitBlock.IN)) {
        continue;
      }
      vertices.put(pointwise, new DeferredConvolutionVertex((LayerVertex) vertices.get(pointwise), name));
      vertices.put(strided, new DeferredConvolutionVertex((LayerVertex) vertices.get(strided), name));
      vertices.put(name, new ExitBlockConvolutionVertex((LayerVertex) vertices.get(name), pointwise, strided));
      inputsOf.put(name, new ArrayList<>(inputsOf.get(pointwise)));
    }
    return inference;
  }

  /** How many convolutions of {@code conf} compute their exit block's other two. */
  static int count(ComputationGraphConfiguration conf) {
    return (int) conf.getVertices().values().stream().filter(v -> v instanceof ExitBlockConvolutionVertex).count();
  }

  /** The vertex's one input, or null when it has none or several. */
  private static String onlyInput(String vertex, Map<String, List<String>> inputsOf) {
    List<String> in = inputsOf.get(vertex);
    return in == null || in.size() != 1 ? null : in.get(0);
  }

  /** Whether {@code reader} is the only reader of {@code vertex} (besides folded BNs, which pass their input on) and it is no output. */
  private static boolean onlyReader(String vertex, String reader, Map<String, GraphVertex> vertices, Map<String, List<String>> readers,
      List<String> outputs) {
    List<String> all = new ArrayList<>(readers.getOrDefault(vertex, List.of()));
    all.removeIf(r -> vertices.get(r) instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof FoldedBatchNormalization);
    return !outputs.contains(vertex) && all.equals(List.of(reader));
  }

  /**
   * A plain layer vertex of a square convolution of this size, stride and padding, {@code in}
   * channels into 32, no bias, with a folded BN and a fused ReLU.
   */
  private static boolean convolution(GraphVertex vertex, int kernel, int stride, int pad, int in) {
    if (vertex == null || vertex.getClass() != LayerVertex.class || ((LayerVertex) vertex).getPreProcessor() != null
        || !(((LayerVertex) vertex).getLayerConf().getLayer() instanceof LinearConvolution c)) {
      return false;
    }
    return c.plain(kernel, stride, pad) && c.getNIn() == in && c.getNOut() == JavaExitBlock.OUT
        && c.getFoldedBatchNorm() != null && c.isFusedRelu();
  }
}
