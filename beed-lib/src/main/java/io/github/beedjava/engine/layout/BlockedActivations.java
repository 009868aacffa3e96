package io.github.beedjava.engine.layout;

import io.github.beedjava.engine.layers.DirectConvolutionSettings;
import io.github.beedjava.engine.layers.DirectDepthwiseConvolution;
import io.github.beedjava.engine.layers.GlobalAveragePooling;
import io.github.beedjava.engine.layers.LinearConvolution;
import io.github.beedjava.engine.layers.LinearConvolutionLayer;
import io.github.beedjava.engine.layers.SinglePassRelu;
import io.github.beedjava.engine.layers.FeatureMapOutput;
import io.github.beedjava.engine.layers.SumVertex;
import io.github.beedjava.engine.onednn.OneDnnConvolution;
import io.github.beedjava.engine.simd.JavaBatchNormHelper;
import io.github.beedjava.engine.simd.VectorApi;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.PoolingType;

/**
 * Activations kept in oneDNN's blocked layout between layers. oneDNN's convolutions
 * compute in a layout where each pixel holds one vector of consecutive channels: 16 with AVX-512
 * ({@code nChw16c}, shape [N][C/16][H][W][16]), 8 with AVX2 ({@code nChw8c}); with NCHW arrays
 * between layers every convolution copies its input, its
 * output, its output error and its input gradient from one layout to the other: 17 % of a
 * width-1/4 training step (bench/HISTORY.md, "Sixth pass"), and PyTorch 1.13 makes the same copies.
 *
 * <p>A planned vertex's output array keeps its logical NCHW shape, but its memory holds the
 * blocked layout; the errors flowing back into it do too. That is only correct while every reader
 * of such an array knows it, so {@link #plan} admits a vertex only when all its readers are:
 * convolutions run by {@link OneDnnConvolution}, dense or depthwise with one output per channel (with channel
 * counts that are multiples of {@link #BLOCK}), batch
 * norms run by {@link JavaBatchNormHelper}'s SIMD loops, ReLUs and residual sums (element-wise), and
 * {@link GlobalAveragePooling}, and {@link FeatureMapOutput} (which hands a feature map out as NCHW). Anything else (a graph output, a feature map read by a loss, a dense
 * layer, a squeeze-excitation scale, ...) makes its producers keep NCHW. The layout is only used
 * inside {@code MultiExitGraph.forwardBackward} and the eval-mode passes of the inference copy
 * ({@code MultiExitNetwork.inInferenceLayout}), which hand out nothing but the graph outputs (NCHW)
 * and parameter gradients; every other pass ({@code feedForward}, {@code output} on the training
 * graph) runs in NCHW, so a map a user inspects is always NCHW.
 */
public final class BlockedActivations {
  /** Channels per block: one vector of floats, 16 with AVX-512 and 8 with AVX2 (oneDNN's block on each). */
  public static final int BLOCK = VectorApi.floatLanes() >= 16 ? 16 : 8;

  private static final ThreadLocal<Boolean> ACTIVE = ThreadLocal.withInitial(() -> false);

  private BlockedActivations() {}

  /**
   * Whether this process can use the layout: convolutions through this library, a CPU whose vectors
   * hold a block (AVX-512 or AVX2), the Vector API, and not switched off ({@link
   * io.github.beedjava.engine.onednn.DirectOneDnn#blockedLayout()}).
   */
  public static boolean available() {
    return io.github.beedjava.engine.onednn.DirectOneDnn.blockedLayout() && VectorApi.floatLanes() == BLOCK;
  }

  /** Whether the current thread is inside a pass that uses the layout ({@link #with}). */
  public static boolean active() {
    return ACTIVE.get();
  }

  /** Runs {@code pass} with the layout in use on this thread ({@code true}) or not. */
  public static <T> T with(boolean active, Supplier<T> pass) {
    boolean before = ACTIVE.get();
    ACTIVE.set(active);
    try {
      return pass.get();
    } finally {
      ACTIVE.set(before);
    }
  }

  /**
   * The vertices whose outputs can be blocked in a pass of {@code conf}: the largest set
   * in which every member's readers all read the blocked layout (see the class comment); empty for
   * a network that is not float.
   */
  public static Set<String> plan(ComputationGraphConfiguration conf) {
    if (conf.getDataType() != org.nd4j.linalg.api.buffer.DataType.FLOAT) {
      return Set.of();  // the direct convolutions and the SIMD loops are float only
    }
    Map<String, List<String>> inputs = conf.getVertexInputs();
    Map<String, GraphVertex> vertices = conf.getVertices();

    // Convolutions that can write the layout, and everything between them that passes it on.
    Set<String> blocked = new HashSet<>();
    boolean grew = true;
    while (grew) {
      grew = false;
      for (var entry : vertices.entrySet()) {
        String name = entry.getKey();
        if (blocked.contains(name)) {
          continue;
        }
        Layer layer = layerOf(entry.getValue());
        ConvolutionLayer conv = directConvolution(layer);
        boolean producer = conv != null && conv.getNOut() % BLOCK == 0;
        boolean passesOn = passesLayoutOn(entry.getValue()) && !inputs.get(name).isEmpty()
            && blocked.containsAll(inputs.get(name));
        if (producer || passesOn) {
          blocked.add(name);
          grew = true;
        }
      }
    }
    return restrict(conf, blocked);
  }

  /**
   * Below this share of its convolutions in the plan, an inference copy runs faster channels-last
   * than blocked: every convolution outside the plan copies its input and output between layouts,
   * where NHWC needs no copies. Measured at width 1/4, batch 128, on AVX-512 (bench/HISTORY.md,
   * "Twelfth pass"): MobileNetV2 (59 % planned) and EfficientNetB0 (10 %) infer 1.22x and 1.25x faster
   * channels-last; WRN16-4 (76 %) and WRN28-4 (78 %) the same either way; ResNet18 (84 %) 1.09x
   * faster blocked.
   */
  public static final double INFERENCE_MIN_COVERAGE = 0.75;

  /** The share of {@code conf}'s convolution layers (dense and depthwise) whose outputs {@code plan} blocks. */
  public static double convolutionCoverage(ComputationGraphConfiguration conf, Set<String> plan) {
    int convolutions = 0;
    int planned = 0;
    for (var entry : conf.getVertices().entrySet()) {
      if (layerOf(entry.getValue()) instanceof ConvolutionLayer) {
        convolutions++;
        planned += plan.contains(entry.getKey()) ? 1 : 0;
      }
    }
    return convolutions == 0 ? 0 : (double) planned / convolutions;
  }

  /** The largest subset of {@code candidates} in which every member's readers all read the blocked layout. */
  private static Set<String> restrict(ComputationGraphConfiguration conf, Set<String> candidates) {
    Map<String, List<String>> inputs = conf.getVertexInputs();
    Map<String, List<String>> readers = new HashMap<>();
    inputs.forEach((vertex, ins) -> ins.forEach(in -> readers.computeIfAbsent(in, k -> new ArrayList<>()).add(vertex)));
    Map<String, GraphVertex> vertices = conf.getVertices();
    Set<String> blocked = new HashSet<>(candidates);
    // Drop every vertex that has a reader of NCHW, until none is left.
    boolean shrank = true;
    while (shrank) {
      shrank = false;
      for (String name : new ArrayList<>(blocked)) {
        boolean keep = !conf.getNetworkOutputs().contains(name)
            && (!passesLayoutOn(vertices.get(name)) || blocked.containsAll(inputs.get(name)));
        for (String reader : readers.getOrDefault(name, List.of())) {
          GraphVertex r = vertices.get(reader);
          keep &= passesLayoutOn(r) ? blocked.contains(reader) : readsLayout(r);
        }
        if (!keep) {
          blocked.remove(name);
          shrank = true;
        }
      }
    }
    return blocked;
  }

  private static Layer layerOf(GraphVertex vertex) {
    return vertex instanceof LayerVertex lv && lv.getPreProcessor() == null ? lv.getLayerConf().getLayer() : null;
  }

  /** Element-wise vertices and BN: their output has their input's layout. */
  private static boolean passesLayoutOn(GraphVertex vertex) {
    Layer layer = layerOf(vertex);
    return vertex instanceof SumVertex
        || layer instanceof SinglePassRelu
        || layer instanceof BatchNormalization bn && bn.getCnn2DFormat() == CNN2DFormat.NCHW && !bn.isLockGammaBeta();
  }

  /** Readers (other than pass-on vertices) that take a blocked input. */
  private static boolean readsLayout(GraphVertex vertex) {
    Layer layer = layerOf(vertex);
    ConvolutionLayer conv = directConvolution(layer);
    if (conv != null) {
      return conv.getNIn() % BLOCK == 0;
    }
    return layer instanceof GlobalAveragePooling pool && pool.isCollapseDimensions()
        && pool.getPoolingType() == PoolingType.AVG
        || layer instanceof FeatureMapOutput;
  }

  /**
   * The layer's configuration if {@link OneDnnConvolution} runs it: a {@link LinearConvolution} (see
   * LinearConvolutionLayer; one with a folded BN is in an inference graph, where it is too) or a
   * {@link DirectDepthwiseConvolution} with one output per channel; null for any other layer.
   */
  private static ConvolutionLayer directConvolution(Layer layer) {
    boolean direct = layer instanceof LinearConvolution
        || layer instanceof DirectDepthwiseConvolution dw && dw.getDepthMultiplier() == 1;
    if (!direct) {
      return null;
    }
    ConvolutionLayer conv = (ConvolutionLayer) layer;
    return DirectConvolutionSettings.takes(conv) && conv.getCnn2dDataFormat() == CNN2DFormat.NCHW ? conv : null;
  }
}
