package io.github.beedjava.model;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;

/**
 * Everything a backbone family produces for one {@link ModelConfig}: the DL4J graph
 * configuration, which outputs are logits and features (exit 1 first, main network last), costs
 * for the summary, and the Fig. 1 rows.
 *
 * @param config the configuration it was built from
 * @param graph DL4J configuration; outputs are the K logits followed by the K features
 * @param logits names of the K logits layers, shallowest exit first, main network last
 * @param features names of the K feature outputs (un-pooled maps), same order
 * @param costs per-layer trainable parameters and MACs
 * @param edges vertex name to its input vertex names
 * @param batchNormSpatial BN layer name to H*W of its input
 * @param rows the Fig. 1-style description
 * @param initialisation how {@code PyTorchInit} draws the parameters
 * @param heldAtClassifier per classifier, the backbone maps a block-by-block evaluation has computed
 *     when it reaches that classifier (MSDNet: every scale of the block); empty lists when the
 *     classifier's own path is all there is (chain backbones)
 */
public record Blueprint(
    ModelConfig config,
    ComputationGraphConfiguration graph,
    List<String> logits,
    List<String> features,
    List<LayerCost> costs,
    Map<String, List<String>> edges,
    Map<String, Integer> batchNormSpatial,
    List<ArchitectureRow> rows,
    Initialisation initialisation,
    List<List<String>> heldAtClassifier) {

  /** A blueprint with the official code's initialisation and nothing held beyond each classifier's path. */
  public Blueprint(ModelConfig config, ComputationGraphConfiguration graph, List<String> logits, List<String> features,
      List<LayerCost> costs, Map<String, List<String>> edges, Map<String, Integer> batchNormSpatial, List<ArchitectureRow> rows) {
    this(config, graph, logits, features, costs, edges, batchNormSpatial, rows, Initialisation.HE_FAN_OUT,
        java.util.Collections.nCopies(logits.size(), List.of()));
  }

  /** Number of classifiers K (exits plus the main network). */
  public int numClassifiers() {
    return logits.size();
  }

  /** Display name of classifier {@code i} of {@code k}: {@code Exit1}, ... and {@code Main} last. */
  public static String classifierName(int i, int k) {
    return i == k - 1 ? "Main" : "Exit" + (i + 1);
  }
}
