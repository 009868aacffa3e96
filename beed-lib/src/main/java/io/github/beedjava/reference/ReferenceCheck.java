package io.github.beedjava.reference;

import io.github.beedjava.interop.NpzArchive;
import io.github.beedjava.interop.StateDict;
import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.model.ModelConfig;
import io.github.beedjava.model.Models;
import io.github.beedjava.network.MultiExitNetwork;
import io.github.beedjava.network.Outputs;
import io.github.beedjava.network.ParameterRef;
import io.github.beedjava.network.RunningStatistics;
import io.github.beedjava.objective.LossResult;
import io.github.beedjava.objective.Method;
import io.github.beedjava.objective.Objective;
import io.github.beedjava.objective.ObjectiveParameters;
import io.github.beedjava.optim.PyTorchSgd;
import io.github.beedjava.runtime.EnumNames;
import io.github.beedjava.train.TrainingStep;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Compares this implementation with a fixture made by running PyTorch code (the official BEED code,
 * or a PyTorch twin of another network; see docs/equivalence.md): eval- and train-mode forwards,
 * BN running statistics, every objective's loss, terms, teacher and parameter gradients, and two
 * BEED SGD steps. The model, T, λ, γ, lr, momentum and weight decay come from the fixture itself.
 *
 * <p>Errors are relative to the reference array's largest magnitude, {@code max|a−b| / max|b|}, with
 * {@code max|b|} floored at {@link #ZERO_FLOOR} of the group's largest magnitude. A
 * fixture may hold float64 ground truth under {@code f64/<key>}: a {@link Precision#DOUBLE} check
 * runs this network in float64 and compares with those keys at {@link #DOUBLE_TOLERANCE}; a float
 * check compares with them too, and widens each group's tolerance to three times the official
 * float32 computation's own error in that group (computed from the file), because on small batches
 * batch norm's backward is ill-conditioned and no float32 result can be closer than that. Fixtures
 * made by {@code tools/reference} also carry {@code kink/<group>}: how far the float64 result moves
 * when every ReLU input that lies within float32's rounding of zero takes the other side of the
 * kink. A float32 implementation summing in another order may pick either side, so a float check
 * also allows {@link #KINK_FACTOR} times that.
 */
public final class ReferenceCheck {
  /** Tolerance for forward outputs, features, running statistics after one forward, and losses. */
  public static final double FORWARD_TOLERANCE = 1e-4;

  /** Tolerance for parameter gradients. */
  public static final double GRADIENT_TOLERANCE = 1e-3;

  /** Tolerance for parameters and running statistics after two SGD steps. */
  public static final double SGD_TOLERANCE = 1e-3;

  /** Tolerance of every group in a double-precision check against the {@code f64/} keys. */
  public static final double DOUBLE_TOLERANCE = 1e-6;

  /** How many times the official float32 error a float check allows in a group. */
  public static final double OFFICIAL_ERROR_FACTOR = 3;

  /**
   * How many times a group's kink sensitivity ({@code kink/<group>}) a float check allows: twice,
   * because the sensitivity flips every ambiguous sign at once, and a subset can move further when
   * their effects partly cancel.
   */
  public static final double KINK_FACTOR = 2;

  private static final String F64 = "f64/";
  private static final String KINK = "kink/";
  private static final String[] MODES = {"CE", "KD", "EED", "BEED"};

  /** The precision this network runs in during a check. */
  public enum Precision {
    /** float32, as in training; compared with float64 keys where the fixture has them. */
    FLOAT,
    /** float64; compared with the fixture's {@code f64/} keys only. */
    DOUBLE;

    /** Parses {@code float} or {@code double}. */
    public static Precision parse(String name) {
      return EnumNames.parse(Precision.class, "precision", "precision", name);
    }

    DataType dataType() {
      return this == DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
    }
  }

  /**
   * One compared group: the largest relative error over its arrays.
   *
   * @param group e.g. {@code grad/BEED}
   * @param relativeError our largest error in the group (NaN when not compared)
   * @param officialError the official float32 computation's largest error against its float64
   *     result in the group, NaN when the fixture has no float64 keys
   * @param kink how far the float64 result moves when the ReLU signs float32 cannot resolve flip
   *     ({@code kink/<group>}), NaN when the fixture does not say
   * @param tolerance the tolerance used
   * @param worst the array with the largest error
   * @param arrays how many arrays or scalars were compared
   * @param details every compared array with its error, largest first
   * @param note why the group was not compared, or null when it was
   */
  public record Comparison(
      String group,
      double relativeError,
      double officialError,
      double kink,
      double tolerance,
      String worst,
      int arrays,
      List<String> details,
      String note) {
    /** True when the group is within tolerance, or was not compared. */
    public boolean passed() {
      return !compared() || relativeError <= tolerance;
    }

    /** False for a group the fixture does not hold (e.g. gradients of an objective it lacks). */
    public boolean compared() {
      return note == null;
    }

    /** The printed line: our error, the official float32 error, the tolerance and the verdict. */
    public String line() {
      if (!compared()) {
        return String.format(Locale.ROOT, "%-26s %s", group, note);
      }
      return String.format(
          Locale.ROOT,
          "%-26s ours %9.2e  official-f32 %s  kink %s  tol %8.2e  %s  (%d compared; worst: %s)",
          group, relativeError, orDash(officialError), orDash(kink), tolerance, passed() ? "ok  " : "FAIL", arrays, worst);
    }

    private static String orDash(double v) {
      return Double.isNaN(v) ? "        -" : String.format(Locale.ROOT, "%9.2e", v);
    }

    static Comparison notInFixture(String group) {
      return new Comparison(group, Double.NaN, Double.NaN, Double.NaN, Double.NaN, "-", 0, List.of(), "not in fixture (not compared)");
    }
  }

  /** The outcome of a check. */
  public record Report(Path fixture, ModelConfig model, Precision precision, List<Comparison> comparisons) {
    /** True when every compared group is within tolerance. */
    public boolean passed() {
      return comparisons.stream().allMatch(Comparison::passed);
    }

    /** The compared group of a name, for tests and tools. */
    public Comparison group(String name) {
      return comparisons.stream().filter(c -> c.group().equals(name)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no group " + name + " in the report"));
    }

    /** The last line printed by the CLI. */
    public String verdict() {
      long compared = comparisons.stream().filter(Comparison::compared).count();
      long failed = comparisons.stream().filter(c -> !c.passed()).count();
      String what = precision.name().toLowerCase(Locale.ROOT) + ", " + fixture.getFileName();
      return failed == 0
          ? "reference-check: PASS (" + compared + " groups within tolerance; " + what + ")"
          : "reference-check: FAIL (" + failed + " of " + compared + " groups over tolerance; " + what + ")";
    }
  }

  private ReferenceCheck() {}

  /** A float check, for callers that predate precisions. */
  public static Report run(Path fixture, Consumer<Comparison> onGroup) throws IOException {
    return run(fixture, Precision.FLOAT, onGroup);
  }

  /**
   * Runs every comparison the fixture supports.
   *
   * @param precision the data type this network runs in
   * @param onGroup called as each group finishes (for printing progress)
   * @throws IllegalArgumentException when the fixture cannot check training (no gradients) or a
   *     double check is asked of a fixture without float64 keys
   */
  public static Report run(Path fixture, Precision precision, Consumer<Comparison> onGroup) throws IOException {
    NpzArchive npz = NpzArchive.read(fixture);
    boolean hasF64 = npz.has(F64 + "eval/logits1");
    if (precision == Precision.DOUBLE && !hasF64) {
      throw new IllegalArgumentException(fixture + ": holds no float64 ground truth (f64/… keys), so a double-precision "
          + "check has nothing to compare with; re-make the fixture with tools/make_reference_fixture.py or "
          + "tools/twin/make_twin_fixture.py, or check in float (--precision float)");
    }
    if (npz.keys().stream().noneMatch(k -> k.startsWith("grad/"))) {
      throw new IllegalArgumentException(fixture + ": holds no gradients (grad/<objective>/<parameter>), so it cannot "
          + "check training; re-make it with the tools under tools/");
    }
    ModelConfig config = modelOf(npz).withDataType(precision.dataType());
    MultiExitNetwork net = MultiExitNetwork.create(config);
    int k = net.numClassifiers();
    INDArray input = npz.get("input").castTo(precision.dataType());
    int[] labels = npz.get("target").toIntVector();
    ObjectiveParameters settings = ObjectiveParameters.defaults()
        .with("lambda", npz.scalar("config/lam")).with("gamma", npz.scalar("config/gamma")).with("temperature", npz.scalar("config/T"));
    Reference ref = new Reference(npz, precision, hasF64);
    List<Comparison> out = new ArrayList<>();
    Consumer<Comparison> emit =
        c -> {
          out.add(c);
          onGroup.accept(c);
        };

    loadInitialState(net, npz);
    Outputs eval = net.forward(input, false);
    emit.accept(compareOutputs(ref, "eval/logits", eval.logits(), "eval/logits", FORWARD_TOLERANCE));
    emit.accept(compareOutputs(ref, "eval/features", eval.features(), "eval/feature", FORWARD_TOLERANCE));
    Group ens = ref.group("eval/ensemble", FORWARD_TOLERANCE);
    ens.add("eval/ensemble_logits", eval.ensembleLogits());
    emit.accept(ens.result());

    Outputs train = net.forward(input, true);
    emit.accept(compareOutputs(ref, "train/logits", train.logits(), "train/logits", FORWARD_TOLERANCE));
    emit.accept(compareOutputs(ref, "train/features", train.features(), "train/feature", FORWARD_TOLERANCE));

    boolean statsChecked = false;
    for (String mode : MODES) {
      if (!npz.has("loss/" + mode)) {
        continue;
      }
      loadInitialState(net, npz);
      Objective objective = Method.valueOf(mode).objective(k, settings);
      LossResult result = TrainingStep.forwardBackward(net, input, labels, objective);

      Group loss = ref.group("loss/" + mode, FORWARD_TOLERANCE);
      loss.addScalar("loss/" + mode, "total", result.total());
      for (String key : npz.keys()) {
        if (key.startsWith("loss/" + mode + "/")) {
          String term = key.substring(key.lastIndexOf('/') + 1);
          Double mine = result.terms().get(term);
          loss.addScalar(key, term, mine == null ? Double.NaN : mine);
        }
      }
      for (String term : result.terms().keySet()) {
        if (!npz.has("loss/" + mode + "/" + term)) {
          loss.missing(term);
        }
      }
      emit.accept(loss.result());

      if (npz.has(mode + "/teacher_logits")) {
        Group teacher = ref.group("teacher/" + mode, FORWARD_TOLERANCE);
        teacher.add(mode + "/teacher_logits", result.teacher().logits().toINDArray(DataType.DOUBLE));
        teacher.add(mode + "/teacher_feature", result.teacher().feature().toINDArray(DataType.DOUBLE));
        emit.accept(teacher.result());
      }

      if (npz.keys().stream().anyMatch(s -> s.startsWith("grad/" + mode + "/"))) {
        Group grads = ref.group("grad/" + mode, GRADIENT_TOLERANCE);
        for (ParameterRef p : net.parameters()) {
          if (p.trainable()) {
            grads.add("grad/" + mode + "/" + p.pytorchName(), StateDict.toPytorch(p, net.gradient(p)));
          }
        }
        emit.accept(grads.result());
      } else {
        emit.accept(Comparison.notInFixture("grad/" + mode));
      }

      if (!statsChecked && npz.keys().stream().anyMatch(s -> s.startsWith("train/after_forward/"))) {
        RunningStatistics.apply(net, input.size(0));
        Group stats = ref.group("train/running-stats", FORWARD_TOLERANCE);
        for (ParameterRef p : net.parameters()) {
          if (!p.trainable()) {
            stats.add("train/after_forward/" + p.pytorchName(), StateDict.toPytorch(p, net.parameter(p)));
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
      Group losses = ref.group("sgd/loss", FORWARD_TOLERANCE);
      for (int step = 1; step <= 2; step++) {
        LossResult r = TrainingStep.forwardBackward(net, input, labels, beed);
        losses.addScalar("sgd/loss_step" + step, "loss_step" + step, r.total());
        RunningStatistics.apply(net, input.size(0));
        sgd.step(net, lr);
      }
      emit.accept(losses.result());
      Group params = ref.group("sgd/after2/params", SGD_TOLERANCE);
      Group stats = ref.group("sgd/after2/running-stats", SGD_TOLERANCE);
      for (ParameterRef p : net.parameters()) {
        (p.trainable() ? params : stats).add("sgd/after2/" + p.pytorchName(), StateDict.toPytorch(p, net.parameter(p)));
      }
      emit.accept(params.result());
      emit.accept(stats.result());
    } else {
      emit.accept(Comparison.notInFixture("sgd"));
    }
    return new Report(fixture, config, precision, out);
  }

  /**
   * The model a fixture describes: {@code config/model} and {@code config/exits} when it names them
   * (fixtures of {@code beed export} and the twins), else a ResNet recognised from its block names
   * (fixtures of the official code); width and classes from {@code config/*}.
   */
  static ModelConfig modelOf(NpzArchive npz) {
    String arch = npz.text("config/model");
    ExitStructure exits;
    if (arch != null) {
      if (!Models.names().contains(arch)) {
        throw new IllegalArgumentException(npz.path() + ": config/model '" + arch + "' is not a model of this package; available: "
            + String.join(", ", Models.names()));
      }
      String e = npz.text("config/exits");
      exits = e == null ? ExitStructure.BOTTLENECK : ExitStructure.parse(e);
    } else {
      arch = officialResNet(npz);
      exits = npz.has("param/ex1linear.weight") ? ExitStructure.BOTTLENECK : ExitStructure.NONE;
    }
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

  private static String officialResNet(NpzArchive npz) {
    int[] blocks = new int[4];
    Pattern p = Pattern.compile("^param/layer([1-4])\\.(\\d+)\\.conv1\\.weight$");
    for (String key : npz.keys()) {
      Matcher m = p.matcher(key);
      if (m.matches()) {
        int s = Integer.parseInt(m.group(1)) - 1;
        blocks[s] = Math.max(blocks[s], Integer.parseInt(m.group(2)) + 1);
      }
    }
    if (java.util.Arrays.equals(blocks, new int[] {2, 2, 2, 2})) {
      return "resnet18";
    } else if (java.util.Arrays.equals(blocks, new int[] {3, 4, 6, 3})) {
      return "resnet34";
    }
    throw new IllegalArgumentException(npz.path() + ": names no config/model, and its blocks per stage "
        + java.util.Arrays.toString(blocks) + " match neither resnet18 nor resnet34");
  }

  private static void loadInitialState(MultiExitNetwork net, NpzArchive npz) {
    StateDict.load(net, name -> npz.has("param/" + name) ? npz.get("param/" + name) : null, npz.path().toString());
  }

  private static Comparison compareOutputs(Reference ref, String group, INDArray[] mine, String prefix, double tolerance) {
    Group g = ref.group(group, tolerance);
    for (int i = 0; i < mine.length; i++) {
      g.add(prefix + (i + 1), mine[i]);
    }
    return g.result();
  }

  /** Where a compared key's reference lives, and the tolerance a group gets, in one precision. */
  private record Reference(NpzArchive npz, Precision precision, boolean hasF64) {
    Group group(String name, double floatTolerance) {
      return new Group(name, precision == Precision.DOUBLE ? DOUBLE_TOLERANCE : floatTolerance, this);
    }

    /** The array ours is compared with: the float64 key where the fixture has one. */
    INDArray target(String key) {
      String k = hasF64 ? F64 + key : key;
      return npz.has(k) ? npz.get(k) : null;
    }

    /** The official float32 array, when the fixture also has its float64 truth (else null). */
    INDArray officialFloat(String key) {
      return hasF64 && npz.has(key) && npz.has(F64 + key) ? npz.get(key) : null;
    }

    /** The group's kink sensitivity ({@code kink/<group>}), NaN when the fixture does not carry it. */
    double kink(String group) {
      return npz.has(KINK + group) ? npz.scalar(KINK + group) : Double.NaN;
    }
  }

  /**
   * An array whose reference magnitude is below this fraction of its group's largest is measured
   * against that floor instead of its own magnitude: gradients that are zero in exact arithmetic (a
   * bias followed by batch norm) hold only rounding noise, whose relative size means nothing.
   */
  public static final double ZERO_FLOOR = 1e-3;

  /** {@code max|a−b|} and {@code max|b|}. */
  private static double[] differenceAndScale(INDArray mine, INDArray reference) {
    INDArray a = mine.castTo(DataType.DOUBLE);
    INDArray b = reference.castTo(DataType.DOUBLE);
    return new double[] {Transforms.abs(a.sub(b), false).maxNumber().doubleValue(), Transforms.abs(b, true).maxNumber().doubleValue()};
  }

  /** Accumulates the worst relative error of a group, ours and the official float32 code's. */
  private static final class Group {
    private final String name;
    private final double baseTolerance;
    private final Reference ref;
    private int count = 0;
    /** Per compared array: label, our difference, the official difference (NaN if unknown), the scale. */
    private final List<Object[]> arrays = new ArrayList<>();
    /** Per scalar or unmatched array: label and error, final as they are. */
    private final List<Map.Entry<String, Double>> fixed = new ArrayList<>();
    private double officialScalarError = Double.NaN;

    Group(String name, double baseTolerance, Reference ref) {
      this.name = name;
      this.baseTolerance = baseTolerance;
      this.ref = ref;
    }

    /** Compares an array with the fixture's key (a missing key or other shape is an infinite error). */
    void add(String key, INDArray mine) {
      INDArray reference = ref.target(key);
      String label = key.substring(key.lastIndexOf('/') + 1);
      count++;
      if (reference == null) {
        fixed.add(Map.entry(label + " (missing in fixture)", Double.POSITIVE_INFINITY));
      } else if (!java.util.Arrays.equals(mine.shape(), reference.shape())) {
        fixed.add(Map.entry(label + " (shape " + java.util.Arrays.toString(mine.shape()) + " vs "
            + java.util.Arrays.toString(reference.shape()) + ")", Double.POSITIVE_INFINITY));
      } else {
        double[] ours = differenceAndScale(mine, reference);
        INDArray official = ref.officialFloat(key);
        double officialDiff = official == null ? Double.NaN : differenceAndScale(official, reference)[0];
        arrays.add(new Object[] {label, ours[0], officialDiff, ours[1]});
      }
    }

    /** Compares a scalar with the fixture's scalar key. */
    void addScalar(String key, String label, double mine) {
      INDArray reference = ref.target(key);
      count++;
      if (reference == null) {
        fixed.add(Map.entry(label + " (missing in fixture)", Double.POSITIVE_INFINITY));
        return;
      }
      double b = reference.getDouble(0);
      double err = Math.abs(mine - b) / Math.max(Math.abs(b), 1e-12);
      fixed.add(Map.entry(label, Double.isNaN(err) ? Double.POSITIVE_INFINITY : err));
      INDArray official = ref.officialFloat(key);
      if (official != null) {
        double o = Math.abs(official.getDouble(0) - b) / Math.max(Math.abs(b), 1e-12);
        officialScalarError = Double.isNaN(officialScalarError) ? o : Math.max(officialScalarError, o);
      }
    }

    /** A term this implementation computes that the fixture lacks. */
    void missing(String label) {
      count++;
      fixed.add(Map.entry(label + " (not in fixture)", Double.POSITIVE_INFINITY));
    }

    Comparison result() {
      double groupScale = arrays.stream().mapToDouble(a -> (double) a[3]).max().orElse(0);
      double floor = ZERO_FLOOR * groupScale;
      List<Map.Entry<String, Double>> all = new ArrayList<>(fixed);
      double officialError = officialScalarError;
      for (Object[] a : arrays) {
        double scale = Math.max((double) a[3], floor);
        all.add(Map.entry((String) a[0], scale > 0 ? (double) a[1] / scale : (double) a[1]));
        double official = (double) a[2];
        if (!Double.isNaN(official)) {
          official = scale > 0 ? official / scale : official;
          officialError = Double.isNaN(officialError) ? official : Math.max(officialError, official);
        }
      }
      double worstError = 0;
      String worst = "-";
      for (Map.Entry<String, Double> e : all) {
        if (worst.equals("-") || e.getValue() > worstError) {
          worstError = e.getValue();
          worst = e.getKey();
        }
      }
      double tolerance = baseTolerance;
      double kink = ref.kink(name);
      if (ref.precision() == Precision.FLOAT && !Double.isNaN(officialError)) {
        tolerance = Math.max(tolerance, OFFICIAL_ERROR_FACTOR * officialError);
      }
      if (ref.precision() == Precision.FLOAT && !Double.isNaN(kink)) {
        tolerance = Math.max(tolerance, KINK_FACTOR * kink);
      }
      List<String> details =
          all.stream()
              .sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
              .map(e -> String.format(Locale.ROOT, "    %-44s %9.2e", e.getKey(), e.getValue()))
              .toList();
      return new Comparison(name, worstError, officialError, kink, tolerance, worst, count, details, null);
    }
  }
}
