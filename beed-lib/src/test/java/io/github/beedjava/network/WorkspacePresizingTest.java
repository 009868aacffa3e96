package io.github.beedjava.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.model.ModelConfig;
import io.github.beedjava.objective.Method;
import io.github.beedjava.train.TrainingStep;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The probe step that sizes the training workspaces changes nothing a real step computes. */
class WorkspacePresizingTest {
  private static final String ACTIVATIONS = "WS_ALL_LAYERS_ACT";

  private record Step(INDArray gradients, double loss, long workspaceBytes) {}

  private static Step firstStep(boolean presize, INDArray x, int[] y) {
    Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread();  // as in a fresh process
    MultiExitNetwork net = MultiExitNetwork.create(ModelConfig.cifar("resnet18", ExitStructure.BOTTLENECK, 0.125, 10));
    net.graph().setWorkspacePresizing(presize);
    var objective = Method.parse("beed").objective(net.numClassifiers());
    double loss = TrainingStep.forwardBackward(net, x, y, objective).total();
    long size = Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(ACTIVATIONS).getCurrentSize();
    return new Step(net.graph().getGradientsViewArray().dup(), loss, size);
  }

  @Test
  void presizedFirstStepGivesTheSameGradientsAndNeedsNoGrowth() {
    INDArray x = Nd4j.rand(DataType.FLOAT, 4 * WorkspacePresizer.PROBE_BATCH, 3, 32, 32).subi(0.5);
    int[] y = new java.util.Random(3).ints(x.size(0), 0, 10).toArray();
    Step learned = firstStep(false, x, y);
    Step presized = firstStep(true, x, y);
    assertEquals(learned.loss(), presized.loss(), 0.0, "the probe must not change the step");
    assertEquals(learned.gradients(), presized.gradients(), "the probe must not change the gradients");
    // The scaled size covers the batch: at least what DL4J learned from the real step.
    assertTrue(presized.workspaceBytes() >= learned.workspaceBytes(),
        "presized " + presized.workspaceBytes() + " < learned " + learned.workspaceBytes());
    assertTrue(presized.workspaceBytes() < 1.01 * learned.workspaceBytes() + (2 << 20),  // the fit, plus 1 MiB of slack
        "presized " + presized.workspaceBytes() + " far above learned " + learned.workspaceBytes());
  }

  @Test
  void switchingBetweenTrainingAndInferenceHandsBackTheOtherPhasesMemoryAndChangesNoResult() {
    INDArray x = Nd4j.rand(DataType.FLOAT, 4 * WorkspacePresizer.PROBE_BATCH, 3, 32, 32).subi(0.5);
    int[] y = new java.util.Random(5).ints(x.size(0), 0, 10).toArray();
    INDArray[] gradients = new INDArray[2];
    Outputs[] evals = new Outputs[2];
    for (int run = 0; run < 2; run++) {
      Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread();
      MultiExitNetwork net = MultiExitNetwork.create(ModelConfig.cifar("resnet18", ExitStructure.BOTTLENECK, 0.125, 10));
      var objective = Method.parse("beed").objective(net.numClassifiers());
      TrainingStep.forwardBackward(net, x, y, objective);
      if (run == 1) {  // an evaluation between two steps
        evals[0] = net.logits(x);
        assertTrue(!Nd4j.getWorkspaceManager().checkIfWorkspaceExists(ACTIVATIONS), "inference released the training activations");
      }
      TrainingStep.forwardBackward(net, x, y, objective);
      assertTrue(Nd4j.getWorkspaceManager().checkIfWorkspaceExists(ACTIVATIONS), "training sized its workspace again");
      gradients[run] = net.graph().getGradientsViewArray().dup();
      evals[1] = net.logits(x);
    }
    assertEquals(gradients[0], gradients[1], "an evaluation in between must not change a training step");
    for (int k = 0; k < evals[0].logits().length; k++) {
      assertEquals(evals[0].logits()[k], evals[1].logits()[k], "the same weights give the same logits after a training pass");
    }
  }
}
