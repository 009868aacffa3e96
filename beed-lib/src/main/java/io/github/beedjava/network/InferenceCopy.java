package io.github.beedjava.network;

import io.github.beedjava.engine.layers.InferenceDense;
import io.github.beedjava.engine.layers.LinearConvolutionLayer;
import io.github.beedjava.engine.layers.FeatureMapOutput;
import io.github.beedjava.engine.layout.BlockedActivations;
import io.github.beedjava.engine.layout.ChannelsLast;
import io.github.beedjava.engine.onednn.DirectOneDnn;
import io.github.beedjava.model.Blueprint;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.deeplearning4j.nn.api.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The eval-mode copy of a network's graph, sharing the training graph's parameter buffer so that
 * it always sees the current weights, with every foldable BN folded into its convolution
 * ({@link BatchNormFolding}), the residual sums after 16-channel 3x3 convolutions joined with them
 * ({@link ResidualFusion}), the convolution after a linear stem computed from the input ({@link StemComposition}), that
 * stem computed as the first block's shortcut by the sum that reads it ({@link StemShortcutFusion}), the first exit
 * block's three convolutions computed together ({@link ExitBlockFusion}), its classifier heads computed by {@link InferenceDense} and its
 * feature maps handed out by {@link FeatureMapOutput}. Where the blocked layout is available ({@link BlockedActivations}) and
 * covers most convolutions, it is the NCHW graph, whose maps stay blocked between the convolutions:
 * no layout copies around those. Otherwise it is the channels-last copy ({@link ChannelsLast}), whose
 * convolutions oneDNN runs on NHWC without copies except around Winograd ones.
 *
 * @param graph the copy
 * @param blocked true: NCHW with blocked maps inside; false: channels-last (NHWC inputs and outputs)
 */
record InferenceCopy(MultiExitGraph graph, boolean blocked) {

  /**
   * The copy for a network, or empty when neither layout applies (then the training graph
   * evaluates). Blocked when the plan holds at least {@link BlockedActivations#INFERENCE_MIN_COVERAGE}
   * of the convolutions (or channels-last cannot take the graph), channels-last otherwise.
   */
  static Optional<InferenceCopy> of(Blueprint blueprint, MultiExitGraph training) {
    var nchw = blueprint.graph().clone();
    Set<String> plan = BlockedActivations.available() && DirectOneDnn.foldBatchNorms() ? BlockedActivations.plan(nchw) : Set.of();
    Optional<ComputationGraphConfiguration> channelsLast = ChannelsLast.of(nchw);
    boolean blocked = !plan.isEmpty()
        && (BlockedActivations.convolutionCoverage(nchw, plan) >= BlockedActivations.INFERENCE_MIN_COVERAGE || channelsLast.isEmpty());
    Optional<MultiExitGraph> copy = (blocked ? Optional.of(nchw) : channelsLast)
        .map(conf -> DirectOneDnn.foldBatchNorms() ? ExitBlockFusion.apply(StemShortcutFusion.apply(StemComposition.apply(ResidualFusion.apply(BatchNormFolding.apply(conf))))) : conf)
        .map(InferenceCopy::withFeatureMapOutputs)
        .map(InferenceCopy::withInferenceHeads)
        .map(MultiExitGraph::new);
    copy.ifPresent(g -> {
      g.init(training.params(), false);
      checkSharesParameters(g, training);
    });
    return copy.map(g -> new InferenceCopy(g, blocked));
  }

  /**
   * Replaces, in place, every identity layer that is a graph output (the feature maps) by a
   * {@link FeatureMapOutput}: the blocked plan no longer stops at the maps they hand out, and passes
   * for the logits alone skip them.
   */
  static ComputationGraphConfiguration withFeatureMapOutputs(ComputationGraphConfiguration conf) {
    for (String output : conf.getNetworkOutputs()) {
      if (conf.getVertices().get(output) instanceof LayerVertex lv && lv.getPreProcessor() == null
          && lv.getLayerConf().getLayer() instanceof ActivationLayer identity && !(identity instanceof FeatureMapOutput)
          && identity.getActivationFn() instanceof ActivationIdentity) {
        lv.getLayerConf().setLayer(new FeatureMapOutput(identity.getLayerName()));
      }
    }
    return conf;
  }

  /** Replaces, in place, every dense layer of {@code conf} by its {@link InferenceDense} twin. */
  static ComputationGraphConfiguration withInferenceHeads(ComputationGraphConfiguration conf) {
    for (var vertex : conf.getVertices().values()) {
      if (vertex instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof DenseLayer dense
          && !(dense instanceof InferenceDense)) {
        lv.getLayerConf().setLayer(new InferenceDense(dense));
      }
    }
    return conf;
  }

  /** Drops the weights its convolutions keep in oneDNN's layouts (stale once training changes them). */
  void releaseWeights() {
    for (Layer layer : graph.getLayers()) {
      if (layer instanceof LinearConvolutionLayer conv) {
        conv.releaseInferenceWeights();
      }
    }
  }

  /**
   * Fails unless every parameter of {@code inference} is a view of the same memory as the
   * training graph's parameter of that name: the inference graph must see the current weights.
   */
  private static void checkSharesParameters(MultiExitGraph inference, MultiExitGraph training) {
    for (Layer layer : inference.getLayers()) {
      String name = layer.getConfig().getLayerName();
      for (Map.Entry<String, INDArray> p : layer.paramTable().entrySet()) {
        INDArray trained = training.getLayer(name).getParam(p.getKey());
        if (trained == null || trained.length() != p.getValue().length()
            || trained.data().addressPointer().address() != p.getValue().data().addressPointer().address()) {
          throw new IllegalStateException("inference graph: parameter " + name + "_" + p.getKey()
              + " is not the training graph's (parameter layouts differ); set -D" + DirectOneDnn.FOLD_PROPERTY + "=false");
        }
      }
    }
  }
}
