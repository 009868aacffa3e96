package io.github.beedjava.network;

import io.github.beedjava.engine.Workspaces;
import io.github.beedjava.engine.layers.FeatureMapOutputLayer;
import io.github.beedjava.engine.layout.BlockedActivations;
import io.github.beedjava.model.Blueprint;
import io.github.beedjava.model.LayerCost;
import io.github.beedjava.model.ModelConfig;
import io.github.beedjava.model.Models;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A multi-exit network: a DL4J graph whose outputs are the K logits and K distillation features
 * (exit 1 first, main network last), with parameters addressable by their PyTorch names.
 */
public final class MultiExitNetwork {
  private final Blueprint blueprint;
  private final MultiExitGraph graph;
  private final List<ParameterRef> parameters;
  /** The eval-mode copy of {@link #graph} ({@link InferenceCopy}); null when none applies. Built on first use. */
  private InferenceCopy inferenceCopy;
  private boolean inferenceCopyChecked;
  /** What this network ran last on this thread, to hand back the other phase's memory on a switch. */
  private Phase lastPhase = Phase.NONE;

  private enum Phase { NONE, TRAINING, INFERENCE }

  private MultiExitNetwork(Blueprint blueprint) {
    this.blueprint = blueprint;
    this.graph = new MultiExitGraph(blueprint.graph());
    graph.init();
    this.parameters = Collections.unmodifiableList(listParameters());
  }

  /** Builds and initialises the network of a config (PyTorch-equivalent init, config seed). */
  public static MultiExitNetwork create(ModelConfig config) {
    MultiExitNetwork net = new MultiExitNetwork(Models.blueprint(config));
    PyTorchInit.apply(net, config.seed());
    return net;
  }

  /** The configuration this network was built from. */
  public ModelConfig config() {
    return blueprint.config();
  }

  /** Description, layer costs and graph configuration. */
  public Blueprint blueprint() {
    return blueprint;
  }

  /**
   * The underlying DL4J graph (NCHW, used for training). Change its parameters in place
   * ({@code params().assign(...)}): the channels-last inference graph shares that buffer.
   */
  public MultiExitGraph graph() {
    return graph;
  }

  /** Number of classifiers K. */
  public int numClassifiers() {
    return blueprint.numClassifiers();
  }

  /**
   * Forward pass without gradients.
   *
   * @param input NCHW batch in the network's data type
   * @param train true: batch statistics in BN (running statistics are not changed); false: eval mode
   */
  public Outputs forward(INDArray input, boolean train) {
    return train ? Outputs.split(graph.output(true, input)) : evaluate(input, true);
  }

  /**
   * Eval-mode logits of every classifier, without copying out the feature maps (its
   * {@link Outputs#features()} is empty): what accuracy, confidence and early-exit evaluation
   * need. Each batch's copies stay in memory until a garbage collection (see
   * {@link Outputs#release()}), so not copying the features keeps an evaluation loop's memory flat.
   */
  public Outputs logits(INDArray input) {
    return evaluate(input, false);
  }

  /** Eval-mode pass through {@link #inferenceGraph()}; the results are fresh NCHW arrays. */
  private Outputs evaluate(INDArray input, boolean withFeatures) {
    enter(Phase.INFERENCE);
    MultiExitGraph inference = inferenceGraph();
    boolean channelsLast = inferenceChannelsLast();
    INDArray graphInput = inferenceInput(input);
    INDArray[] logits = new INDArray[numClassifiers()];
    INDArray[] features = new INDArray[withFeatures ? numClassifiers() : 0];
    // DL4J's outputs would be detached arrays, whose memory ND4J returns only at a garbage
    // collection, which runs rarely during inference: the process grew by ~16 MB per batch at width
    // 1. In a workspace of ours they reuse one block; only the copies handed back are fresh
    // (bench/HISTORY.md, "Fourth pass").
    try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(OUTPUT_WORKSPACE, OUTPUT_WORKSPACE_ID)) {
      // Logits alone: the copy's feature-map outputs are placeholders, not copies of each exit's last map.
      Outputs inWorkspace = Outputs.split(inInferenceLayout(() -> withFeatures
          ? inference.output(false, ws, graphInput)
          : FeatureMapOutputLayer.logitsOnly(() -> inference.output(false, ws, graphInput))));
      try (MemoryWorkspace none = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
        for (int k = 0; k < logits.length; k++) {
          logits[k] = inWorkspace.logits()[k].dup();
        }
        for (int k = 0; k < features.length; k++) {
          INDArray f = inWorkspace.features()[k];
          features[k] = channelsLast ? f.permute(0, 3, 1, 2).dup('c') : f.dup('c');  // NCHW, like every other path
        }
      }
    } finally {
      if (channelsLast) {
        graphInput.close();
      }
    }
    return new Outputs(logits, features);
  }

  /** The workspace the inference graph writes its outputs into; they are copied out before it closes. */
  private static final String OUTPUT_WORKSPACE_ID = "BEED_INFERENCE_OUTPUTS";

  private static final WorkspaceConfiguration OUTPUT_WORKSPACE = Workspaces.learnedInFirstCycle();

  /**
   * The graph that eval-mode passes run: the inference copy (BNs folded; maps blocked, or
   * channels-last) where the architecture allows one, else {@link #graph()}. Feed it
   * {@link #inferenceInput} and run it inside {@link #inInferenceLayout}.
   */
  public MultiExitGraph inferenceGraph() {
    InferenceCopy copy = inferenceCopy();
    return copy != null ? copy.graph() : graph;
  }

  /**
   * Runs an eval-mode pass of {@link #inferenceGraph()} ({@code pass}) with that graph's
   * activation layout in use: inside it the maps between its convolutions stay in oneDNN's blocked
   * layout where it has one; its outputs are NCHW (or NHWC for a channels-last graph) either way.
   */
  public <T> T inInferenceLayout(java.util.function.Supplier<T> pass) {
    return BlockedActivations.with(inferenceCopy() != null && inferenceCopy().blocked(), pass);
  }

  /** An NCHW batch in the layout {@link #inferenceGraph()} expects (an NHWC copy when it is channels-last). */
  public INDArray inferenceInput(INDArray nchw) {
    return inferenceChannelsLast() ? nchw.permute(0, 2, 3, 1).dup('c') : nchw;
  }

  /** Whether eval-mode passes run the channels-last copy (NHWC inputs and outputs). */
  private boolean inferenceChannelsLast() {
    return inferenceCopy() != null && !inferenceCopy().blocked();
  }

  /** The eval-mode copy, built on first use; null when neither layout applies (the training graph evaluates). */
  private InferenceCopy inferenceCopy() {
    if (!inferenceCopyChecked) {
      inferenceCopyChecked = true;
      inferenceCopy = InferenceCopy.of(blueprint, graph).orElse(null);
    }
    return inferenceCopy;
  }

  /**
   * Hands back the memory of the phase that ran before, when the phase changes. Training keeps
   * every activation of a step in one workspace (1.3 GiB at width 1, batch 128) that inference does
   * not use, and inference keeps its own workspaces and the weights in its primitives' layouts
   * (about 0.5 GiB there) that training does not use, and that are stale once a step has changed
   * the weights. Holding both made the process peak their sum (bench/HISTORY.md, "Fourth pass").
   * The next step sizes its workspaces again with its probes ({@link MultiExitGraph}); the next
   * inference pass remakes its own. Arrays handed out by this class are detached and stay valid.
   */
  private void enter(Phase phase) {
    if (lastPhase != Phase.NONE && lastPhase != phase) {
      if (phase == Phase.TRAINING && inferenceCopy != null) {
        inferenceCopy.releaseWeights();
      }
      Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread();
    }
    lastPhase = phase;
  }

  /**
   * One training-mode forward pass and one backward pass. {@code errorsOf} turns the outputs into
   * dLoss/dOutput (an {@link Outputs} of the same shapes). Gradients are then available through
   * {@link #gradient(ParameterRef)}; parameters are unchanged.
   *
   * @return the forward outputs
   */
  public Outputs forwardBackward(INDArray input, Function<Outputs, Outputs> errorsOf) {
    enter(Phase.TRAINING);
    INDArray[] all =
        graph.forwardBackward(
            input,
            outs -> {
              Outputs e = errorsOf.apply(Outputs.split(outs));
              INDArray[] errors = new INDArray[outs.length];
              System.arraycopy(e.logits(), 0, errors, 0, e.logits().length);
              System.arraycopy(e.features(), 0, errors, e.logits().length, e.features().length);
              return errors;
            });
    return Outputs.split(all);
  }

  /** Every tensor of the PyTorch state dict, in module order. */
  public List<ParameterRef> parameters() {
    return parameters;
  }

  /** The live DL4J view of a tensor (PyTorch layout except for Linear weights, see {@link ParameterRef.Kind}). */
  public INDArray parameter(ParameterRef ref) {
    return parameter(ref.layer(), ref.dl4jKey());
  }

  /** The live DL4J view of a layer's parameter. */
  public INDArray parameter(String layer, String key) {
    return graph.getLayer(layer).getParam(key);
  }

  /** The gradient of the last {@link #forwardBackward} for a tensor (DL4J layout). */
  public INDArray gradient(ParameterRef ref) {
    return graph.gradient().gradientForVariable().get(ref.layer() + "_" + ref.dl4jKey());
  }

  /** Trainable parameters (BN running statistics excluded), the count PyTorch reports. */
  public long trainableParameterCount() {
    long n = 0;
    for (ParameterRef ref : parameters) {
      if (ref.trainable()) {
        n += parameter(ref).length();
      }
    }
    return n;
  }

  /** For every BN layer, H*W of its input. */
  public Map<String, Integer> batchNormSpatial() {
    return blueprint.batchNormSpatial();
  }

  private List<ParameterRef> listParameters() {
    List<ParameterRef> refs = new ArrayList<>();
    for (LayerCost cost : blueprint.costs()) {
      String name = cost.layer();
      Layer layer = graph.getLayer(name);
      if (layer == null || layer.numParams() == 0) {
        continue;
      }
      Map<String, INDArray> table = layer.paramTable();
      if (layer instanceof org.deeplearning4j.nn.layers.convolution.DepthwiseConvolution2DLayer) {
        refs.add(new ParameterRef(name + ".weight", name, "W", ParameterRef.Kind.DEPTHWISE_WEIGHT));
      } else if (layer instanceof ConvolutionLayer) {
        refs.add(new ParameterRef(name + ".weight", name, "W", ParameterRef.Kind.CONV_WEIGHT));
        if (table.containsKey("b")) {
          refs.add(new ParameterRef(name + ".bias", name, "b", ParameterRef.Kind.VECTOR));
        }
      } else if (layer instanceof BatchNormalization) {
        refs.add(new ParameterRef(name + ".weight", name, "gamma", ParameterRef.Kind.VECTOR));
        refs.add(new ParameterRef(name + ".bias", name, "beta", ParameterRef.Kind.VECTOR));
        refs.add(new ParameterRef(name + ".running_mean", name, "mean", ParameterRef.Kind.RUNNING_STATISTIC));
        refs.add(new ParameterRef(name + ".running_var", name, "var", ParameterRef.Kind.RUNNING_STATISTIC));
      } else if (layer instanceof DenseLayer) {
        refs.add(new ParameterRef(name + ".weight", name, "W", ParameterRef.Kind.LINEAR_WEIGHT));
        refs.add(new ParameterRef(name + ".bias", name, "b", ParameterRef.Kind.VECTOR));
      } else {
        throw new IllegalStateException("no PyTorch name mapping for layer " + name + " of " + layer.getClass());
      }
    }
    return refs;
  }
}
