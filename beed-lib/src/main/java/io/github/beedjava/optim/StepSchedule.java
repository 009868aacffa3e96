package io.github.beedjava.optim;

import java.util.Arrays;

/**
 * Piecewise-constant learning rate set per epoch: lr · factor^(number of milestones ≤ epoch),
 * epochs 0-based, as the official code (0.1, ÷10 at 75, 130 and 180 of 200 epochs).
 */
public final class StepSchedule {
  /** The paper's milestones for its 200 epochs. */
  public static final int[] PAPER_MILESTONES = {75, 130, 180};

  /** The paper's epoch count. */
  public static final int PAPER_EPOCHS = 200;

  private final double base;
  private final int[] milestones;
  private final double factor;

  /**
   * @param base learning rate of the first epochs
   * @param milestones epochs (0-based) at which the rate is multiplied by {@code factor}, increasing
   * @param factor multiplier at each milestone (0.1)
   */
  public StepSchedule(double base, int[] milestones, double factor) {
    for (int i = 1; i < milestones.length; i++) {
      if (milestones[i] <= milestones[i - 1]) {
        throw new IllegalArgumentException("milestones: must be strictly increasing, got " + Arrays.toString(milestones));
      }
    }
    this.base = base;
    this.milestones = milestones.clone();
    this.factor = factor;
  }

  /** Learning rate of a 0-based epoch. */
  public double lr(int epoch) {
    double lr = base;
    for (int m : milestones) {
      if (epoch >= m) {
        lr *= factor;
      }
    }
    return lr;
  }

  /**
   * The paper's milestones scaled to a shorter (or longer) run: round(m · epochs / 200), keeping
   * those inside (0, epochs) and dropping duplicates. 200 epochs give 75, 130, 180 back.
   */
  public static int[] scaledMilestones(int epochs) {
    return scaledMilestones(PAPER_MILESTONES, PAPER_EPOCHS, epochs);
  }

  /**
   * A recipe's milestones scaled to another epoch count: round(m · epochs / recipeEpochs), keeping
   * those inside (0, epochs) and dropping duplicates.
   */
  public static int[] scaledMilestones(int[] recipe, int recipeEpochs, int epochs) {
    return Arrays.stream(recipe)
        .map(m -> (int) Math.round((double) m * epochs / recipeEpochs))
        .filter(m -> m > 0 && m < epochs)
        .distinct()
        .toArray();
  }
}
