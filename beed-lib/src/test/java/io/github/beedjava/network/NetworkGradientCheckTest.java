package io.github.beedjava.network;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.model.ModelConfig;
import io.github.beedjava.objective.LossResult;
import io.github.beedjava.objective.Method;
import io.github.beedjava.objective.Teacher;
import io.github.beedjava.objective.Tensor;
import io.github.beedjava.objective.WeightedObjective;
import io.github.beedjava.train.TrainingStep;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Finite-difference gradient check of the whole network (double precision, width 1/16, 16x16
 * input, train-mode BN): the gradient from one forward/backward with external errors equals the
 * central difference of the objective with its teacher held fixed, i.e. the teacher is detached.
 */
class NetworkGradientCheckTest {
  static final int N = 4;
  static final int CLASSES = 5;
  static final String[] LAYERS = {
    "conv1", "bn1", "layer1.0.conv1", "layer2.0.downsample.0", "layer3.1.bn2", "layer4.1.conv2",
    "ex1conv1.conv2", "ex2conv1.bn3", "ex3conv1.conv1", "ex1linear", "linear"
  };

  static INDArray input;
  static int[] labels;

  @BeforeAll
  static void data() {
    Nd4j.getRandom().setSeed(11);
    input = Nd4j.randn(DataType.DOUBLE, N, 3, 16, 16);
    labels = new int[] {0, 1, 2, 4};
  }

  private static Outputs split(MultiExitNetwork net, INDArray x) {
    return net.forward(x, true);
  }

  private static double loss(MultiExitNetwork net, WeightedObjective o, Teacher teacher) {
    Outputs out = split(net, input);
    Tensor[] z = new Tensor[out.numClassifiers()];
    Tensor[] f = new Tensor[out.numClassifiers()];
    for (int k = 0; k < z.length; k++) {
      z[k] = Tensor.of(out.logits()[k]);
      f[k] = Tensor.of(out.features()[k]);
    }
    return o.evaluate(z, f, labels, teacher).total();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Method.class)
  void networkGradientsMatchFiniteDifferences(Method method) {
    ExitStructure exits = method.exitsFor(ExitStructure.BOTTLENECK);
    ModelConfig config =
        ModelConfig.cifar("resnet18", exits, 1.0 / 16, CLASSES).withInput(3, 16).withDataType(DataType.DOUBLE);
    MultiExitNetwork net = MultiExitNetwork.create(config);
    List<ParameterRef> refs = net.parameters().stream().filter(r -> r.trainable() && isSampled(r.layer())).toList();
    check(net, method, refs, 3, 15);
  }

  /** Every other backbone and exit structure, BEED, parameters sampled across the whole network. */
  @ParameterizedTest(name = "{0} + {1}")
  @org.junit.jupiter.params.provider.CsvSource({
    "resnet18, BYOT", "resnet34, LCT", "wrn16_4, LCT", "wrn28_4, BOTTLENECK", "mobilenetv2, TOFD", "efficientnet_b0, BOTTLENECK", "msdnet, MSDNET"
  })
  void otherBackbonesAndExitsMatchFiniteDifferences(String model, ExitStructure exits) {
    ModelConfig config = ModelConfig.cifar(model, exits, 1.0 / 16, CLASSES).withInput(3, 16).withDataType(DataType.DOUBLE);
    MultiExitNetwork net = MultiExitNetwork.create(config);
    List<ParameterRef> trainable = new ArrayList<>(net.parameters().stream().filter(ParameterRef::trainable).toList());
    java.util.Collections.shuffle(trainable, new Random(7));
    check(net, Method.BEED, trainable.subList(0, Math.min(20, trainable.size())), 1, 15);
  }

  private static void check(MultiExitNetwork net, Method method, List<ParameterRef> refs, int perTensor, int atLeast) {
    WeightedObjective objective = (WeightedObjective) method.objective(net.numClassifiers());
    LossResult[] holder = new LossResult[1];
    net.forwardBackward(
        input,
        outs -> {
          holder[0] = TrainingStep.evaluate(objective, outs, labels);
          return TrainingStep.errors(holder[0], DataType.DOUBLE);
        });
    Teacher fixed = holder[0].teacher();

    Random pick = new Random(5);
    double h = 1e-6;
    int checked = 0;
    List<String> failures = new ArrayList<>();
    for (ParameterRef ref : refs) {
      INDArray p = net.parameter(ref);
      INDArray g = net.gradient(ref).dup();
      for (int s = 0; s < perTensor; s++) {
        long i = pick.nextInt((int) p.length());
        // logical (row-major) position: DL4J stores dense weights in 'f' order
        long[] at = org.nd4j.linalg.api.shape.Shape.ind2subC(p, i);
        double keep = p.getDouble(at);
        p.putScalar(at, keep + h);
        double plus = loss(net, objective, fixed);
        p.putScalar(at, keep - h);
        double minus = loss(net, objective, fixed);
        p.putScalar(at, keep);
        double numeric = (plus - minus) / (2 * h);
        double analytic = g.getDouble(at);
        double rel = Math.abs(numeric - analytic) / Math.max(1e-6, Math.abs(numeric) + Math.abs(analytic));
        // Parameters a following BN cancels have zero gradient: judge those by absolute error.
        if (rel > 1e-4 && Math.abs(numeric - analytic) > 1e-8) {
          failures.add(ref.pytorchName() + "[" + i + "] analytic " + analytic + " numeric " + numeric);
        }
        checked++;
      }
    }
    assertTrue(checked >= atLeast, "too few parameters sampled: " + checked);
    assertTrue(failures.isEmpty(), net.config().architecture() + " " + method + ": " + failures);
  }

  private static boolean isSampled(String layer) {
    for (String l : LAYERS) {
      if (l.equals(layer)) {
        return true;
      }
    }
    return false;
  }
}
