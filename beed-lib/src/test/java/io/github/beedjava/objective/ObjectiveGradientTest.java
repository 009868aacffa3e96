package io.github.beedjava.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Finite-difference checks of every objective w.r.t. logits and features, teacher held fixed. */
class ObjectiveGradientTest {
  static final int K = 4;
  static final int N = 3;
  static final int C = 5;
  static final long[] FEATURE = {N, 2, 2, 2};

  static Stream<WeightedObjective> objectives() {
    ObjectiveParameters s = ObjectiveParameters.defaults();
    return Stream.of(new CeObjective(K), new KdObjective(K, s), new EedObjective(K, s), new BeedObjective(K, s), new CeObjective(1));
  }

  static Tensor random(long[] shape, Random r, double scale) {
    Tensor t = Tensor.zeros(shape);
    for (int i = 0; i < t.data().length; i++) {
      t.data()[i] = scale * r.nextGaussian();
    }
    return t;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("objectives")
  void analyticGradientsMatchFiniteDifferences(WeightedObjective objective) {
    int k = objective.numClassifiers();
    Random r = new Random(7);
    Tensor[] z = new Tensor[k];
    Tensor[] f = new Tensor[k];
    for (int i = 0; i < k; i++) {
      z[i] = random(new long[] {N, C}, r, 2);
      f[i] = random(FEATURE, r, 1);
    }
    int[] y = {0, 3, 4};
    LossResult base = objective.evaluate(z, f, y);
    Teacher fixed = base.teacher();
    double h = 1e-6;
    double worst = 0;
    for (int i = 0; i < k; i++) {
      for (Tensor[] group : new Tensor[][] {z, f}) {
        Tensor[] grads = group == z ? base.logitGradients() : base.featureGradients();
        double[] x = group[i].data();
        for (int j = 0; j < x.length; j++) {
          double keep = x[j];
          x[j] = keep + h;
          double plus = objective.evaluate(z, f, y, fixed).total();
          x[j] = keep - h;
          double minus = objective.evaluate(z, f, y, fixed).total();
          x[j] = keep;
          double numeric = (plus - minus) / (2 * h);
          worst = Math.max(worst, Math.abs(numeric - grads[i].data()[j]));
        }
      }
    }
    assertTrue(worst < 1e-7, objective.name() + ": max |analytic - numeric| = " + worst);
  }

  @Test
  void teacherIsDetachedFromTheStudents() {
    // With a live teacher the loss depends on z_K through the teacher too; the returned gradient
    // must be the detached one, so it matches the fixed-teacher difference and not the live one.
    Random r = new Random(3);
    Tensor[] z = new Tensor[K];
    Tensor[] f = new Tensor[K];
    for (int i = 0; i < K; i++) {
      z[i] = random(new long[] {N, C}, r, 2);
      f[i] = random(FEATURE, r, 1);
    }
    int[] y = {1, 2, 3};
    for (WeightedObjective o : new WeightedObjective[] {new KdObjective(K, ObjectiveParameters.defaults()), new BeedObjective(K, ObjectiveParameters.defaults())}) {
      LossResult base = o.evaluate(z, f, y);
      double[] x = z[K - 1].data();
      double h = 1e-6;
      double keep = x[0];
      x[0] = keep + h;
      double livePlus = o.evaluate(z, f, y).total();
      x[0] = keep - h;
      double liveMinus = o.evaluate(z, f, y).total();
      x[0] = keep;
      double live = (livePlus - liveMinus) / (2 * h);
      assertTrue(Math.abs(live - base.logitGradients()[K - 1].data()[0]) > 1e-4, o.name() + ": teacher gradient leaked");
    }
    // KD: the main network (the teacher) gets CE only.
    LossResult kd = new KdObjective(K, ObjectiveParameters.defaults()).evaluate(z, f, y);
    LossResult ce = new CeObjective(K).evaluate(z, f, y);
    assertArrayEquals(ce.logitGradients()[K - 1].data(), kd.logitGradients()[K - 1].data(), 1e-15);
    assertArrayEquals(new double[f[K - 1].data().length], kd.featureGradients()[K - 1].data(), 0);
  }

  @Test
  void coefficientsFollowSpecTable() {
    BeedObjective beed = new BeedObjective(4, ObjectiveParameters.defaults());
    double[] ce = {0.4791, 0.6775, 0.8500, 1.0};
    double[] kd = {1.5209, 1.3225, 1.1500, 1.0};
    for (int k = 0; k < 4; k++) {
      assertEquals(ce[k], beed.ceCoefficient(k), 1e-4);
      assertEquals(kd[k], beed.kdCoefficient(k), 1e-4);
      assertEquals(0.1, beed.fdCoefficient(k), 0);
    }
    assertArrayEquals(new double[] {0.1080, 0.1729, 0.2766, 0.4425}, EnsembleTeacher.weights(4, 1.6), 1e-4);
    KdObjective kdo = new KdObjective(4, ObjectiveParameters.defaults());
    assertEquals(0.1, kdo.kdCoefficient(0), 0);
    assertEquals(0.025, kdo.fdCoefficient(2), 0);
    assertEquals(0, kdo.kdCoefficient(3), 0);
    // K = 3 (WRN): exponents 2, 1, 0
    BeedObjective three = new BeedObjective(3, ObjectiveParameters.defaults());
    assertEquals(2 - 1.15 * 1.15, three.ceCoefficient(0), 1e-12);
  }

  @Test
  void gammaThatMakesACeCoefficientNonPositiveIsRefused() {
    var e = assertThrows(IllegalArgumentException.class, () -> new BeedObjective(4, ObjectiveParameters.defaults().with("gamma", 1.3)));
    assertTrue(e.getMessage().startsWith("gamma:") && e.getMessage().contains("1.2599"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Method.BASELINE.objective(4));
    assertThrows(IllegalArgumentException.class, () -> new CeObjective(K).evaluate(new Tensor[] {Tensor.zeros(new long[] {1, C})}, new Tensor[] {Tensor.zeros(FEATURE)}, new int[] {0}));
  }

  @Test
  void knownValues() {
    // Uniform logits: CE = log C; identical students and teacher: KD = 0, FD = 0.
    Tensor[] z = new Tensor[2];
    Tensor[] f = new Tensor[2];
    for (int i = 0; i < 2; i++) {
      z[i] = Tensor.zeros(new long[] {N, C});
      f[i] = Tensor.zeros(FEATURE);
    }
    LossResult r = new EedObjective(2, ObjectiveParameters.defaults()).evaluate(z, f, new int[] {0, 1, 2});
    assertEquals(Math.log(C), r.terms().get("CE1"), 1e-12);
    assertEquals(0, r.terms().get("KD2"), 1e-15);
    assertEquals(0, r.terms().get("FD1"), 0);
    assertEquals(2 * Math.log(C), r.total(), 1e-12);
  }
}
