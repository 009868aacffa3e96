package io.github.beedjava.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.beedjava.engine.layers.InferenceDense;
import io.github.beedjava.engine.simd.JavaWinograd;
import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.model.ModelConfig;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The inference copy computes what the training graph computes in eval mode. */
class InferenceCopyTest {

  private static double relErr(INDArray expected, INDArray actual) {
    return expected.sub(actual).norm2Number().doubleValue() / Math.max(1e-12, expected.norm2Number().doubleValue());
  }

  @Test
  void itsHeadsAreInferenceDenseLayersThatGiveTheTrainingGraphsLogits() {
    // ResNet18: the blocked copy; MobileNetV2: the channels-last one.
    for (String model : new String[] {"resnet18", "mobilenetv2"}) {
      MultiExitNetwork net = MultiExitNetwork.create(ModelConfig.cifar(model, ExitStructure.BOTTLENECK, 0.25, 10));
      var vertices = net.inferenceGraph().getConfiguration().getVertices().values();
      assertTrue(vertices.stream().anyMatch(v -> v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof InferenceDense),
          model + ": the copy has inference heads");
      assertTrue(vertices.stream().noneMatch(v -> v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof DenseLayer d
          && !(d instanceof InferenceDense)), model + ": every head is replaced");
      Nd4j.getRandom().setSeed(3);
      for (String head : net.blueprint().logits()) {  // DL4J starts biases at zero, which would hide a missing bias
        net.graph().getLayer(head).getParam("b").assign(Nd4j.rand(DataType.FLOAT, net.graph().getLayer(head).getParam("b").shape()));
      }
      INDArray x = Nd4j.rand(DataType.FLOAT, 5, 3, 32, 32).subi(0.5);
      Outputs copy = net.forward(x, false);
      Outputs reference = Outputs.split(net.graph().output(false, x));
      for (int k = 0; k < copy.logits().length; k++) {
        double e = relErr(reference.logits()[k], copy.logits()[k]);
        assertTrue(e < 1e-4, model + ": logits " + k + " differ by " + e);
      }
      Outputs logitsOnly = net.logits(x);  // feature-map outputs skipped: the same logits
      for (int k = 0; k < copy.logits().length; k++) {
        assertEquals(copy.logits()[k], logitsOnly.logits()[k], model + ": logits " + k + " of a logits-only pass");
      }
      var head = net.inferenceGraph().getLayer(net.blueprint().logits().get(0));
      var error = assertThrows(IllegalStateException.class, () -> head.activate(true, org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces()));
      assertTrue(error.getMessage().contains("inference graphs only"), error.getMessage());
    }
  }

  @Test
  void runsTheSixteenChannelLayersByJavaWinogradWithinRoundingOnBatchesLargeEnough() {
    assumeTrue(JavaWinograd.enabled(), "JavaWinograd runs on AVX-512 CPUs with the Vector API only");
    // ResNet18 at width 1/4: its first stage's four 3x3 layers have 16 channels in and out
    MultiExitNetwork net = MultiExitNetwork.create(ModelConfig.cifar("resnet18", ExitStructure.BOTTLENECK, 0.25, 10));
    Nd4j.getRandom().setSeed(5);
    // 16 images of 32x32 hold JavaWinograd.MIN_TILES tiles; 2 images leave the layers to oneDNN
    for (int batch : new int[] {16, 2}) {
      INDArray x = Nd4j.rand(DataType.FLOAT, batch, 3, 32, 32).subi(0.5);
      Outputs winograd = net.logits(x);
      Outputs direct = SwitchedOff.logits(net, x, JavaWinograd.PROPERTY);
      double largest = 0;
      for (int k = 0; k < direct.logits().length; k++) {
        double e = relErr(direct.logits()[k], winograd.logits()[k]);
        assertTrue(e < 1e-5, "batch " + batch + ": logits " + k + " differ by " + e);
        largest = Math.max(largest, direct.logits()[k].sub(winograd.logits()[k]).amaxNumber().doubleValue());  // equals() allows 1e-5
      }
      if (batch == 16) {
        assertTrue(largest > 0, "the switch changed nothing: JavaWinograd did not run");
      } else {
        assertEquals(0.0, largest, "batch 2 is under JavaWinograd.MIN_TILES: oneDNN runs either way");
      }
    }
  }
}
