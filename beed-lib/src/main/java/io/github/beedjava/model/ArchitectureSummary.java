package io.github.beedjava.model;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A Fig. 1-style description of a network: operator, channels, repeat and stride per stage and
 * per exit, and the trainable parameters and forward cost of each classifier (the backbone up to
 * its exit plus the exit itself). Costs count convolutions and Linear layers; MFLOPs = 2 × MACs.
 */
public final class ArchitectureSummary {

  /**
   * Cost of one classifier.
   *
   * @param name {@code Exit1}.. or {@code Main}
   * @param params trainable parameters counted
   * @param macs forward multiply-accumulates per image counted
   * @param elementOps ReLU outputs, pooled elements and Linear biases per image (see {@link LayerCost})
   */
  public record ClassifierCost(String name, long params, long macs, long elementOps) {
    /** Forward MFLOPs per image (2 × MACs / 10^6). */
    public double mflops() {
      return 2.0 * macs / 1e6;
    }

    /** What MSDNet's op counter reports as FLOPs: multiply-accumulates plus element operations. */
    public long counterOps() {
      return macs + elementOps;
    }
  }

  private final Blueprint blueprint;
  private final Map<String, LayerCost> byName = new java.util.HashMap<>();
  private final List<ClassifierCost> classifiers = new ArrayList<>();
  private final List<ClassifierCost> leaving = new ArrayList<>();
  private final long totalParams;

  /** Summarises a blueprint (no network needs to be allocated). */
  public ArchitectureSummary(Blueprint blueprint) {
    this.blueprint = blueprint;
    for (LayerCost c : blueprint.costs()) {
      byName.put(c.layer(), c);
    }
    int k = blueprint.numClassifiers();
    Set<String> computed = new HashSet<>();
    for (int i = 0; i < k; i++) {
      String name = Blueprint.classifierName(i, k);
      classifiers.add(cost(name, ancestors(blueprint.logits().get(i), blueprint.edges())));
      computed.addAll(ancestors(blueprint.logits().get(i), blueprint.edges()));
      for (String held : blueprint.heldAtClassifier().get(i)) {
        computed.addAll(ancestors(held, blueprint.edges()));
      }
      leaving.add(cost(name, computed));
    }
    this.totalParams = blueprint.costs().stream().mapToLong(LayerCost::params).sum();
  }

  private ClassifierCost cost(String name, Set<String> vertices) {
    long params = 0;
    long macs = 0;
    long elementOps = 0;
    for (String v : vertices) {
      LayerCost c = byName.get(v);
      if (c != null) {
        params += c.params();
        macs += c.macs();
        elementOps += c.elementOps();
      }
    }
    return new ClassifierCost(name, params, macs, elementOps);
  }

  /** Fig. 1 rows, main network first. */
  public List<ArchitectureRow> rows() {
    return blueprint.rows();
  }

  /** Per-classifier costs, exit 1 first, main network last. */
  public List<ClassifierCost> classifiers() {
    return classifiers;
  }

  /**
   * MFLOPs an image costs when it leaves at each classifier in early-exit inference: everything
   * computed up to that point, i.e. the backbone up to the exit plus every exit passed on the way.
   */
  public double[] earlyExitMflops() {
    int k = blueprint.numClassifiers();
    double[] out = new double[k];
    Set<String> computed = new HashSet<>();
    for (int i = 0; i < k; i++) {
      computed.addAll(ancestors(blueprint.logits().get(i), blueprint.edges()));
      out[i] = cost("", computed).mflops();
    }
    return out;
  }

  /**
   * What leaving at each classifier costs when the network runs block by block, every earlier
   * classifier included: what MSDNet's op counter reports per exit. Differs from {@link
   * #earlyExitMflops} only where a block computes maps its own classifier does not read (MSDNet's
   * finer scales), which real early exit leaves until a later classifier needs them.
   */
  public List<ClassifierCost> leavingCosts() {
    return leaving;
  }

  /** Trainable parameters of the whole multi-exit network (BN running statistics excluded). */
  public long totalParameters() {
    return totalParams;
  }

  /** The text printed by {@code beed summary}; its last line is {@code total parameters: N}. */
  public String render() {
    ModelConfig c = blueprint.config();
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "%s with %s exits, width %s, %d classes, input %dx%dx%d, K = %d classifiers%n%n",
            c.architecture(),
            c.exits().cliName(),
            stripZeros(c.width()),
            c.numClasses(),
            c.inputChannels(),
            c.inputSize(),
            c.inputSize(),
            blueprint.numClassifiers()));
    sb.append(String.format(Locale.ROOT, "%-8s %-18s %8s %7s %7s %9s%n", "part", "operator", "channel", "repeat", "stride", "expansion"));
    String last = "";
    for (ArchitectureRow r : blueprint.rows()) {
      if (!r.section().equals(last) && !last.isEmpty()) {
        sb.append('\n');
      }
      last = r.section();
      sb.append(
          String.format(
              Locale.ROOT,
              "%-8s %-18s %8s %7s %7s %9s%n",
              r.section(),
              r.operator(),
              dash(r.channels()),
              dash(r.repeat()),
              dash(r.stride()),
              dash(r.expansion())));
    }
    sb.append('\n');
    sb.append(String.format(Locale.ROOT, "%-10s %14s %12s %12s%n", "classifier", "parameters", "MMACs", "MFLOPs"));
    for (ClassifierCost cc : classifiers) {
      sb.append(
          String.format(
              Locale.ROOT, "%-10s %,14d %12.2f %12.2f%n", cc.name(), cc.params(), cc.macs() / 1e6, cc.mflops()));
    }
    sb.append("(per classifier: backbone up to the exit plus the exit; MFLOPs = 2 x multiply-accumulates)\n\n");
    sb.append(String.format(Locale.ROOT, "%-10s %14s %12s %12s %14s%n", "leaving at", "parameters", "MMACs", "MFLOPs", "counter MOps"));
    for (ClassifierCost cc : leaving) {
      sb.append(String.format(Locale.ROOT, "%-10s %,14d %12.2f %12.2f %14.2f%n", cc.name(), cc.params(), cc.macs() / 1e6,
          cc.mflops(), cc.counterOps() / 1e6));
    }
    sb.append("(leaving at a classifier: everything computed block by block up to it, earlier classifiers included;\n"
        + " counter MOps = MACs + one per ReLU output, pooled element and Linear bias, what MSDNet's op counter calls FLOPs)\n");
    sb.append("total parameters: ").append(totalParams);
    return sb.toString();
  }

  private static String dash(int v) {
    return v < 0 ? "-" : Integer.toString(v);
  }

  private static String stripZeros(double d) {
    return java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
  }

  private static Set<String> ancestors(String start, Map<String, List<String>> edges) {
    Set<String> seen = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>();
    todo.push(start);
    while (!todo.isEmpty()) {
      String v = todo.pop();
      if (seen.add(v)) {
        for (String in : edges.getOrDefault(v, List.of())) {
          todo.push(in);
        }
      }
    }
    return seen;
  }
}
