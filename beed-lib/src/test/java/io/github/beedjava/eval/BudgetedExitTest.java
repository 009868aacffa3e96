package io.github.beedjava.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.beedjava.model.ArchitectureSummary;
import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.model.ModelConfig;
import io.github.beedjava.model.Models;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BudgetedExitTest {
  static final double[] COST = {10, 20, 30};

  /** Three classifiers; the deeper, the more often right; confidence correlates with correctness. */
  static ExitScores scores(int n, long seed) {
    Random r = new Random(seed);
    double[][][] logits = new double[3][n][4];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = r.nextInt(4);
      for (int c = 0; c < 3; c++) {
        boolean right = r.nextDouble() < 0.5 + 0.2 * c;
        int predicted = right ? labels[i] : (labels[i] + 1) % 4;
        logits[c][i][predicted] = right ? 1 + 3 * r.nextDouble() : 2 * r.nextDouble();
      }
    }
    return ExitScores.fromLogits(logits, labels);
  }

  @Test
  void extremeThresholdsGiveTheFirstAndTheLastClassifier() {
    ExitScores s = scores(500, 1);
    var all = BudgetedExit.evaluate(s, new double[] {0, 0, 0}, COST, 0);
    assertEquals(10, all.averageMflops(), 1e-9);
    assertArrayEquals(new double[] {1, 0, 0}, all.exitFractions(), 1e-9);
    var none = BudgetedExit.evaluate(s, new double[] {2, 2, 0}, COST, 0);
    assertEquals(30, none.averageMflops(), 1e-9);
    long mainCorrect = 0;
    for (int i = 0; i < 500; i++) {
      mainCorrect += s.prediction()[2][i] == s.labels()[i] ? 1 : 0;
    }
    assertEquals(100.0 * mainCorrect / 500, none.accuracy(), 1e-9);
  }

  @Test
  void fittedThresholdsReproduceTheTargetFractionsOnTheHeldOutSplit() {
    ExitScores heldOut = scores(1000, 2);
    double[] target = BudgetedExit.profile(3, 0.5);
    double[] t = BudgetedExit.fitThresholds(heldOut, target);
    var onHeldOut = BudgetedExit.evaluate(heldOut, t, COST, 0.5);
    assertArrayEquals(target, onHeldOut.exitFractions(), 0.01);
  }

  @Test
  void theCurveTradesCostForAccuracyAndComesFromTheHeldOutSplitOnly() {
    ExitScores heldOut = scores(2000, 3);
    ExitScores test = scores(2000, 4);
    List<BudgetedExit.Point> curve = BudgetedExit.curve(heldOut, test, COST, new double[] {0.1, 0.5, 1, 2, 10});
    for (int i = 1; i < curve.size(); i++) {
      assertTrue(curve.get(i).averageMflops() >= curve.get(i - 1).averageMflops());
    }
    assertTrue(curve.get(curve.size() - 1).accuracy() > curve.get(0).accuracy(),
        "spending more compute should buy accuracy here: " + curve.get(0).accuracy() + " -> " + curve.get(curve.size() - 1).accuracy());
  }

  @Test
  void earlyExitCostsAddTheExitsPassedOnTheWay() {
    var summary = new ArchitectureSummary(Models.blueprint(ModelConfig.cifar("resnet18", ExitStructure.BOTTLENECK, 1, 100)));
    double[] cost = summary.earlyExitMflops();
    assertEquals(summary.classifiers().get(0).mflops(), cost[0], 1e-9);
    for (int k = 1; k < cost.length; k++) {
      assertTrue(cost[k] > summary.classifiers().get(k).mflops() - 1e-9, "leaving at " + k + " also paid for earlier exits");
      assertTrue(cost[k] > cost[k - 1]);
    }
  }
}
