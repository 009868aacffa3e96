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
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Real early exit in inference: the graph runs segment by segment (everything classifier k needs
 * that earlier classifiers did not), and after each classifier the images whose softmax
 * confidence reached its threshold leave the batch, so later segments compute only for the rest.
 * Eval mode, so batch norm is per image and dropping rows changes nothing for the others.
 * {@link #predictStream} also regroups the continuing images of many batches into full batches.
 * Not for concurrent use: a predictor reuses its buffers from call to call.
 */
public final class EarlyExitPredictor {
  private final MultiExitNetwork net;
  private final double[] thresholds;
  private final List<List<GraphVertex>> segments = new ArrayList<>();
  private final List<String> logits;
  private final Map<String, String[]> inputsOf = new HashMap<>();
  private final Map<String, Integer> lastUse = new HashMap<>();
  private Waiting[] waiting;  // the images waiting before each segment (index 0 unused), reused across calls
  private int waitingBatch;  // the largest batch those rooms hold two of

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
    return run(List.of(input), thresholds, null);
  }

  /**
   * Predicts many batches for throughput: the images that continue past a classifier wait until a
   * full batch of them has gathered (the size of the largest input batch), so every segment runs
   * at that size rather than at the few images one batch leaves behind; what is left waiting when
   * the input ends runs last. Each image gets what {@link #predict} gives it; the result holds the
   * images in the order of {@code batches}.
   */
  public Prediction predictStream(List<INDArray> batches) {
    return run(batches, thresholds, null);
  }

  /**
   * Seconds each segment takes when no image leaves (the whole batch runs every segment): with
   * the fractions leaving at each classifier they predict what early exit can save from the
   * measured cost of each part of the network, which FLOP counts only approximate (early, wide
   * maps with few channels run at a lower FLOP rate than the deep layers).
   */
  public double[] segmentSeconds(INDArray input) {
    double[] seconds = new double[segments.size()];
    run(List.of(input), neverLeave(), seconds);
    return seconds;
  }

  /**
   * {@link #predictStream} with no image leaving before the last classifier: every classifier
   * computed for every image by this executor, one way of running the whole network that early
   * exit's speed-up is measured against ({@code ./beed predict --bench}).
   */
  public Prediction predictStreamWithoutLeaving(List<INDArray> batches) {
    return run(batches, neverLeave(), null);
  }

  private double[] neverLeave() {
    double[] never = new double[thresholds.length];
    Arrays.fill(never, Double.POSITIVE_INFINITY);
    return never;
  }

  /** The staged prediction of {@code batches} in turn; adds each segment's wall time to {@code seconds} when that is not null. */
  private Prediction run(List<INDArray> batches, double[] exitThresholds, double[] seconds) {
    int total = 0;
    int batch = 0;
    for (INDArray b : batches) {
      total += (int) b.size(0);
      batch = Math.max(batch, (int) b.size(0));
    }
    Pass pass = new Pass(exitThresholds, seconds, new int[total], new int[total], waitingRooms(batch));
    String input = net.inferenceGraph().getConfiguration().getNetworkInputs().get(0);
    int fullBatch = batch;
    return net.inInferenceLayout(() -> {
      int next = 0;
      for (INDArray b : batches) {
        int[] images = new int[(int) b.size(0)];
        for (int i = 0; i < images.length; i++) {
          images[i] = next++;
        }
        runSegment(0, Map.of(input, net.inferenceInput(b)), images, pass);
        runWaiting(pass, fullBatch, false);
      }
      runWaiting(pass, fullBatch, true);
      return new Prediction(pass.classes, pass.exitAt);
    });
  }

  /** One call's thresholds, timing, predictions so far, and the images waiting before each segment. */
  private record Pass(double[] thresholds, double[] seconds, int[] classes, int[] exitAt, Waiting[] waiting) {}

  /**
   * Empty waiting rooms for batches of up to {@code batch} images, reusing the last call's buffers
   * when they are large enough (allocating them per call made a pass slower: fresh memory outside
   * workspaces is page-faulted, and ND4J frees it only after a garbage collection).
   */
  private Waiting[] waitingRooms(int batch) {
    if (waiting == null || waitingBatch < batch) {
      waiting = new Waiting[segments.size()];
      for (int k = 1; k < waiting.length; k++) {
        waiting[k] = new Waiting(batch);
      }
      waitingBatch = batch;
    }
    for (int k = 1; k < waiting.length; k++) {
      waiting[k].count = 0;
    }
    return waiting;
  }

  /**
   * The images waiting for one segment and the maps it and later segments read, in buffers with
   * room for two batches (outside any workspace, since groups outlive a workspace cycle).
   */
  private static final class Waiting {
    final int capacity;
    final int[] images;
    final Map<String, INDArray> rows = new HashMap<>();  // name -> [capacity, values per image]
    final Map<String, long[]> shapes = new HashMap<>();  // name -> the map's shape
    int count;

    Waiting(int batch) {
      capacity = 2 * batch;
      images = new int[capacity];
    }

    /** Appends the given rows of {@code maps} (batch first, dense per image) for the given images. */
    void append(Map<String, INDArray> maps, int[] rowsToCopy, int[] imageIds) {
      try (MemoryWorkspace none = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
        maps.forEach((name, a) -> {
          long perImage = a.length() / a.size(0);
          INDArray buffer = rows.computeIfAbsent(name, n -> Nd4j.createUninitialized(a.dataType(), capacity, perImage));
          shapes.putIfAbsent(name, a.shape().clone());  // ND4J hands out its own shape array
          INDArray into = buffer.get(NDArrayIndex.interval(count, count + rowsToCopy.length), NDArrayIndex.all());
          Nd4j.pullRows(a.reshape('c', a.size(0), perImage), into, 1, rowsToCopy);
        });
      }
      System.arraycopy(imageIds, 0, images, count, imageIds.length);
      count += imageIds.length;
    }

    /** The first {@code n} waiting images' maps, as views of the buffers. */
    Map<String, INDArray> first(int n) {
      Map<String, INDArray> maps = new HashMap<>();
      rows.forEach((name, buffer) -> {
        long[] shape = shapes.get(name).clone();
        shape[0] = n;
        maps.put(name, buffer.get(NDArrayIndex.interval(0, n), NDArrayIndex.all()).reshape('c', shape));
      });
      return maps;
    }

    /** Drops the first {@code n} images, moving the rest to the front. */
    void dropFirst(int n) {
      int rest = count - n;
      if (rest > 0) {  // rest < n: the two row ranges never overlap
        rows.values().forEach(buffer -> buffer.get(NDArrayIndex.interval(0, rest), NDArrayIndex.all())
            .assign(buffer.get(NDArrayIndex.interval(n, count), NDArrayIndex.all())));
        System.arraycopy(images, n, images, 0, rest);
      }
      count = rest;
    }
  }

  /** Runs every segment with a full batch waiting (or, when flushing, anything waiting), in order. */
  private void runWaiting(Pass pass, int batch, boolean flush) {
    for (int k = 1; k < segments.size(); k++) {
      Waiting w = pass.waiting()[k];
      while (w.count >= batch || (flush && w.count > 0)) {
        int n = Math.min(batch, w.count);
        runSegment(k, w.first(n), Arrays.copyOf(w.images, n), pass);
        w.dropFirst(n);
      }
    }
  }

  /**
   * Segment {@code k} for a group of images in one workspace cycle (reused from the first call on
   * instead of allocating every activation afresh): records the images that leave at its
   * classifier and appends the others, with the maps later segments read, to the images waiting
   * for segment {@code k + 1}.
   */
  private void runSegment(int k, Map<String, INDArray> inputs, int[] images, Pass pass) {
    LayerWorkspaceMgr mgr = LayerWorkspaceMgr.builder()
        .with(ArrayType.INPUT, WORKSPACE, WORKSPACE_CONFIG)
        .with(ArrayType.ACTIVATIONS, WORKSPACE, WORKSPACE_CONFIG)
        .with(ArrayType.FF_WORKING_MEM, WORKSPACE, WORKSPACE_CONFIG)
        .build();
    mgr.setHelperWorkspacePointers(new HashMap<>());
    try (MemoryWorkspace ws = mgr.notifyScopeEntered(ArrayType.ACTIVATIONS)) {
      long start = System.nanoTime();
      Map<String, INDArray> acts = new HashMap<>(inputs);
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
      if (pass.seconds() != null) {
        pass.seconds()[k] += (System.nanoTime() - start) / 1e9;
      }
      int width = (int) z.size(1);
      boolean last = k == segments.size() - 1;
      List<Integer> keep = new ArrayList<>();
      for (int r = 0; r < images.length; r++) {
        double[] softmax = softmaxMax(flat, r * width, width);
        if (last || softmax[0] >= pass.thresholds()[k]) {
          pass.classes()[images[r]] = (int) softmax[1];
          pass.exitAt()[images[r]] = k;
        } else {
          keep.add(r);
        }
      }
      if (!keep.isEmpty()) {
        int[] keepRows = keep.stream().mapToInt(Integer::intValue).toArray();
        Map<String, INDArray> later = new HashMap<>();
        acts.forEach((name, a) -> {
          if (lastUse.getOrDefault(name, -1) > k) {
            later.put(name, a);
          }
        });
        pass.waiting()[k + 1].append(later, keepRows, Arrays.stream(keepRows).map(r -> images[r]).toArray());
      }
    }
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
