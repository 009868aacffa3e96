package io.github.beedjava.engine;

import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.MirroringPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;

/** Settings of the ND4J workspaces this package opens itself (DL4J's own are configured by DL4J). */
public final class Workspaces {
  private Workspaces() {}

  /**
   * A workspace that learns its size in its first cycle and grows at the end of any later cycle
   * that needed more, as DL4J's activation workspaces do: after the first cycle every array in it
   * reuses one block instead of being a separate native allocation.
   */
  public static WorkspaceConfiguration learnedInFirstCycle() {
    return WorkspaceConfiguration.builder()
        .initialSize(0)
        .overallocationLimit(0.05)
        .policyAllocation(AllocationPolicy.OVERALLOCATE)
        .policyLearning(LearningPolicy.FIRST_LOOP)
        .policyMirroring(MirroringPolicy.FULL)
        .policySpill(SpillPolicy.REALLOCATE)
        .policyReset(ResetPolicy.BLOCK_LEFT)
        .build();
  }
}
