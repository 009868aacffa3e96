package io.github.beedjava.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.model.ModelConfig;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class OutputsTest {

  @Test
  void releaseFreesOwnArraysAndLeavesViewsAlone() {
    INDArray base = Nd4j.rand(DataType.FLOAT, 4, 10);
    INDArray view = base.get(NDArrayIndex.interval(0, 2), NDArrayIndex.all());
    INDArray logits = Nd4j.rand(DataType.FLOAT, 2, 10);
    INDArray feature = Nd4j.rand(DataType.FLOAT, 2, 3, 4, 4);
    new Outputs(new INDArray[] {logits, view}, new INDArray[] {feature, feature.dup()}).release();
    assertTrue(logits.wasClosed(), "own logits freed");
    assertTrue(feature.wasClosed(), "own feature freed");
    assertFalse(base.wasClosed(), "a view's base is not freed through the view");
    assertEquals(40, base.length());
    assertTrue(Double.isFinite(base.sumNumber().doubleValue()), "the base stays readable");
  }

  @Test
  void evalForwardStillMatchesTrainingGraphAfterFreeingItsCopies() {
    MultiExitNetwork net = MultiExitNetwork.create(ModelConfig.cifar("resnet18", ExitStructure.BOTTLENECK, 0.125, 10));
    INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 32, 32);
    Outputs first = net.forward(x, false);
    Outputs second = net.forward(x, false);  // the first pass's NHWC copies are gone; results must not change
    for (int k = 0; k < first.numClassifiers(); k++) {
      assertEquals(first.logits()[k], second.logits()[k], "logits " + k);
      assertEquals(first.features()[k], second.features()[k], "features " + k);
    }
  }

  @Test
  void logitsAreTheEvalForwardsLogitsWithoutFeaturesAndAreFreshArrays() {
    for (String model : new String[] {"resnet18", "efficientnet_b0"}) {  // NHWC inference graph, and the NCHW one
      MultiExitNetwork net = MultiExitNetwork.create(ModelConfig.cifar(model, ExitStructure.BOTTLENECK, 0.125, 10));
      INDArray x = Nd4j.rand(DataType.FLOAT, 3, 3, 32, 32).subi(0.5);
      Outputs full = net.forward(x, false);
      Outputs first = net.logits(x);
      net.logits(Nd4j.rand(DataType.FLOAT, 3, 3, 32, 32));  // a later pass must not overwrite the first's results
      assertEquals(0, first.features().length, "no feature copies");
      assertEquals(net.numClassifiers(), first.logits().length);
      for (int k = 0; k < first.logits().length; k++) {
        assertFalse(first.logits()[k].isAttached(), "handed back outside any workspace");
        assertEquals(full.logits()[k], first.logits()[k], model + " logits " + k + " after a later pass");
      }
    }
  }
}
