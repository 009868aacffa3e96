package io.github.beedjava.network;

import io.github.beedjava.engine.layers.BatchNormFoldingLayer;
import io.github.beedjava.engine.layers.FoldsBatchNorm;
import io.github.beedjava.engine.layout.BlockedActivations;
import io.github.beedjava.engine.simd.JavaBatchNormHelper;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.deeplearning4j.nn.api.FwdPassType;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A {@link ComputationGraph} whose outputs are plain layers (logits, features) and whose loss is
 * computed outside the graph: one training-mode forward pass, the caller turns the outputs into
 * errors dLoss/dOutput, one backward pass. This is DL4J's "external errors" route done inside the
 * same activation workspace that {@code fit} uses, so nothing is computed twice.
 */
public class MultiExitGraph extends ComputationGraph {

  /** Open/close cycles after which DL4J's per-vertex workspaces take their learned size. */
  static final int WORKSPACE_LEARNING_CYCLES = 2;

  /** Creates the graph; call {@link #init()} before use. */
  public MultiExitGraph(ComputationGraphConfiguration configuration) {
    super(configuration);
    // DL4J sizes the per-vertex workspaces (backward-pass errors, layer working memory) only after
    // as many open/close cycles as the graph has vertices: 4-7 training steps here. Until then
    // every such array is a separate native allocation, which glibc keeps afterwards (0.9 GiB of
    // the peak at width 1, bench/HISTORY.md "Third pass"). Learning after two cycles is safe: a
    // workspace that a later cycle overflows grows at that cycle's end (SpillPolicy.REALLOCATE).
    WS_LAYER_ACT_X_CONFIG.setCyclesBeforeInitialization(WORKSPACE_LEARNING_CYCLES);
    WS_LAYER_WORKING_MEM_CONFIG.setCyclesBeforeInitialization(WORKSPACE_LEARNING_CYCLES);
  }

  /**
   * Initialises the graph, gives every BN layer the faster {@link JavaBatchNormHelper}, and links
   * every convolution that folds a BN ({@link BatchNormFolding}) to that BN's layer.
   */
  @Override
  public void init(INDArray parameters, boolean cloneParametersArray) {
    boolean fresh = !initCalled;
    super.init(parameters, cloneParametersArray);
    if (fresh) {
      JavaBatchNormHelper.installOn(getLayers());
      for (Layer layer : getLayers()) {
        if (layer instanceof BatchNormFoldingLayer conv && layer.conf().getLayer() instanceof FoldsBatchNorm conf
            && conf.getFoldedBatchNorm() != null) {
          conv.foldBatchNorm((org.deeplearning4j.nn.layers.normalization.BatchNormalization) getLayer(conf.getFoldedBatchNorm()));
        }
      }
      if (BlockedActivations.available()) {
        useBlockedLayout(BlockedActivations.plan(getConfiguration()));
      }
    }
  }

  /** Vertices whose outputs training steps (and eval passes of an inference copy) keep in oneDNN's blocked layout (empty: none). */
  private Set<String> blocked = Set.of();

  /** The vertices whose outputs, in passes that use the layout, are in oneDNN's blocked layout ({@link BlockedActivations}). */
  public Set<String> blockedVertices() {
    return blocked;
  }

  /** Tells every layer that reads or writes a blocked map of {@code plan} so (an empty plan: NCHW throughout). */
  public void useBlockedLayout(Set<String> plan) {
    absorbedRelus = BlockedLayoutPlan.apply(this, plan);
    blocked = Set.copyOf(plan);
  }

  /** The ReLUs whose passes the BN before them does in blocked training steps ({@link BlockedLayoutPlan}). */
  private Set<String> absorbedRelus = Set.of();

  /** The in-place ReLUs that the BN before them applies in blocked training steps. */
  public Set<String> absorbedRelus() {
    return absorbedRelus;
  }

  /**
   * Runs a training-mode forward pass, hands detached copies of the outputs (in configuration
   * order) to {@code errorsOf}, and backpropagates the errors it returns. Gradients land in
   * {@link #getGradientsViewArray()}; parameters are not changed (BN running-statistic deltas are
   * in the gradient view too, see {@link RunningStatistics}).
   *
   * @param input the input batch, NCHW, in the network's data type
   * @param errorsOf maps the outputs to dLoss/dOutput, one array per output, same shapes
   * @return the detached outputs
   */
  public INDArray[] forwardBackward(INDArray input, Function<INDArray[], INDArray[]> errorsOf) {
    if (presizeWorkspaces && input.size(0) >= 4 * WorkspacePresizer.PROBE_BATCH
        && getConfiguration().getTrainingWorkspaceMode() != WorkspaceMode.NONE
        && !Nd4j.getWorkspaceManager().checkIfWorkspaceExists(WS_ALL_LAYERS_ACT)) {
      WorkspacePresizer.presize(input, MultiExitGraph::isTrainingWorkspace, probe -> forwardBackwardOnce(probe, WorkspacePresizer::zeroErrors));
    }
    return forwardBackwardOnce(input, errorsOf);
  }

  /** System property; {@code false} lets DL4J's workspaces learn their size in the first step as they do by default. */
  public static final String PRESIZE_PROPERTY = "beed.workspace.presize";

  private boolean presizeWorkspaces = !"false".equalsIgnoreCase(System.getProperty(PRESIZE_PROPERTY, "true"));

  /**
   * Whether the first training step is preceded by probes that size DL4J's training workspaces
   * (default on; off only to compare, e.g. in tests).
   */
  public void setWorkspacePresizing(boolean presize) {
    this.presizeWorkspaces = presize;
  }

  /** DL4J's workspaces of a training step (activations, per-layer activations and working memory). */
  private static boolean isTrainingWorkspace(String id) {
    return id.equals(WS_ALL_LAYERS_ACT) || id.startsWith("WS_LAYER_ACT_") || id.equals(WS_LAYER_WORKING_MEM);
  }

  private INDArray[] forwardBackwardOnce(INDArray input, Function<INDArray[], INDArray[]> errorsOf) {
    if (blocked.isEmpty()) {
      return forwardBackwardInLayout(input, errorsOf);
    }
    // The objective runs outside the layout: it may run other networks (a teacher) whose maps are NCHW.
    return BlockedActivations.with(true, () -> forwardBackwardInLayout(input,
        outputs -> BlockedActivations.with(false, () -> errorsOf.apply(outputs))));
  }

  private INDArray[] forwardBackwardInLayout(INDArray input, Function<INDArray[], INDArray[]> errorsOf) {
    List<String> outputNames = getConfiguration().getNetworkOutputs();
    LayerWorkspaceMgr workspaces = trainingWorkspaces();
    INDArray[] outputs = new INDArray[outputNames.size()];
    try (MemoryWorkspace ws = workspaces.notifyScopeEntered(ArrayType.ACTIVATIONS)) {
      Map<String, INDArray> activations =
          ffToLayerActivationsInWS(
              true, -1, null, FwdPassType.STANDARD, false, new INDArray[] {input}, null, null, false);
      INDArray[] errors;
      try (MemoryWorkspace outside = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
        for (int i = 0; i < outputs.length; i++) {
          outputs[i] = activations.get(outputNames.get(i)).detach();
        }
        errors = errorsOf.apply(outputs);
      }
      if (errors.length != outputs.length) {
        throw new IllegalStateException(
            "objective returned " + errors.length + " error arrays for " + outputs.length + " outputs");
      }
      for (int i = 0; i < errors.length; i++) {
        if (!java.util.Arrays.equals(errors[i].shape(), outputs[i].shape())) {
          throw new IllegalStateException("error for output " + outputNames.get(i) + " has the wrong shape");
        }
      }
      calcBackpropGradients(false, false, errors);
    } finally {
      for (GraphVertex vertex : getVertices()) {
        vertex.clear();
      }
    }
    return outputs;
  }

  private LayerWorkspaceMgr trainingWorkspaces() {
    LayerWorkspaceMgr mgr;
    if (getConfiguration().getTrainingWorkspaceMode() == WorkspaceMode.NONE) {
      mgr = LayerWorkspaceMgr.noWorkspaces();
    } else {
      mgr =
          LayerWorkspaceMgr.builder()
              .with(ArrayType.ACTIVATIONS, WS_ALL_LAYERS_ACT, WS_ALL_LAYERS_ACT_CONFIG)
              .with(ArrayType.INPUT, WS_ALL_LAYERS_ACT, WS_ALL_LAYERS_ACT_CONFIG)
              .with(ArrayType.FF_WORKING_MEM, WS_LAYER_WORKING_MEM, WS_LAYER_WORKING_MEM_CONFIG)
              .with(ArrayType.BP_WORKING_MEM, WS_LAYER_WORKING_MEM, WS_LAYER_WORKING_MEM_CONFIG)
              .with(ArrayType.RNN_FF_LOOP_WORKING_MEM, WS_RNN_LOOP_WORKING_MEM, WS_RNN_LOOP_WORKING_MEM_CONFIG)
              .with(ArrayType.RNN_BP_LOOP_WORKING_MEM, WS_RNN_LOOP_WORKING_MEM, WS_RNN_LOOP_WORKING_MEM_CONFIG)
              .with(ArrayType.UPDATER_WORKING_MEM, WS_ALL_LAYERS_ACT, WS_ALL_LAYERS_ACT_CONFIG)
              .build();
    }
    mgr.setHelperWorkspacePointers(helperWorkspaces);
    return mgr;
  }
}
