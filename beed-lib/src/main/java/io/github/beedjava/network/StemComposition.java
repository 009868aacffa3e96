package io.github.beedjava.network;

import io.github.beedjava.engine.layers.LinearConvolution;
import io.github.beedjava.engine.layers.StemComposedConvolutionVertex;
import io.github.beedjava.engine.simd.JavaStemComposition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;

/**
 * Marks, in an inference-only graph configuration whose BNs are folded ({@link BatchNormFolding}),
 * the convolution that reads a linear stem to be computed from the network input
 * ({@link StemComposedConvolutionVertex}, {@link JavaStemComposition}). The pattern: a stem of C
 * channels (at most {@link JavaStemComposition#MAX_CHANNELS}) into 16, 3x3, stride 1, padding 1,
 * without bias or ReLU (the official CIFAR ResNet stem at width 1/4, whose BN is folded into it),
 * read by a 16-into-16 3x3 convolution of the same geometry. Together they are one 5x5 convolution
 * of the image, which on ResNet18 1/4 at batch 256 takes about 0.4 of the 16-channel layer's time
 * (bench/HISTORY.md, "Twentieth pass").
 *
 * <p>The convolution's vertex gains the network input as a second input and keeps its layer,
 * parameters and place in the fixed topological order (the network input comes first in it).
 */
final class StemComposition {
  private StemComposition() {}

  /** Marks the convolutions of {@code inference} that read a linear stem (changing it in place) and returns it. */
  static ComputationGraphConfiguration apply(ComputationGraphConfiguration inference) {
    Map<String, GraphVertex> vertices = inference.getVertices();
    Map<String, List<String>> inputsOf = inference.getVertexInputs();
    for (String name : List.copyOf(inference.getTopologicalOrderStr())) {
      List<String> in = inputsOf.get(name);
      if (in == null || in.size() != 1 || !threeByThree(vertices.get(name), 16, 16, true)) {
        continue;
      }
      String stem = in.get(0);
      List<String> stemInputs = inputsOf.get(stem);
      if (stemInputs == null || stemInputs.size() != 1 || !inference.getNetworkInputs().contains(stemInputs.get(0))
          || !threeByThree(vertices.get(stem), JavaStemComposition.MAX_CHANNELS, 16, false)) {
        continue;
      }
      vertices.put(name, new StemComposedConvolutionVertex((LayerVertex) vertices.get(name), stem));
      inputsOf.put(name, new ArrayList<>(List.of(stem, stemInputs.get(0))));
    }
    return inference;
  }

  /** How many convolutions of {@code conf} are composed with a stem. */
  static int count(ComputationGraphConfiguration conf) {
    return (int) conf.getVertices().values().stream().filter(v -> v instanceof StemComposedConvolutionVertex).count();
  }

  /**
   * A plain layer vertex of a 3x3, stride-1, padding-1 convolution without bias, of at most
   * {@code maxIn} channels into {@code out}, applying a ReLU only where {@code reluAllowed}.
   */
  private static boolean threeByThree(GraphVertex vertex, int maxIn, int out, boolean reluAllowed) {
    if (vertex == null || vertex.getClass() != LayerVertex.class || ((LayerVertex) vertex).getPreProcessor() != null
        || !(((LayerVertex) vertex).getLayerConf().getLayer() instanceof LinearConvolution conv)) {
      return false;
    }
    return (reluAllowed || !conv.isFusedRelu()) && conv.plainThreeByThree()
        && conv.getNIn() >= 1 && conv.getNIn() <= maxIn && conv.getNOut() == out;
  }
}
