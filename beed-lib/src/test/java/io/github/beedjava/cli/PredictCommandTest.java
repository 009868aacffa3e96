package io.github.beedjava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The first-segment bound that {@code predict --bench} prints, checked against early exit's time
 * computed image by image: each image pays for every segment up to the classifier it leaves at.
 */
class PredictCommandTest {

  /** Early exit's time over a full pass's, summing each image's segments (the definition, not the formula). */
  private static double earlyExitShare(double[] segments, long[] exits) {
    double full = 0;
    double early = 0;
    long images = 0;
    for (int leavesAt = 0; leavesAt < exits.length; leavesAt++) {
      double upTo = 0;
      for (int c = 0; c <= leavesAt; c++) {
        upTo += segments[c];
      }
      early += upTo * exits[leavesAt];
      images += exits[leavesAt];
    }
    for (double s : segments) {
      full += s;
    }
    return early / images / full;
  }

  @Test
  void atTheBoundEarlyExitReachesTheAskedSpeedUp() {
    double[] segments = {45, 27, 16, 12};
    long[] exits = {78, 17, 4, 1};
    double speedUp = 2.124;
    double bound = PredictCommand.firstSegmentTimeFor(speedUp, segments, exits);
    assertTrue(bound < segments[0], "the asked speed-up is above what these segments give, so the bound is below 45");
    double[] atBound = {bound, 27, 16, 12};
    assertEquals(speedUp, 1 / earlyExitShare(atBound, exits), 1e-9);
    double[] slower = {bound * 1.01, 27, 16, 12};
    assertTrue(1 / earlyExitShare(slower, exits) < speedUp);
  }

  @Test
  void aSpeedUpTheLaterSegmentsAloneForbidHasNoBound() {
    // 22 % of the images go on: even a free first segment gives at most 55 / (0.22·27 + 0.05·16 + 0.01·12) ≈ 8 x
    assertTrue(Double.isNaN(PredictCommand.firstSegmentTimeFor(9, new double[] {45, 27, 16, 12}, new long[] {78, 17, 4, 1})));
    assertTrue(Double.isInfinite(PredictCommand.firstSegmentTimeFor(1, new double[] {45, 27, 16, 12}, new long[] {78, 17, 4, 1})));
  }

  @Test
  void oneClassifierLeavesNothingToSave() {
    assertTrue(Double.isInfinite(PredictCommand.firstSegmentTimeFor(0.9, new double[] {10}, new long[] {5})));
  }

  @Test
  void theSpeedUpIsOverTheFasterWayToRunEveryClassifier() {
    assertEquals(2.0, PredictCommand.speedUp(1, 2, 3), 1e-12);
    assertEquals(2.0, PredictCommand.speedUp(1, 3, 2), 1e-12);
  }
}
