package io.github.beedjava.network;

import io.github.beedjava.engine.layers.DeferredConvolutionVertex;
import io.github.beedjava.engine.layers.FoldedBatchNormalization;
import io.github.beedjava.engine.layers.LinearConvolution;
import io.github.beedjava.engine.layers.PointwiseFusedConvolutionVertex;
import io.github.beedjava.engine.simd.JavaPointwiseStrided;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;

/**
 * Marks, in an inference-only graph configuration whose BNs are folded ({@link BatchNormFolding}),
 * each 1x1 convolution of 16 channels into 32 (folded BN, ReLU) read only by a 3x3, stride-2,
 * padding-1 convolution of 32 channels into 32 (folded BN, ReLU) to be computed together with it
 * ({@link JavaPointwiseStrided}): the first block of ResNet18/34's first exit at width 1/4. The
 * stride-2 convolution's vertex becomes a {@link PointwiseFusedConvolutionVertex} reading the 1x1
 * convolution's input and running both layers, and the 1x1 convolution's a
 * {@link DeferredConvolutionVertex}, which computes nothing. The parameters and the topological order
 * are unchanged: the stride-2 convolution reads a vertex that came before the 1x1 one.
 */
final class PointwiseStridedFusion {
  private PointwiseStridedFusion() {}

  /** Marks the pairs of {@code inference} (changing it in place) and returns it. */
  static ComputationGraphConfiguration apply(ComputationGraphConfiguration inference) {
    Map<String, GraphVertex> vertices = inference.getVertices();
    Map<String, List<String>> inputsOf = inference.getVertexInputs();
    List<String> outputs = inference.getNetworkOutputs();
    Map<String, List<String>> readers = BatchNormFolding.consumers(inference);
    for (String name : List.copyOf(inference.getTopologicalOrderStr())) {
      List<String> in = inputsOf.get(name);
      if (in == null || in.size() != 1 || !convolution(vertices.get(name), 3, 2, 1, JavaPointwiseStrided.OUT)) {
        continue;
      }
      String first = in.get(0);
      List<String> firstReaders = new ArrayList<>(readers.getOrDefault(first, List.of()));
      firstReaders.removeIf(r -> vertices.get(r) instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof FoldedBatchNormalization);
      if (outputs.contains(first) || !firstReaders.equals(List.of(name)) || inputsOf.get(first).size() != 1
          || !convolution(vertices.get(first), 1, 1, 0, JavaPointwiseStrided.IN)) {
        continue;
      }
      vertices.put(first, new DeferredConvolutionVertex((LayerVertex) vertices.get(first), name));
      vertices.put(name, new PointwiseFusedConvolutionVertex((LayerVertex) vertices.get(name), first));
      inputsOf.put(name, new ArrayList<>(inputsOf.get(first)));
    }
    return inference;
  }

  /** How many convolutions of {@code conf} compute the 1x1 convolution before them. */
  static int count(ComputationGraphConfiguration conf) {
    return (int) conf.getVertices().values().stream().filter(v -> v instanceof PointwiseFusedConvolutionVertex).count();
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
    return c.plain(kernel, stride, pad) && c.getNIn() == in && c.getNOut() == JavaPointwiseStrided.OUT
        && c.getFoldedBatchNorm() != null && c.isFusedRelu();
  }
}
