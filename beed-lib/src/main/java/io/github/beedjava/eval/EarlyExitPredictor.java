package io.github.beedjava.eval;

import io.github.beedjava.engine.Workspaces;
import io.github.beedjava.network.MultiExitNetwork;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Real early exit in inference: the graph runs segment by segment (everything classifier k needs
 * that earlier classifiers did not), and after each classifier the images whose softmax
 * confidence reached its threshold leave the batch, so later segments compute only for the rest.
 * Eval mode, so batch norm is per image and dropping rows changes nothing for the others.
 */
public final class EarlyExitPredictor {
  private final MultiExitNetwork net;
  private final double[] thresholds;
  private final List<List<GraphVertex>> segments = new ArrayList<>();
  private final List<String> logits;
  private final Map<String, String[]> inputsOf = new HashMap<>();
  private final Map<String, Integer> lastUse = new HashMap<>();

  private static final String WORKSPACE = "BEED_EARLY_EXIT";
  private static final WorkspaceConfiguration WORKSPACE_CONFIG = Workspaces.learnedInFirstCycle();

  /**
   * Predictions of a batch.
   *
   * @param classes predicted class per image
   * @param exitAt 0-based classifier each image left at
   */
  public record Prediction(int[] classes, int[] exitAt) {}

  /**
   * @param thresholds confidence threshold per classifier (the last is ignored: everything left exits there)
   */
  public EarlyExitPredictor(MultiExitNetwork net, double[] thresholds) {
    this.net = net;
    this.thresholds = thresholds.clone();
    this.logits = net.blueprint().logits();
    if (thresholds.length != logits.size()) {
      throw new IllegalArgumentException("thresholds: need one per classifier (" + logits.size() + "), got " + thresholds.length);
    }
    // The eval-mode graph: BNs folded, its maps blocked or channels-last where the architecture allows.
    GraphVertex[] vertices = net.inferenceGraph().getVertices();
    for (GraphVertex v : vertices) {
      VertexIndices[] in = v.getInputVertices();
      String[] names = new String[in == null ? 0 : in.length];
      for (int i = 0; i < names.length; i++) {
        names[i] = vertices[in[i].getVertexIndex()].getVertexName();
      }
      inputsOf.put(v.getVertexName(), names);
    }
    Set<String> done = new HashSet<>();
    int[] order = net.inferenceGraph().topologicalSortOrder();
    for (int k = 0; k < logits.size(); k++) {
      Set<String> need = ancestors(logits.get(k));
      List<GraphVertex> segment = new ArrayList<>();
      for (int idx : order) {
        GraphVertex v = vertices[idx];
        if (!v.isInputVertex() && need.contains(v.getVertexName()) && done.add(v.getVertexName())) {
          segment.add(v);
          for (String input : inputsOf.get(v.getVertexName())) {
            lastUse.merge(input, k, Math::max);
          }
        }
      }
      segments.add(segment);
    }
  }

  private Set<String> ancestors(String vertex) {
    Set<String> seen = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>(List.of(vertex));
    while (!todo.isEmpty()) {
      String v = todo.pop();
      if (seen.add(v)) {
        todo.addAll(Arrays.asList(inputsOf.getOrDefault(v, new String[0])));
      }
    }
    return seen;
  }

  /** Predicts a batch, computing each segment only for the images still running. */
  public Prediction predict(INDArray input) {
    return net.inInferenceLayout(() -> predictSegments(input, thresholds, null));
  }

  /**
   * Seconds each segment takes when no image leaves (the whole batch runs every segment): with
   * the fractions leaving at each classifier they predict what early exit can save from the
   * measured cost of each part of the network, which FLOP counts only approximate (early, wide
   * maps with few channels run at a lower FLOP rate than the deep layers).
   */
  public double[] segmentSeconds(INDArray input) {
    double[] never = new double[thresholds.length];
    Arrays.fill(never, Double.POSITIVE_INFINITY);
    double[] seconds = new double[segments.size()];
    net.inInferenceLayout(() -> predictSegments(input, never, seconds));
    return seconds;
  }

  /** The staged prediction; adds each segment's wall time to {@code seconds} when that is not null. */
  private Prediction predictSegments(INDArray input, double[] thresholds, double[] seconds) {
    int n = (int) input.size(0);
    int[] classes = new int[n];
    int[] exitAt = new int[n];
    int[] alive = new int[n];
    for (int i = 0; i < n; i++) {
      alive[i] = i;
    }
    // One workspace for the whole call: activations live until their last segment, and after the
    // first batch the memory is reused instead of freshly allocated (and page-faulted) per layer.
    LayerWorkspaceMgr mgr = LayerWorkspaceMgr.builder()
        .with(ArrayType.INPUT, WORKSPACE, WORKSPACE_CONFIG)
        .with(ArrayType.ACTIVATIONS, WORKSPACE, WORKSPACE_CONFIG)
        .with(ArrayType.FF_WORKING_MEM, WORKSPACE, WORKSPACE_CONFIG)
        .build();
    mgr.setHelperWorkspacePointers(new HashMap<>());
    try (MemoryWorkspace ws = mgr.notifyScopeEntered(ArrayType.ACTIVATIONS)) {
      Map<String, INDArray> acts = new HashMap<>();
      acts.put(net.inferenceGraph().getConfiguration().getNetworkInputs().get(0), net.inferenceInput(input));
      for (int k = 0; k < segments.size() && alive.length > 0; k++) {
        long start = System.nanoTime();
        for (GraphVertex v : segments.get(k)) {
          String[] in = inputsOf.get(v.getVertexName());
          for (int i = 0; i < in.length; i++) {
            v.setInput(i, acts.get(in[i]), mgr);
          }
          acts.put(v.getVertexName(), v.doForward(false, mgr));
          v.clear();
        }
        INDArray z = acts.get(logits.get(k));
        // One bulk copy of the logits: ND4J's toDoubleMatrix makes two native calls per row, which
        // took 13 % of a staged pass at batch 128 (bench/HISTORY.md, "Ninth pass").
        float[] flat = z.dup('c').data().asFloat();  // also waits for the segment's last op
        if (seconds != null) {
          seconds[k] += (System.nanoTime() - start) / 1e9;
        }
        int width = (int) z.size(1);
        boolean last = k == segments.size() - 1;
        List<Integer> keep = new ArrayList<>();
        for (int r = 0; r < alive.length; r++) {
          double[] softmax = softmaxMax(flat, r * width, width);
          if (last || softmax[0] >= thresholds[k]) {
            classes[alive[r]] = (int) softmax[1];
            exitAt[alive[r]] = k;
          } else {
            keep.add(r);
          }
        }
        if (keep.size() < alive.length) {
          int[] current = alive;
          int[] nextAlive = keep.stream().mapToInt(r -> current[r]).toArray();
          final int segment = k;
          acts.entrySet().removeIf(e -> lastUse.getOrDefault(e.getKey(), -1) <= segment);
          if (!keep.isEmpty()) {
            int[] keepRows = keep.stream().mapToInt(Integer::intValue).toArray();
            acts.replaceAll((name, a) -> rowsOf(a, keepRows));
          }
          alive = nextAlive;
        }
      }
    }
    return new Prediction(classes, exitAt);
  }

  /** The given rows (first dimension) of a dense array, copied in one native pass. */
  private static INDArray rowsOf(INDArray a, int[] rows) {
    long[] shape = a.shape();
    long perRow = a.length() / shape[0];
    INDArray flat = a.reshape('c', shape[0], perRow);  // a view: every map here is dense in C order per image
    shape[0] = rows.length;
    return Nd4j.pullRows(flat, 1, rows).reshape('c', shape);
  }

  /** {max softmax probability, arg-max} of the logits {@code z[from, from + n)}. */
  private static double[] softmaxMax(float[] z, int from, int n) {
    int best = 0;
    for (int j = 1; j < n; j++) {
      if (z[from + j] > z[from + best]) {
        best = j;
      }
    }
    double top = z[from + best];
    double sum = 0;
    for (int j = 0; j < n; j++) {
      sum += Math.exp(z[from + j] - top);
    }
    return new double[] {1.0 / sum, best};
  }
}
