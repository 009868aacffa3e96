package io.github.beedjava.network;

import io.github.beedjava.engine.layers.DeferredConvolutionVertex;
import io.github.beedjava.engine.layers.FoldedBatchNormalization;
import io.github.beedjava.engine.layers.LinearConvolution;
import io.github.beedjava.engine.layers.ResidualConvolutionVertex;
import io.github.beedjava.engine.layers.StemComposedConvolutionVertex;
import io.github.beedjava.engine.layers.StemShortcutConvolutionVertex;
import io.github.beedjava.engine.simd.JavaStemComposition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;

/**
 * Spares, in an inference-only graph configuration after {@link ResidualFusion} and
 * {@link StemComposition}, the pass of a linear stem whose other readers compute it themselves: the
 * official CIFAR ResNet's stem at width 1/4 (3x3, stride 1, padding 1, C channels into 16, its BN
 * folded, no ReLU) is read only by the first block's first convolution, composed with it
 * ({@link StemComposedConvolutionVertex}), and as the shortcut of that block's fused sum
 * ({@link ResidualConvolutionVertex}). The latter becomes a {@link StemShortcutConvolutionVertex}
 * reading the network input instead, whose Winograd output transform computes the stem's 16 outputs
 * of each pixel from the image, and the stem's vertex becomes a {@link DeferredConvolutionVertex}
 * that computes nothing. At batch 256 the stem's pass wrote a 16 MB map that the sum read back
 * (bench/HISTORY.md, "Twenty-third pass"). Parameters and the topological order are unchanged.
 */
final class StemShortcutFusion {
  private StemShortcutFusion() {}

  /** Rewrites the sums of {@code inference} whose shortcut is such a stem (changing it in place) and returns it. */
  static ComputationGraphConfiguration apply(ComputationGraphConfiguration inference) {
    Map<String, GraphVertex> vertices = inference.getVertices();
    Map<String, List<String>> inputsOf = inference.getVertexInputs();
    Map<String, List<String>> readers = BatchNormFolding.consumers(inference);
    for (String name : List.copyOf(inference.getTopologicalOrderStr())) {
      if (!(vertices.get(name) instanceof ResidualConvolutionVertex sum)) {
        continue;
      }
      String stem = inputsOf.get(name).get(1);
      List<String> stemInputs = inputsOf.get(stem);
      if (stemInputs == null || stemInputs.size() != 1 || !inference.getNetworkInputs().contains(stemInputs.get(0))
          || inference.getNetworkOutputs().contains(stem) || !linearStem(vertices.get(stem))
          || !readByItsComputersOnly(stem, name, vertices, readers)) {
        continue;
      }
      vertices.put(stem, new DeferredConvolutionVertex((LayerVertex) vertices.get(stem), name));
      vertices.put(name, new StemShortcutConvolutionVertex(sum, stem, sum.isRelu()));
      inputsOf.put(name, new ArrayList<>(List.of(inputsOf.get(name).get(0), stemInputs.get(0))));
    }
    return inference;
  }

  /** How many sums of {@code conf} compute their stem shortcut. */
  static int count(ComputationGraphConfiguration conf) {
    return (int) conf.getVertices().values().stream().filter(v -> v instanceof StemShortcutConvolutionVertex).count();
  }

  /** A plain layer vertex of a 3x3, stride-1, padding-1 convolution of at most {@link JavaStemComposition#MAX_CHANNELS} channels into 16, without a ReLU. */
  private static boolean linearStem(GraphVertex vertex) {
    if (vertex == null || vertex.getClass() != LayerVertex.class || ((LayerVertex) vertex).getPreProcessor() != null
        || !(((LayerVertex) vertex).getLayerConf().getLayer() instanceof LinearConvolution conv)) {
      return false;
    }
    return conv.plainThreeByThree() && !conv.isFusedRelu() && conv.getNIn() >= 1 && conv.getNIn() <= JavaStemComposition.MAX_CHANNELS
        && conv.getNOut() == 16;
  }

  /**
   * Whether the stem's readers, besides folded BNs (which ignore their input), are the sum and
   * convolutions composed with it, which all compute it themselves.
   */
  private static boolean readByItsComputersOnly(String stem, String sum, Map<String, GraphVertex> vertices,
      Map<String, List<String>> readers) {
    for (String reader : readers.getOrDefault(stem, List.of())) {
      GraphVertex v = vertices.get(reader);
      boolean foldedBatchNorm = v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof FoldedBatchNormalization;
      boolean composed = v instanceof StemComposedConvolutionVertex c && c.getStem().equals(stem);
      if (!reader.equals(sum) && !foldedBatchNorm && !composed) {
        return false;
      }
    }
    return true;
  }
}
