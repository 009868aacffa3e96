package io.github.beedjava.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.model.ModelConfig;
import io.github.beedjava.network.MultiExitNetwork;
import io.github.beedjava.network.Outputs;
import io.github.beedjava.network.RunningStatistics;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** PyTorch SGD semantics on a zero-error step: only weight decay and momentum move parameters. */
class PyTorchSgdTest {

  private static MultiExitNetwork zeroGradientStep(MultiExitNetwork net, INDArray x) {
    net.forwardBackward(
        x,
        out -> {
          INDArray[] z = new INDArray[out.numClassifiers()];
          INDArray[] f = new INDArray[out.numClassifiers()];
          for (int k = 0; k < z.length; k++) {
            z[k] = Nd4j.zerosLike(out.logits()[k]);
            f[k] = Nd4j.zerosLike(out.features()[k]);
          }
          return new Outputs(z, f);
        });
    RunningStatistics.apply(net, 2);
    return net;
  }

  @Test
  void weightDecayReachesBatchNormAndBiasesAndMomentumIsHeavyBall() {
    ModelConfig c = ModelConfig.cifar("resnet18", ExitStructure.BOTTLENECK, 1.0 / 16, 5).withInput(3, 16).withDataType(DataType.DOUBLE);
    MultiExitNetwork net = MultiExitNetwork.create(c);
    double gamma0 = net.parameter("bn1", "gamma").getDouble(0);
    double bias0 = net.parameter("linear", "b").getDouble(0);
    double lr = 0.1;
    double wd = 0.01;
    double m = 0.9;
    PyTorchSgd sgd = new PyTorchSgd(m, wd);
    zeroGradientStep(net, Nd4j.rand(DataType.DOUBLE, 2, 3, 16, 16));
    double var1 = net.parameter("bn1", "var").getDouble(0);
    sgd.step(net, lr);
    // step 1: buf = wd*p0; p1 = p0 - lr*wd*p0
    double g1 = gamma0 * (1 - lr * wd);
    assertEquals(g1, net.parameter("bn1", "gamma").getDouble(0), 1e-12);
    assertEquals(bias0 * (1 - lr * wd), net.parameter("linear", "b").getDouble(0), 1e-12);
    assertEquals(var1, net.parameter("bn1", "var").getDouble(0), 0, "running statistics must not be decayed");
    zeroGradientStep(net, Nd4j.rand(DataType.DOUBLE, 2, 3, 16, 16));
    sgd.step(net, lr);
    // step 2: buf = m*wd*p0 + wd*p1; p2 = p1 - lr*buf (Nesterov would give a different value)
    double expected = g1 - lr * (m * wd * gamma0 + wd * g1);
    assertEquals(expected, net.parameter("bn1", "gamma").getDouble(0), 1e-12);
  }

  @Test
  void runningStatisticsUseTheUnbiasedBatchVariance() {
    ModelConfig c = ModelConfig.cifar("resnet18", ExitStructure.NONE, 1.0 / 16, 5).withInput(3, 16).withDataType(DataType.DOUBLE);
    MultiExitNetwork net = MultiExitNetwork.create(c);
    INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 3, 16, 16);
    // bn1 sees conv1(x): compute its batch statistics directly.
    INDArray conv = net.graph().feedForward(x, false).get("conv1");
    INDArray channel0 = conv.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(0)).dup();
    double mean = channel0.meanNumber().doubleValue();
    double unbiasedVar = channel0.var(true).getDouble(0);
    zeroGradientStep(net, x);
    assertEquals(0.1 * mean, net.parameter("bn1", "mean").getDouble(0), 1e-12);
    assertEquals(0.9 + 0.1 * unbiasedVar, net.parameter("bn1", "var").getDouble(0), 1e-12);
  }

  @Test
  void invalidHyperParametersAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new PyTorchSgd(1.0, 0));
    assertThrows(IllegalArgumentException.class, () -> new PyTorchSgd(0.9, -1));
  }
}
