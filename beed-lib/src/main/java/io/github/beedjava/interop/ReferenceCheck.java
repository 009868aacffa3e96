package io.github.beedjava.interop;

import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.model.ModelConfig;
import io.github.beedjava.model.MultiExitNetwork;
import io.github.beedjava.model.Outputs;
import io.github.beedjava.model.ParameterRef;
import io.github.beedjava.model.RunningStatistics;
import io.github.beedjava.train.TrainingStep;
import io.github.beedjava.objective.DistillationSettings;
import io.github.beedjava.objective.LossResult;
import io.github.beedjava.objective.Method;
import io.github.beedjava.objective.Objective;
import io.github.beedjava.optim.PyTorchSgd;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Compares this implementation with a fixture produced by the official PyTorch code (see
 * {@code shared/reference/README.md}): eval- and train-mode forwards, BN running statistics, every
 * objective's loss, terms, teacher and parameter gradients, and two BEED SGD steps. The model,
 * T, λ, γ, lr, momentum and weight decay come from the fixture itself.
 */
public final class ReferenceCheck {
  /** Tolerance for forward outputs, features, running statistics after one forward, and losses. */
  public static final double FORWARD_TOLERANCE = 1e-4;

  /** Tolerance for parameter gradients. */
  public static final double GRADIENT_TOLERANCE = 1e-3;

  /** Tolerance for parameters and running statistics after two SGD steps. */
  public static final double SGD_TOLERANCE = 1e-3;

  private static final String[] MODES = {"CE", "KD", "EED", "BEED"};

  /**
   * One compared group: the largest relative error {@code max|a-b| / max|b|} over its arrays.
   *
   * @param group e.g. {@code grad/BEED}
   * @param relativeError the largest error in the group
   * @param tolerance the group's tolerance
   * @param worst the array with the largest error
   * @param arrays how many arrays or scalars were compared
   * @param details every compared array with its error, largest first
   */
  public record Comparison(
      String group, double relativeError, double tolerance, String worst, int arrays, List<String> details) {
    /** True when the group is within tolerance. */
    public boolean passed() {
      return relativeError <= tolerance;
    }

    /** The printed line. */
    public String line() {
      return String.format(
          java.util.Locale.ROOT,
          "%-26s rel.err %9.2e  tol %.0e  %s  (%d compared; worst: %s)",
          group, relativeError, tolerance, passed() ? "ok  " : "FAIL", arrays, worst);
    }
  }

  /** The outcome of a check. */
  public record Report(Path fixture, ModelConfig model, List<Comparison> comparisons) {
    /** True when every group is within tolerance. */
    public boolean passed() {
      return comparisons.stream().allMatch(Comparison::passed);
    }

    /** The last line printed by the CLI. */
    public String verdict() {
      long failed = comparisons.stream().filter(c -> !c.passed()).count();
      return failed == 0
          ? "reference-check: PASS (" + comparisons.size() + " groups within tolerance; " + fixture.getFileName() + ")"
          : "reference-check: FAIL ("
              + failed
              + " of "
              + comparisons.size()
              + " groups over tolerance; "
              + fixture.getFileName()
              + ")";
    }
  }

  private ReferenceCheck() {}

  /**
   * Runs every comparison the fixture supports.
   *
   * @param onGroup called as each group finishes (for printing progress)
   */
  public static Report run(Path fixture, Consumer<Comparison> onGroup) throws IOException {
    NpzArchive npz = NpzArchive.read(fixture);
    ModelConfig config = modelOf(npz);
    MultiExitNetwork net = MultiExitNetwork.create(config);
    int k = net.numClassifiers();
    INDArray input = npz.get("input").castTo(DataType.FLOAT);
    int[] labels = npz.get("target").toIntVector();
    DistillationSettings settings =
        new DistillationSettings(
            npz.scalar("config/lam"), npz.scalar("config/gamma"), npz.scalar("config/T"), Double.NaN, Double.NaN);
    List<Comparison> out = new ArrayList<>();
    Consumer<Comparison> emit =
        c -> {
          out.add(c);
          onGroup.accept(c);
        };

    loadInitialState(net, npz);
    Outputs eval = net.forward(input, false);
    emit.accept(compareOutputs("eval/logits", eval.logits(), npz, "eval/logits"));
    emit.accept(compareOutputs("eval/features", eval.features(), npz, "eval/feature"));
    Group ens = new Group("eval/ensemble", FORWARD_TOLERANCE);
    ens.add("ensemble_logits", eval.ensembleLogits(), npz.get("eval/ensemble_logits"));
    emit.accept(ens.result());

    Outputs train = net.forward(input, true);
    emit.accept(compareOutputs("train/logits", train.logits(), npz, "train/logits"));
    emit.accept(compareOutputs("train/features", train.features(), npz, "train/feature"));

    boolean statsChecked = false;
    for (String mode : MODES) {
      if (!npz.has("loss/" + mode)) {
        continue;
      }
      loadInitialState(net, npz);
      Objective objective = Method.valueOf(mode).objective(k, settings);
      LossResult result = TrainingStep.forwardBackward(net, input, labels, objective);

      Group loss = new Group("loss/" + mode, FORWARD_TOLERANCE);
      loss.addScalar("total", result.total(), npz.scalar("loss/" + mode));
      for (String key : npz.keys()) {
        if (key.startsWith("loss/" + mode + "/")) {
          String term = key.substring(key.lastIndexOf('/') + 1);
          Double mine = result.terms().get(term);
          loss.addScalar(term, mine == null ? Double.NaN : mine, npz.scalar(key));
        }
      }
      for (String term : result.terms().keySet()) {
        if (!npz.has("loss/" + mode + "/" + term)) {
          loss.addScalar(term + " (not in fixture)", Double.NaN, 0);
        }
      }
      emit.accept(loss.result());

      if (npz.has(mode + "/teacher_logits")) {
        Group teacher = new Group("teacher/" + mode, FORWARD_TOLERANCE);
        teacher.add("teacher_logits", result.teacher().logits().toINDArray(DataType.DOUBLE), npz.get(mode + "/teacher_logits"));
        teacher.add("teacher_feature", result.teacher().feature().toINDArray(DataType.DOUBLE), npz.get(mode + "/teacher_feature"));
        emit.accept(teacher.result());
      }

      Group grads = new Group("grad/" + mode, GRADIENT_TOLERANCE);
      for (ParameterRef ref : net.parameters()) {
        if (ref.trainable()) {
          String key = "grad/" + mode + "/" + ref.pytorchName();
          grads.add(ref.pytorchName(), StateDict.toPytorch(ref, net.gradient(ref)), npz.has(key) ? npz.get(key) : null);
        }
      }
      emit.accept(grads.result());

      if (!statsChecked && npz.keys().stream().anyMatch(s -> s.startsWith("train/after_forward/"))) {
        RunningStatistics.apply(net, input.size(0));
        Group stats = new Group("train/running-stats", FORWARD_TOLERANCE);
        for (ParameterRef ref : net.parameters()) {
          if (!ref.trainable()) {
            String key = "train/after_forward/" + ref.pytorchName();
            stats.add(ref.pytorchName(), StateDict.toPytorch(ref, net.parameter(ref)), npz.has(key) ? npz.get(key) : null);
          }
        }
        emit.accept(stats.result());
        statsChecked = true;
      }
    }

    if (npz.has("sgd/loss_step1")) {
      loadInitialState(net, npz);
      Objective beed = Method.BEED.objective(k, settings);
      PyTorchSgd sgd = new PyTorchSgd(npz.scalar("config/momentum"), npz.scalar("config/weight_decay"));
      double lr = npz.scalar("config/lr");
      Group losses = new Group("sgd/loss", FORWARD_TOLERANCE);
      for (int step = 1; step <= 2; step++) {
        LossResult r = TrainingStep.forwardBackward(net, input, labels, beed);
        losses.addScalar("loss_step" + step, r.total(), npz.scalar("sgd/loss_step" + step));
        RunningStatistics.apply(net, input.size(0));
        sgd.step(net, lr);
      }
      emit.accept(losses.result());
      Group params = new Group("sgd/after2/params", SGD_TOLERANCE);
      Group stats = new Group("sgd/after2/running-stats", SGD_TOLERANCE);
      for (ParameterRef ref : net.parameters()) {
        String key = "sgd/after2/" + ref.pytorchName();
        (ref.trainable() ? params : stats)
            .add(ref.pytorchName(), StateDict.toPytorch(ref, net.parameter(ref)), npz.has(key) ? npz.get(key) : null);
      }
      emit.accept(params.result());
      emit.accept(stats.result());
    }
    return new Report(fixture, config, out);
  }

  /** The model a fixture describes: backbone from its block names, width and classes from config/*. */
  static ModelConfig modelOf(NpzArchive npz) {
    int[] blocks = new int[4];
    Pattern p = Pattern.compile("^param/layer([1-4])\\.(\\d+)\\.conv1\\.weight$");
    for (String key : npz.keys()) {
      Matcher m = p.matcher(key);
      if (m.matches()) {
        int s = Integer.parseInt(m.group(1)) - 1;
        blocks[s] = Math.max(blocks[s], Integer.parseInt(m.group(2)) + 1);
      }
    }
    String arch;
    if (java.util.Arrays.equals(blocks, new int[] {2, 2, 2, 2})) {
      arch = "resnet18";
    } else if (java.util.Arrays.equals(blocks, new int[] {3, 4, 6, 3})) {
      arch = "resnet34";
    } else {
      throw new IllegalArgumentException(
          npz.path() + ": blocks per stage " + java.util.Arrays.toString(blocks) + " match neither resnet18 nor resnet34");
    }
    ExitStructure exits = npz.has("param/ex1linear.weight") ? ExitStructure.BOTTLENECK : ExitStructure.NONE;
    long[] inShape = npz.get("input").shape();
    return new ModelConfig(
        arch,
        exits,
        npz.scalar("config/width"),
        (int) npz.scalar("config/num_classes"),
        (int) inShape[1],
        (int) inShape[2],
        false,
        DataType.FLOAT,
        (long) npz.scalar("config/seed"));
  }

  private static void loadInitialState(MultiExitNetwork net, NpzArchive npz) {
    StateDict.load(net, name -> npz.has("param/" + name) ? npz.get("param/" + name) : null, npz.path().toString());
  }

  private static Comparison compareOutputs(String group, INDArray[] mine, NpzArchive npz, String prefix) {
    Group g = new Group(group, FORWARD_TOLERANCE);
    for (int i = 0; i < mine.length; i++) {
      String key = prefix + (i + 1);
      g.add(key, mine[i], npz.has(key) ? npz.get(key) : null);
    }
    return g.result();
  }

  /** Accumulates the worst relative error of a group. */
  private static final class Group {
    private final String name;
    private final double tolerance;
    private double worstError = 0;
    private String worst = "-";
    private int count = 0;
    private final List<Map.Entry<String, Double>> all = new ArrayList<>();

    Group(String name, double tolerance) {
      this.name = name;
      this.tolerance = tolerance;
    }

    void add(String label, INDArray mine, INDArray reference) {
      double err;
      if (reference == null) {
        err = Double.POSITIVE_INFINITY;
        label += " (missing in fixture)";
      } else if (!java.util.Arrays.equals(mine.shape(), reference.shape())) {
        err = Double.POSITIVE_INFINITY;
        label += " (shape " + java.util.Arrays.toString(mine.shape()) + " vs " + java.util.Arrays.toString(reference.shape()) + ")";
      } else {
        INDArray a = mine.castTo(DataType.DOUBLE);
        INDArray b = reference.castTo(DataType.DOUBLE);
        double scale = Transforms.abs(b, true).maxNumber().doubleValue();
        double diff = Transforms.abs(a.sub(b), false).maxNumber().doubleValue();
        err = scale > 0 ? diff / scale : diff;
      }
      record(label, err);
    }

    void addScalar(String label, double mine, double reference) {
      double err = Math.abs(mine - reference) / Math.max(Math.abs(reference), 1e-12);
      record(label, Double.isNaN(err) ? Double.POSITIVE_INFINITY : err);
    }

    private void record(String label, double err) {
      count++;
      all.add(Map.entry(label, err));
      if (err > worstError || worst.equals("-")) {
        worstError = Math.max(err, worstError);
        worst = label;
      }
    }

    Comparison result() {
      List<String> details =
          all.stream()
              .sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
              .map(e -> String.format(java.util.Locale.ROOT, "    %-44s %9.2e", e.getKey(), e.getValue()))
              .toList();
      return new Comparison(name, worstError, tolerance, worst, count, details);
    }
  }
}
