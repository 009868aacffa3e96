package io.github.beedjava.network;

import io.github.beedjava.engine.layers.FoldedBatchNormalization;
import io.github.beedjava.engine.layers.LinearConvolution;
import io.github.beedjava.engine.layers.ResidualConvolutionVertex;
import io.github.beedjava.engine.layers.SumVertex;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;

/**
 * Joins, in an inference-only graph configuration whose BNs are folded ({@link BatchNormFolding}),
 * each residual sum with the convolution that alone feeds it, where that convolution is one that
 * {@link io.github.beedjava.engine.simd.JavaWinograd} can run (3x3, stride 1, padding 1, 16
 * channels into 16): the convolution's vertex becomes a {@link ResidualConvolutionVertex} reading
 * its input and the block's shortcut, and the sum vertex (with the ReLU it may hold) goes. The
 * Winograd's output transform then adds the shortcut, which spares the sum's pass over three maps
 * (two ResNet18 1/4 blocks: 2.4 ms of a 39 ms first segment at batch 256, bench/HISTORY.md,
 * "Nineteenth pass").
 *
 * <p>The parameter layout stays the original's: the convolution keeps its layer, parameters and
 * place in the fixed topological order, from which only the sum is removed. A pair is joined only
 * when the shortcut comes before the convolution in that order, so that the order stays one.
 */
final class ResidualFusion {
  private ResidualFusion() {}

  /** Joins the sums of {@code inference} (changing it in place) and returns it. */
  static ComputationGraphConfiguration apply(ComputationGraphConfiguration inference) {
    List<String> order = new ArrayList<>(inference.getTopologicalOrderStr());
    Map<String, GraphVertex> vertices = inference.getVertices();
    Map<String, List<String>> inputsOf = inference.getVertexInputs();
    List<String> outputs = inference.getNetworkOutputs();
    Map<String, List<String>> readers = BatchNormFolding.consumers(inference);
    for (String sum : List.copyOf(order)) {
      if (!(vertices.get(sum) instanceof SumVertex s) || outputs.contains(sum) || inputsOf.get(sum).size() != 2) {
        continue;
      }
      List<String> in = inputsOf.get(sum);
      // the later of the two in the order is the block's last convolution; the other, its shortcut
      boolean firstIsLater = order.indexOf(in.get(0)) > order.indexOf(in.get(1));
      String conv = firstIsLater ? in.get(0) : in.get(1);
      String shortcut = firstIsLater ? in.get(1) : in.get(0);
      List<String> convReaders = new ArrayList<>(readers.get(conv));
      convReaders.removeIf(r -> isFoldedBatchNorm(vertices.get(r)));  // it holds parameters and reads nothing it uses
      if (!joinable(vertices.get(conv)) || outputs.contains(conv) || !convReaders.equals(List.of(sum))) {
        continue;
      }
      vertices.put(conv, new ResidualConvolutionVertex((LayerVertex) vertices.get(conv), s.isRelu()));
      inputsOf.put(conv, new ArrayList<>(List.of(inputsOf.get(conv).get(0), shortcut)));
      vertices.remove(sum);
      inputsOf.remove(sum);
      for (String reader : readers.getOrDefault(sum, List.of())) {
        inputsOf.get(reader).replaceAll(input -> input.equals(sum) ? conv : input);
      }
      readers = BatchNormFolding.consumers(inference);
      order.remove(sum);
    }
    BatchNormFolding.fixOrder(inference, order);
    return inference;
  }

  /** How many convolutions of {@code conf} add a residual. */
  static int count(ComputationGraphConfiguration conf) {
    return (int) conf.getVertices().values().stream().filter(v -> v instanceof ResidualConvolutionVertex).count();
  }

  /** A plain layer vertex of a convolution JavaWinograd can run, applying no ReLU of its own. */
  private static boolean joinable(GraphVertex vertex) {
    if (!(vertex instanceof LayerVertex lv) || vertex instanceof ResidualConvolutionVertex || lv.getPreProcessor() != null
        || !(lv.getLayerConf().getLayer() instanceof LinearConvolution conv)) {
      return false;
    }
    return !conv.isFusedRelu() && conv.plainThreeByThree() && conv.getNIn() == 16 && conv.getNOut() == 16;
  }

  private static boolean isFoldedBatchNorm(GraphVertex vertex) {
    return vertex instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof FoldedBatchNormalization;
  }
}
