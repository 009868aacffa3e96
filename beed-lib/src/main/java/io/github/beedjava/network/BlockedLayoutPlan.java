package io.github.beedjava.network;

import io.github.beedjava.engine.layers.DirectDepthwiseConvolutionLayer;
import io.github.beedjava.engine.layers.FoldedBatchNormalization;
import io.github.beedjava.engine.layers.GlobalAveragePoolingLayer;
import io.github.beedjava.engine.layers.LinearConvolutionLayer;
import io.github.beedjava.engine.layers.SinglePassRelu;
import io.github.beedjava.engine.layers.SinglePassReluLayer;
import io.github.beedjava.engine.layers.StemShortcutConvolutionVertex;
import io.github.beedjava.engine.layers.FeatureMapOutputLayer;
import io.github.beedjava.engine.simd.JavaBatchNormHelper;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;

/**
 * Puts a graph's layers on a plan of which maps stay in oneDNN's blocked layout
 * ({@code BlockedActivations}): each convolution (dense or depthwise), BN, pooling and unblocking layer learns whether it reads or
 * writes blocked maps, and each planned BN whose only reader is an in-place ReLU applies that ReLU
 * in its blocked training passes (conv, BN, ReLU: the ReLU's forward pass over the map goes away;
 * its backward stays, see {@link SinglePassReluLayer#absorbInto}).
 */
final class BlockedLayoutPlan {
  private BlockedLayoutPlan() {}

  /**
   * Applies {@code plan} (an empty plan: NCHW throughout) and undoes any earlier one.
   *
   * @return the ReLUs absorbed into the BN before them
   */
  static Set<String> apply(ComputationGraph graph, Set<String> plan) {
    Map<String, List<String>> inputs = graph.getConfiguration().getVertexInputs();
    for (Layer layer : graph.getLayers()) {
      String name = layer.getConfig().getLayerName();
      boolean in = plan.containsAll(inputs.get(name));
      if (layer instanceof LinearConvolutionLayer conv) {
        // a ResidualConvolutionVertex's second input is the residual it adds, a StemComposedConvolutionVertex's the
        // network input it reads itself (never blocked): neither is the convolution's input. A
        // StemShortcutConvolutionVertex adds its stem's output, in the stem's layout, where it runs the stem's layer.
        List<String> read = inputs.get(name);
        conv.setBlockedLayout(plan.contains(read.get(0)), plan.contains(name));
        String residual = graph.getConfiguration().getVertices().get(name) instanceof StemShortcutConvolutionVertex s
            ? s.getStem() : read.size() > 1 ? read.get(1) : null;
        conv.setResidualBlocked(residual != null && plan.contains(residual));
      } else if (layer instanceof DirectDepthwiseConvolutionLayer depthwise) {
        depthwise.setBlockedLayout(in, plan.contains(name));
      } else if (layer instanceof BatchNormalization bn) {
        JavaBatchNormHelper helper = JavaBatchNormHelper.of(bn);
        if (helper != null) {
          helper.setBlockedInput(in);
        } else if (in) {
          throw new IllegalStateException("BN " + name + " is planned for the blocked layout but has no JavaBatchNormHelper");
        }
      } else if (layer instanceof GlobalAveragePoolingLayer pool) {
        pool.setBlockedInput(in);
      } else if (layer instanceof FeatureMapOutputLayer identity) {
        identity.setBlockedInput(in);
      }
    }
    return absorbRelus(graph, plan);
  }

  private static Set<String> absorbRelus(ComputationGraph graph, Set<String> plan) {
    Map<String, List<String>> inputs = graph.getConfiguration().getVertexInputs();
    Set<String> absorbed = new HashSet<>();
    for (Layer layer : graph.getLayers()) {
      if (layer instanceof BatchNormalization bn) {
        JavaBatchNormHelper helper = JavaBatchNormHelper.of(bn);
        if (helper != null) {
          helper.setAbsorbsRelu(false);
        }
      }
    }
    for (Layer layer : graph.getLayers()) {
      if (!(layer instanceof SinglePassReluLayer relu)) {
        continue;
      }
      relu.absorbInto(null);
      String name = layer.getConfig().getLayerName();
      List<String> in = inputs.get(name);
      if (!((SinglePassRelu) relu.conf().getLayer()).isInPlace() || in.size() != 1 || !plan.contains(in.get(0))
          || !plan.contains(name) || !(graph.getLayer(in.get(0)) instanceof BatchNormalization bn)
          || bn.conf().getLayer() instanceof FoldedBatchNormalization) {
        continue;
      }
      JavaBatchNormHelper helper = JavaBatchNormHelper.of(bn);
      if (helper != null) {
        helper.setAbsorbsRelu(true);
        relu.absorbInto(helper);
        absorbed.add(name);
      }
    }
    return Set.copyOf(absorbed);
  }
}
