package io.github.beedjava.engine.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.model.ModelConfig;
import io.github.beedjava.model.Models;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SinglePassSwishTest {

  private static Layer layer(org.deeplearning4j.nn.conf.layers.Layer conf, DataType dataType) {
    MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(dataType).list()
        .layer(conf).setInputType(InputType.convolutional(7, 7, 24)).build());
    net.init();
    return net.getLayer(0);
  }

  /** Against DL4J's ActivationLayer with the same activation: equal bit for bit, in float and (DL4J's path) double. */
  @Test
  void sameValuesAsDl4jsActivationLayerBothWaysAndTheInputIsKept() {
    for (DataType dataType : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      Layer plain = layer(new ActivationLayer.Builder().activation(new StableSwish()).build(), dataType);
      Layer fast = layer(new SinglePassSwish(), dataType);
      assertInstanceOf(SinglePassSwishLayer.class, fast);
      // wide inputs: swish saturates at both ends, and ND4J's own swish gradient overflows above ~44
      INDArray x = Nd4j.rand(dataType, 4, 24, 7, 7).subi(0.5).muli(120);
      INDArray keep = x.dup();
      INDArray eps = Nd4j.rand(dataType, 4, 24, 7, 7).subi(0.5);
      LayerWorkspaceMgr ws = LayerWorkspaceMgr.noWorkspaces();
      for (boolean training : new boolean[] {false, true}) {
        plain.setInput(x.dup(), ws);  // DL4J's eval forward overwrites its input where there is no workspace
        fast.setInput(x, ws);
        assertEquals(plain.activate(training, ws), fast.activate(training, ws), dataType + " forward, training " + training);
      }
      assertEquals(keep, x, dataType + ": the input must survive the forward pass (backward reads it)");
      INDArray dx = fast.backpropGradient(eps, ws).getSecond();
      assertEquals(plain.backpropGradient(eps.dup(), ws).getSecond(), dx, dataType + " backward");
      assertEquals(keep, x, dataType + ": backward must not overwrite the input");
      assertTrue(Double.isFinite(dx.sumNumber().doubleValue()), dataType + ": finite gradients");
    }
  }

  @Test
  void everySwishOfEfficientNetB0IsASinglePassSwish() {
    var conf = Models.blueprint(ModelConfig.cifar("efficientnet_b0", ExitStructure.BOTTLENECK, 0.125, 10)).graph();
    long swishes = conf.getVertices().values().stream()
        .filter(v -> v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof ActivationLayer a
            && a.getActivationFn() instanceof StableSwish)
        .peek(v -> assertInstanceOf(SinglePassSwish.class, ((LayerVertex) v).getLayerConf().getLayer()))
        .count();
    assertTrue(swishes > 30, "EfficientNetB0 swishes: " + swishes);
  }
}
