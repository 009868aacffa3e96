package io.github.beedjava.engine.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.github.beedjava.engine.simd.JavaReluBackward;
import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.model.ModelConfig;
import io.github.beedjava.model.Models;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SinglePassReluTest {

  private static Layer layer(org.deeplearning4j.nn.conf.layers.Layer conf) {
    MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).list()
        .layer(conf).setInputType(InputType.convolutional(6, 6, 3)).build());
    net.init();
    return net.getLayer(0);
  }

  @Test
  void sameValuesAsDl4jsReluLayerBothWaysAndTheInputIsKept() {
    Layer plain = layer(new ActivationLayer.Builder().activation(Activation.RELU).build());
    Layer fast = layer(new SinglePassRelu());
    assertInstanceOf(SinglePassReluLayer.class, fast);
    INDArray x = Nd4j.rand(DataType.FLOAT, 4, 3, 6, 6).subi(0.5);
    INDArray keep = x.dup();
    INDArray eps = Nd4j.rand(DataType.FLOAT, 4, 3, 6, 6).subi(0.5);
    LayerWorkspaceMgr ws = LayerWorkspaceMgr.noWorkspaces();
    plain.setInput(x.dup(), ws);
    fast.setInput(x, ws);
    for (boolean training : new boolean[] {true, false}) {
      assertEquals(plain.activate(training, ws), fast.activate(training, ws), "forward, training " + training);
    }
    assertEquals(keep, x, "the input must survive the forward pass (backward reads it)");
    assertEquals(plain.backpropGradient(eps.dup(), ws).getSecond(), fast.backpropGradient(eps, ws).getSecond(), "backward");
  }

  @Test
  void inPlaceOnlyWhereNothingElseReadsTheInputAndSameValues() {
    for (String model : new String[] {"resnet18", "wrn16_4", "mobilenetv2"}) {
      var conf = Models.blueprint(ModelConfig.cifar(model, ExitStructure.BOTTLENECK, 0.125, 10)).graph();
      java.util.Map<String, Integer> readers = new java.util.HashMap<>();
      conf.getVertexInputs().values().forEach(ins -> ins.forEach(in -> readers.merge(in, 1, Integer::sum)));
      conf.getNetworkOutputs().forEach(out -> readers.merge(out, 1, Integer::sum));
      int inPlace = 0;
      for (var e : conf.getVertices().entrySet()) {
        if (e.getValue() instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv
            && lv.getLayerConf().getLayer() instanceof SinglePassRelu relu && relu.isInPlace()) {
          inPlace++;
          String in = conf.getVertexInputs().get(e.getKey()).get(0);
          assertEquals(1, readers.get(in), model + ": " + e.getKey() + " overwrites " + in + ", which something else reads");
        }
      }
      org.junit.jupiter.api.Assertions.assertTrue(inPlace > 0, model + " has no in-place ReLU");
    }
    SinglePassRelu conf = new SinglePassRelu();
    conf.setInPlace(true);
    Layer plain = layer(new ActivationLayer.Builder().activation(Activation.RELU).build());
    Layer fast = layer(conf);
    INDArray x = Nd4j.rand(DataType.FLOAT, 4, 3, 6, 6).subi(0.5);
    INDArray eps = Nd4j.rand(DataType.FLOAT, 4, 3, 6, 6).subi(0.5);
    LayerWorkspaceMgr ws = LayerWorkspaceMgr.noWorkspaces();
    plain.setInput(x.dup(), ws);
    fast.setInput(x, ws);
    assertEquals(plain.activate(true, ws), fast.activate(true, ws), "forward");
    assertEquals(plain.backpropGradient(eps.dup(), ws).getSecond(), fast.backpropGradient(eps, ws).getSecond(),
        "backward from the overwritten input");
    // Inference writes a fresh array: its passes alternate workspaces, where overwriting would first copy.
    INDArray z = Nd4j.rand(DataType.FLOAT, 4, 3, 6, 6).subi(0.5);
    INDArray keep = z.dup();
    fast.setInput(z, ws);
    assertEquals(org.nd4j.linalg.ops.transforms.Transforms.relu(keep, true), fast.activate(false, ws), "inference");
    assertEquals(keep, z, "an inference pass leaves the input as it was");
  }

  @Test
  void javaBackwardEqualsTheNativeOpOverSeveralChunksAndEdgeValues() {
    INDArray x = Nd4j.rand(DataType.FLOAT, 3, 7, 41, 37).subi(0.5);  // 31,857 values: two chunks
    x.putScalar(0, 0.0f);
    x.putScalar(1, -0.0f);
    x.putScalar(2, Float.MIN_VALUE);
    INDArray dy = Nd4j.rand(DataType.FLOAT, 3, 7, 41, 37).subi(0.5);
    INDArray expected = x.ulike();
    Nd4j.exec(new org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinearDerivative(x, dy, expected));
    for (boolean vector : new boolean[] {false, true}) {  // 31,857 is no multiple of 16: the vector loop has a tail
      INDArray actual = x.ulike();
      org.junit.jupiter.api.Assertions.assertTrue(JavaReluBackward.apply(x, dy, actual, vector));
      assertEquals(expected, actual, vector ? "Vector API loop" : "scalar loop");
    }
    INDArray actual = x.ulike();
    org.junit.jupiter.api.Assertions.assertFalse(JavaReluBackward.apply(x.permute(0, 2, 3, 1), dy, actual),
        "a strided view is declined, not misread");
  }
}
