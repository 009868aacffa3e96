package io.github.beedjava.config;

import io.github.beedjava.optim.StepSchedule;
import java.util.List;

/**
 * How a run optimises: SGD with heavy-ball momentum and coupled weight decay, step learning rate.
 *
 * @param epochs training epochs
 * @param batchSize images per step (train and test)
 * @param lr initial learning rate
 * @param milestones 0-based epochs where the learning rate is multiplied by {@code lrFactor}
 * @param lrFactor the multiplier at each milestone
 * @param momentum SGD momentum (heavy ball)
 * @param weightDecay coupled weight decay on every parameter
 */
public record OptimisationSpec(
    int epochs, int batchSize, double lr, List<Integer> milestones, double lrFactor, double momentum, double weightDecay) {

  /** Validates; messages name the field. */
  public OptimisationSpec {
    if (milestones == null) {
      throw new IllegalArgumentException("config: milestones are required");
    }
    ConfigChecks.positive("lr", lr);
    ConfigChecks.positive("lrFactor", lrFactor);
    if (epochs < 1) {
      throw new IllegalArgumentException("epochs: must be >= 1, got " + epochs);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize: must be >= 1, got " + batchSize);
    }
    if (momentum < 0 || momentum >= 1) {
      throw new IllegalArgumentException("momentum: must be in [0, 1), got " + momentum);
    }
    if (weightDecay < 0) {
      throw new IllegalArgumentException("weightDecay: must be >= 0, got " + weightDecay);
    }
    milestones = List.copyOf(milestones);
    new StepSchedule(lr, milestones.stream().mapToInt(Integer::intValue).toArray(), lrFactor);
    for (int m : milestones) {
      if (m < 1 || m >= epochs) {
        throw new IllegalArgumentException("milestones: each must be in [1, epochs-1] = [1, " + (epochs - 1) + "], got " + milestones);
      }
    }
  }

  /** The learning-rate schedule. */
  public StepSchedule schedule() {
    return new StepSchedule(lr, milestones.stream().mapToInt(Integer::intValue).toArray(), lrFactor);
  }

  /** A recipe's milestones (e.g. 75/130/180 of 200 epochs) scaled to an epoch count. */
  public static List<Integer> scaledMilestones(int[] recipe, int recipeEpochs, int epochs) {
    return java.util.Arrays.stream(StepSchedule.scaledMilestones(recipe, recipeEpochs, epochs)).boxed().toList();
  }
}
