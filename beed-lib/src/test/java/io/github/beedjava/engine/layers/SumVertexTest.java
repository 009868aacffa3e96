package io.github.beedjava.engine.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.ops.transforms.Transforms;

class SumVertexTest {

  /** in -> two dense branches -> their sum -> a regression head. */
  private static ComputationGraph graph(GraphVertex sum) {
    var conf = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).seed(3).graphBuilder()
        .addInputs("in")
        .addLayer("a", new DenseLayer.Builder().nIn(6).nOut(5).activation(Activation.TANH).build(), "in")
        .addLayer("b", new DenseLayer.Builder().nIn(6).nOut(5).activation(Activation.IDENTITY).build(), "in")
        .addVertex("sum", sum, "a", "b")
        .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(5).nOut(3)
            .activation(Activation.IDENTITY).build(), "sum")
        .setOutputs("out")
        .setInputTypes(InputType.feedForward(6))
        .build();
    ComputationGraph g = new ComputationGraph(conf);
    g.init();
    return g;
  }

  @Test
  void sameOutputsAndGradientsAsDl4jsAddVertex() {
    ComputationGraph reference = graph(new ElementWiseVertex(ElementWiseVertex.Op.Add));
    ComputationGraph onePass = graph(new SumVertex());
    assertInstanceOf(SumVertex.Impl.class, onePass.getVertex("sum"));
    onePass.setParams(reference.params().dup());
    INDArray x = Nd4j.rand(DataType.FLOAT, 4, 6);
    INDArray y = Nd4j.rand(DataType.FLOAT, 4, 3);
    assertEquals(reference.outputSingle(x), onePass.outputSingle(x));
    reference.setInputs(x);
    reference.setLabels(y);
    reference.computeGradientAndScore();
    onePass.setInputs(x);
    onePass.setLabels(y);
    onePass.computeGradientAndScore();
    assertEquals(reference.score(), onePass.score(), 0.0);
    assertEquals(reference.gradient().gradient(), onePass.gradient().gradient(), "gradients of both branches");
  }

  @Test
  void cloneStaysASumVertex() {
    assertInstanceOf(SumVertex.class, new SumVertex().clone());
    SumVertex fused = new SumVertex();
    fused.setRelu(true);
    assertTrue(((SumVertex) fused.clone()).isRelu());
    assertNotEquals(new SumVertex(), fused);
  }

  @Test
  void aFusedReluGivesTheReluOfTheSumAndRefusesTraining() {
    ComputationGraph plain = graph(new SumVertex());
    SumVertex fusedConf = new SumVertex();
    fusedConf.setRelu(true);
    ComputationGraph fused = graph(fusedConf);
    fused.setParams(plain.params().dup());
    // Long enough for the Vector API's full lanes and a tail; half the sums negative.
    INDArray x = Nd4j.rand(DataType.FLOAT, 37, 6).subi(0.5).muli(4);
    INDArray sum = plain.feedForward(x, false).get("sum");
    INDArray expected = Transforms.relu(sum, true);
    assertTrue(sum.lt(0).any() && sum.gt(0).any(), "both signs present");
    assertEquals(expected, fused.feedForward(x, false).get("sum"));
    INDArray y = Nd4j.rand(DataType.FLOAT, 37, 3);
    fused.setInputs(x);
    fused.setLabels(y);
    IllegalStateException e = assertThrows(IllegalStateException.class, fused::computeGradientAndScore);
    assertTrue(e.getMessage().contains("sum"), e.getMessage());
  }
}
