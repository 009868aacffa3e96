package io.github.beedjava.objective;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The shared form of every objective in docs/method.md: per classifier k,
 * {@code ce[k]·CE_k + kd[k]·KD(z_k ← softmax(teacher/T)) + fd[k]·FD(f_k, teacherFeature)},
 * summed. CE is the batch-mean cross-entropy; KD is T²·(batch-mean KL) as the official
 * {@code F.kl_div(..., reduction='sum')·T²/N}; FD is the mean squared error over all elements
 * of the un-pooled maps. Subclasses choose the coefficients and the (detached) teacher.
 */
public abstract class WeightedObjective implements Objective {
  /** T, the distillation temperature (official default 3). */
  public static final ObjectiveParameter TEMPERATURE =
      new ObjectiveParameter("temperature", 3.0, "T, the distillation softmax temperature");

  private final double[] ce;
  private final double[] kd;
  private final double[] fd;
  private final double temperature;

  /**
   * @param ce CE coefficient per classifier
   * @param kd KD coefficient per classifier (0: no KD term)
   * @param fd FD coefficient per classifier (0: no FD term)
   * @param temperature distillation temperature T
   */
  protected WeightedObjective(double[] ce, double[] kd, double[] fd, double temperature) {
    if (ce.length != kd.length || ce.length != fd.length) {
      throw new IllegalArgumentException("coefficient arrays differ in length");
    }
    if (!(temperature > 0)) {
      throw new IllegalArgumentException("temperature: must be > 0, got " + temperature);
    }
    this.ce = ce.clone();
    this.kd = kd.clone();
    this.fd = fd.clone();
    this.temperature = temperature;
  }

  /** Number of classifiers this objective was built for. */
  public int numClassifiers() {
    return ce.length;
  }

  /** CE coefficient of classifier k (0-based). */
  public double ceCoefficient(int k) {
    return ce[k];
  }

  /** KD coefficient of classifier k (0-based). */
  public double kdCoefficient(int k) {
    return kd[k];
  }

  /** FD coefficient of classifier k (0-based). */
  public double fdCoefficient(int k) {
    return fd[k];
  }

  /** The detached teacher for these outputs, or null when no coefficient needs one. */
  protected abstract Teacher teacher(Tensor[] logits, Tensor[] features);

  @Override
  public LossResult evaluate(Tensor[] logits, Tensor[] features, int[] labels) {
    return evaluate(logits, features, labels, teacher(logits, features));
  }

  /**
   * Evaluates with a given teacher held fixed; used by gradient checks to show that the analytic
   * gradient is that of a detached teacher.
   */
  public LossResult evaluate(Tensor[] logits, Tensor[] features, int[] labels, Teacher teacher) {
    int k = logits.length;
    if (k != ce.length) {
      throw new IllegalArgumentException(
          name() + " was built for " + ce.length + " classifiers, got " + k + " logits");
    }
    Map<String, Double> terms = new LinkedHashMap<>();
    Tensor[] dz = new Tensor[k];
    Tensor[] df = new Tensor[k];
    double total = 0;
    double[][] teacherProbs = null;
    if (teacher != null) {
      teacherProbs = LossMath.softmax(teacher.logits(), temperature);
    }
    for (int i = 0; i < k; i++) {
      dz[i] = Tensor.zeros(logits[i].shape());
      df[i] = Tensor.zeros(features[i].shape());
      double ceTerm = LossMath.crossEntropy(logits[i], labels, ce[i], dz[i]);
      terms.put("CE" + (i + 1), ceTerm);
      total += ce[i] * ceTerm;
      if (kd[i] != 0) {
        requireTeacher(teacher);
        double kdTerm = LossMath.distillation(logits[i], teacherProbs, temperature, kd[i], dz[i]);
        terms.put("KD" + (i + 1), kdTerm);
        total += kd[i] * kdTerm;
      }
      if (fd[i] != 0) {
        requireTeacher(teacher);
        double fdTerm = LossMath.featureMse(features[i], teacher.feature(), fd[i], df[i]);
        terms.put("FD" + (i + 1), fdTerm);
        total += fd[i] * fdTerm;
      }
    }
    return new LossResult(total, terms, dz, df, teacher);
  }

  private void requireTeacher(Teacher teacher) {
    if (teacher == null) {
      throw new IllegalStateException(name() + " has distillation terms but no teacher");
    }
  }
}
