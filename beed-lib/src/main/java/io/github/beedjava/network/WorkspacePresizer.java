package io.github.beedjava.network;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Sizes a thread's training workspaces for a batch before its first step.
 *
 * <p>DL4J's workspaces learn their size in their first cycles, and until then every array is a
 * separate native allocation: in the first step of a full-width network 1.3 GiB of activations and
 * the backward pass's errors. glibc keeps much of that memory after it is freed, so the first step
 * set the process's peak (bench/HISTORY.md, "Memory"). Instead, two probe steps on {@value
 * #PROBE_BATCH} and twice as many images (outputs' errors zero; nothing is applied, and the
 * gradients they write are overwritten by the real step) let the workspaces learn at small sizes;
 * each workspace's size is linear in the batch, so the two give it for the real batch, and each is
 * made again at that size. A batch that needs more still works: the workspaces grow at the end of
 * that cycle ({@code SpillPolicy.REALLOCATE}).
 */
final class WorkspacePresizer {
  private WorkspacePresizer() {}

  /** Images in the smaller of the two probe steps; the other has twice as many. */
  static final int PROBE_BATCH = 2;

  /** Room added to the fitted sizes (1 MiB): a cycle that needs more still works, it only grows the workspace. */
  private static final long PRESIZE_SLACK = 1 << 20;

  /**
   * @param input the real batch (its first images are the probes)
   * @param isTrainingWorkspace which workspace ids a training step opens
   * @param step one training step on a batch with zero output errors ({@link #zeroErrors})
   */
  static void presize(INDArray input, Predicate<String> isTrainingWorkspace, Consumer<INDArray> step) {
    Map<String, Long> small = probe(input, PROBE_BATCH, isTrainingWorkspace, step);
    Map<String, Long> large = probe(input, 2 * PROBE_BATCH, isTrainingWorkspace, step);
    var manager = Nd4j.getWorkspaceManager();
    for (MemoryWorkspace ws : new ArrayList<>(manager.getAllWorkspacesForCurrentThread())) {
      String id = ws.getId();
      if (!large.containsKey(id)) {
        continue;
      }
      long perImage = Math.max(0, large.get(id) - small.getOrDefault(id, 0L)) / PROBE_BATCH;
      long fitted = large.get(id) + perImage * (input.size(0) - 2L * PROBE_BATCH);
      WorkspaceConfiguration c = ws.getWorkspaceConfiguration();
      // The learned sizes include DL4J's over-allocation, which it adds again to an initial size.
      double overallocation = c.getPolicyAllocation() == AllocationPolicy.OVERALLOCATE ? 1 + c.getOverallocationLimit() : 1;
      long size = (long) Math.ceil(fitted / overallocation) + PRESIZE_SLACK;
      WorkspaceConfiguration sized = WorkspaceConfiguration.builder()
          .initialSize(size)
          .minSize(c.getMinSize())
          .maxSize(c.getMaxSize())
          .overallocationLimit(c.getOverallocationLimit())
          .policyAllocation(c.getPolicyAllocation())
          .policyLearning(c.getPolicyLearning())
          .policyMirroring(c.getPolicyMirroring())
          .policySpill(c.getPolicySpill())
          .policyReset(c.getPolicyReset())
          .policyLocation(c.getPolicyLocation())
          .cyclesBeforeInitialization(c.getCyclesBeforeInitialization())
          .stepsNumber(c.getStepsNumber())
          .tempFilePath(c.getTempFilePath())
          .build();
      manager.destroyWorkspace(ws);
      manager.getWorkspaceForCurrentThread(sized, id);
    }
  }

  /** Zero errors for every output: a probe step that changes nothing the real step keeps. */
  static INDArray[] zeroErrors(INDArray[] outputs) {
    INDArray[] zeros = new INDArray[outputs.length];
    for (int i = 0; i < outputs.length; i++) {
      zeros[i] = Nd4j.zeros(outputs[i].dataType(), outputs[i].shape());
    }
    return zeros;
  }

  /** One step on the first {@code images} images in fresh training workspaces; the size each learned. */
  private static Map<String, Long> probe(INDArray input, int images, Predicate<String> isTrainingWorkspace, Consumer<INDArray> step) {
    var manager = Nd4j.getWorkspaceManager();
    for (MemoryWorkspace ws : new ArrayList<>(manager.getAllWorkspacesForCurrentThread())) {
      if (isTrainingWorkspace.test(ws.getId())) {
        manager.destroyWorkspace(ws);
      }
    }
    step.accept(input.get(NDArrayIndex.interval(0, images)).dup('c'));
    Map<String, Long> sizes = new HashMap<>();
    for (MemoryWorkspace ws : manager.getAllWorkspacesForCurrentThread()) {
      if (isTrainingWorkspace.test(ws.getId()) && ws.getCurrentSize() > 0) {
        sizes.put(ws.getId(), ws.getCurrentSize());
      }
    }
    return sizes;
  }
}
