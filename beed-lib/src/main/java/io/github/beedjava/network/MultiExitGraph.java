package io.github.beedjava.model;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.nn.api.FwdPassType;
import org.deeplearning4j.nn.api.Layer;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

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
    // the peak at width 1, bench/README.md "Third pass"). Learning after two cycles is safe: a
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
        if (layer instanceof LinearConvolutionLayer conv
            && ((LinearConvolution) conv.layerConf()).getFoldedBatchNorm() != null) {
          conv.foldBatchNorm((org.deeplearning4j.nn.layers.normalization.BatchNormalization)
              getLayer(((LinearConvolution) conv.layerConf()).getFoldedBatchNorm()));
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
  void useBlockedLayout(Set<String> plan) {
    Map<String, List<String>> inputs = getConfiguration().getVertexInputs();
    for (Layer layer : getLayers()) {
      String name = layer.getConfig().getLayerName();
      boolean in = plan.containsAll(inputs.get(name));
      if (layer instanceof LinearConvolutionLayer conv) {
        conv.setBlockedLayout(in, plan.contains(name));
      } else if (layer instanceof org.deeplearning4j.nn.layers.normalization.BatchNormalization bn) {
        JavaBatchNormHelper helper = JavaBatchNormHelper.of(bn);
        if (helper != null) {
          helper.setBlockedInput(in);
        } else if (in) {
          throw new IllegalStateException("BN " + name + " is planned for the blocked layout but has no JavaBatchNormHelper");
        }
      } else if (layer instanceof GlobalAveragePoolingLayer pool) {
        pool.setBlockedInput(in);
      }
    }
    absorbRelus(plan);
    blocked = Set.copyOf(plan);
  }

  /**
   * Lets each planned BN whose only reader is an in-place ReLU apply that ReLU in its blocked
   * training passes (conv, BN, ReLU: the ReLU's forward pass over the map goes away; its backward
   * stays, see {@link SinglePassReluLayer#absorbInto}); undoes it everywhere else.
   */
  private void absorbRelus(Set<String> plan) {
    Map<String, List<String>> inputs = getConfiguration().getVertexInputs();
    Set<String> absorbed = new java.util.HashSet<>();
    for (Layer layer : getLayers()) {
      if (layer instanceof org.deeplearning4j.nn.layers.normalization.BatchNormalization bn) {
        JavaBatchNormHelper helper = JavaBatchNormHelper.of(bn);
        if (helper != null) {
          helper.setAbsorbsRelu(false);
        }
      }
    }
    for (Layer layer : getLayers()) {
      if (!(layer instanceof SinglePassReluLayer relu)) {
        continue;
      }
      relu.absorbInto(null);
      String name = layer.getConfig().getLayerName();
      List<String> in = inputs.get(name);
      if (!((SinglePassRelu) relu.conf().getLayer()).isInPlace() || in.size() != 1 || !plan.contains(in.get(0))
          || !plan.contains(name) || !(getLayer(in.get(0)) instanceof org.deeplearning4j.nn.layers.normalization.BatchNormalization bn)
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
    absorbedRelus = Set.copyOf(absorbed);
  }

  /** The ReLUs whose passes the BN before them does in blocked training steps ({@link #absorbRelus}). */
  private Set<String> absorbedRelus = Set.of();

  /** The in-place ReLUs that the BN before them applies in blocked training steps. */
  Set<String> absorbedRelus() {
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
    if (presizeWorkspaces && input.size(0) >= 4 * PROBE_BATCH
        && getConfiguration().getTrainingWorkspaceMode() != WorkspaceMode.NONE
        && !Nd4j.getWorkspaceManager().checkIfWorkspaceExists(WS_ALL_LAYERS_ACT)) {
      presizeWorkspaces(input);
    }
    return forwardBackwardOnce(input, errorsOf);
  }

  /** Images in the smaller of the two probe steps of {@link #presizeWorkspaces}; the other has twice as many. */
  static final int PROBE_BATCH = 2;

  /** Room added to the fitted sizes (1 MiB): a cycle that needs more still works, it only grows the workspace. */
  private static final long PRESIZE_SLACK = 1 << 20;

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

  /**
   * Sizes this thread's training workspaces for {@code input}'s batch before its first step.
   * DL4J's workspaces learn their size in their first cycles, and until then every array is a
   * separate native allocation: in the first step of a full-width network 1.3 GiB of activations
   * and the backward pass's errors. glibc keeps much of that memory after it is freed, so the first
   * step set the process's peak (bench/README.md, "Memory"). Instead, two probe steps on
   * {@value #PROBE_BATCH} and twice as many images (outputs' errors zero; nothing is applied, and
   * the gradients they write are overwritten by the real step) let the workspaces learn at small
   * sizes; each workspace's size is linear in the batch, so the two give it for the real batch, and
   * each is made again at that size. A batch that needs more still works: the workspaces grow at the
   * end of that cycle ({@code SpillPolicy.REALLOCATE}).
   */
  private void presizeWorkspaces(INDArray input) {
    Map<String, Long> small = probe(input, PROBE_BATCH);
    Map<String, Long> large = probe(input, 2 * PROBE_BATCH);
    var manager = Nd4j.getWorkspaceManager();
    for (MemoryWorkspace ws : new java.util.ArrayList<>(manager.getAllWorkspacesForCurrentThread())) {
      String id = ws.getId();
      if (!large.containsKey(id)) {
        continue;
      }
      long perImage = Math.max(0, large.get(id) - small.getOrDefault(id, 0L)) / PROBE_BATCH;
      long fitted = large.get(id) + perImage * (input.size(0) - 2L * PROBE_BATCH);
      WorkspaceConfiguration c = ws.getWorkspaceConfiguration();
      // The learned sizes include DL4J's over-allocation, which it adds again to an initial size.
      double overallocation = c.getPolicyAllocation() == AllocationPolicy.OVERALLOCATE ? 1 + c.getOverallocationLimit() : 1;
      long size = (long) Math.ceil(fitted / overallocation) + PRESIZE_SLACK;
      WorkspaceConfiguration sized = WorkspaceConfiguration.builder()
          .initialSize(size)
          .minSize(c.getMinSize())
          .maxSize(c.getMaxSize())
          .overallocationLimit(c.getOverallocationLimit())
          .policyAllocation(c.getPolicyAllocation())
          .policyLearning(c.getPolicyLearning())
          .policyMirroring(c.getPolicyMirroring())
          .policySpill(c.getPolicySpill())
          .policyReset(c.getPolicyReset())
          .policyLocation(c.getPolicyLocation())
          .cyclesBeforeInitialization(c.getCyclesBeforeInitialization())
          .stepsNumber(c.getStepsNumber())
          .tempFilePath(c.getTempFilePath())
          .build();
      manager.destroyWorkspace(ws);
      manager.getWorkspaceForCurrentThread(sized, id);
    }
  }

  /**
   * One training step on the first {@code images} images with zero output errors, in fresh
   * training workspaces; returns the size each of them learned.
   */
  private Map<String, Long> probe(INDArray input, int images) {
    destroyTrainingWorkspaces();
    INDArray probe = input.get(NDArrayIndex.interval(0, images)).dup('c');
    forwardBackwardOnce(probe, outputs -> {
      INDArray[] zeros = new INDArray[outputs.length];
      for (int i = 0; i < outputs.length; i++) {
        zeros[i] = Nd4j.zeros(outputs[i].dataType(), outputs[i].shape());
      }
      return zeros;
    });
    Map<String, Long> sizes = new java.util.HashMap<>();
    for (MemoryWorkspace ws : Nd4j.getWorkspaceManager().getAllWorkspacesForCurrentThread()) {
      if (isTrainingWorkspace(ws.getId()) && ws.getCurrentSize() > 0) {
        sizes.put(ws.getId(), ws.getCurrentSize());
      }
    }
    return sizes;
  }

  private void destroyTrainingWorkspaces() {
    var manager = Nd4j.getWorkspaceManager();
    for (MemoryWorkspace ws : new java.util.ArrayList<>(manager.getAllWorkspacesForCurrentThread())) {
      if (isTrainingWorkspace(ws.getId())) {
        manager.destroyWorkspace(ws);
      }
    }
  }

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
