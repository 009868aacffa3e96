package io.github.beedjava.config;

import io.github.beedjava.optim.StepSchedule;
import io.github.beedjava.runtime.EnumNames;
import java.util.List;

/**
 * Compute budgets (docs/training.md). Every result records the profile that made it; only
 * {@link #PAPER} results are comparable with the paper's numbers.
 */
public enum Profile {
  /** Synthetic images, width 1/8, 3 epochs of 20 batches: CI and tests, seconds. */
  SMOKE,
  /** Fashion-MNIST (Debian package), width 1/4, 5 epochs on a 10,000-image subset: minutes on a laptop CPU. */
  QUICK,
  /** CIFAR-100, full width, the paper's 200-epoch recipe: a GPU. */
  PAPER,
  /**
   * The supplement's ImageNet recipe on an image folder ({@code DIR/train}, {@code DIR/val}): full
   * width, ResNet's ImageNet stem, 224-pixel crops, batch 256, 90 epochs, lr 0.1 ÷10 at 30 and 60,
   * weight decay 1e-4: a GPU cluster.
   */
  IMAGENET;

  /** The learning-rate milestones of this profile's recipe, scaled to an epoch count. */
  public List<Integer> milestones(int epochs) {
    return this == IMAGENET
        ? OptimisationSpec.scaledMilestones(new int[] {30, 60}, 90, epochs)
        : OptimisationSpec.scaledMilestones(StepSchedule.PAPER_MILESTONES, StepSchedule.PAPER_EPOCHS, epochs);
  }

  /** The command-line spelling. */
  public String cliName() {
    return EnumNames.cliName(this);
  }

  /** Parses {@code smoke}, {@code quick} or {@code paper}. */
  public static Profile parse(String name) {
    return EnumNames.parse(Profile.class, "profile", "profile", name);
  }

  /** The profile's defaults for a model, exit structure and method. */
  public TrainingConfig.Builder defaults() {
    TrainingConfig.Builder b = TrainingConfig.builder().profile(this);
    return switch (this) {
      case SMOKE -> b.dataset("synthetic").width(0.125).epochs(3).batchSize(32).trainSubset(640).testSubset(200);
      case QUICK -> b.dataset("fashion-mnist").width(0.25).epochs(5).batchSize(128).trainSubset(10_000).testSubset(0);
      case PAPER -> b.dataset("cifar100").width(1.0).epochs(200).batchSize(128).trainSubset(0).testSubset(0);
      case IMAGENET -> b.dataset("image-folder").width(1.0).epochs(90).batchSize(256).trainSubset(0).testSubset(0)
          .imageSize(224).imagenetStem(true).weightDecay(1e-4);
    };
  }
}
