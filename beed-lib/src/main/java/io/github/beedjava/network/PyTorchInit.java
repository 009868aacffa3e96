package io.github.beedjava.network;

import io.github.beedjava.model.Initialisation;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The official code's initialisation (docs/method.md): conv weights N(0, sqrt(2 / (k*k*out))) (He
 * fan-out), BN weight 1 and bias 0 with running mean 0 and variance 1, Linear weight and bias
 * U(-1/sqrt(in), 1/sqrt(in)) (PyTorch's default); or, for a family that asks for {@link
 * Initialisation#PYTORCH_DEFAULT} (MSDNet), conv weights U(±1/sqrt(fan_in)) as well. Deterministic for a seed, independent of ND4J's RNG.
 */
public final class PyTorchInit {
  private PyTorchInit() {}

  static void apply(MultiExitNetwork net, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    boolean heFanOut = net.blueprint().initialisation() == Initialisation.HE_FAN_OUT;
    for (ParameterRef ref : net.parameters()) {
      INDArray p = net.parameter(ref);
      long n = p.length();
      double[] values = new double[(int) n];
      switch (ref.kind()) {
        case CONV_WEIGHT -> {
          long[] s = p.shape();  // DL4J [out, in, kh, kw]
          if (heFanOut) {
            fillGaussian(values, Math.sqrt(2.0 / (s[2] * s[3] * s[0])), random);
          } else {
            fillUniform(values, 1.0 / Math.sqrt(s[1] * s[2] * s[3]), random);
          }
        }
        case DEPTHWISE_WEIGHT -> {
          // DL4J [kh, kw, C, 1]; He fan-out as for every conv: k*k*out with out = C; fan-in k*k.
          long[] s = p.shape();
          if (heFanOut) {
            fillGaussian(values, Math.sqrt(2.0 / (s[0] * s[1] * s[2])), random);
          } else {
            fillUniform(values, 1.0 / Math.sqrt(s[0] * s[1]), random);
          }
        }
        case LINEAR_WEIGHT, VECTOR -> {
          if (ref.kind() == ParameterRef.Kind.VECTOR && ref.dl4jKey().equals("b") && !ref.layer().endsWith("linear")) {
            // Conv bias: PyTorch's default U(-1/sqrt(fan_in), 1/sqrt(fan_in)); the official init leaves it.
            long[] w = net.parameter(ref.layer(), "W").shape();
            double bound = 1.0 / Math.sqrt(w[1] * w[2] * w[3]);
            for (int i = 0; i < n; i++) {
              values[i] = (2 * random.nextDouble() - 1) * bound;
            }
          } else if (ref.layer().endsWith("linear")) {
            double bound = 1.0 / Math.sqrt(net.parameter(ref.layer(), "W").size(0));
            for (int i = 0; i < n; i++) {
              values[i] = (2 * random.nextDouble() - 1) * bound;
            }
          } else {
            double fill = ref.dl4jKey().equals("gamma") ? 1.0 : 0.0;
            java.util.Arrays.fill(values, fill);
          }
        }
        case RUNNING_STATISTIC -> java.util.Arrays.fill(values, ref.dl4jKey().equals("var") ? 1.0 : 0.0);
      }
      p.assign(Nd4j.create(values, p.shape(), 'c').castTo(p.dataType()));
    }
  }

  private static void fillGaussian(double[] values, double std, SplittableRandom random) {
    for (int i = 0; i < values.length; i++) {
      values[i] = std * gaussian(random);
    }
  }

  private static void fillUniform(double[] values, double bound, SplittableRandom random) {
    for (int i = 0; i < values.length; i++) {
      values[i] = (2 * random.nextDouble() - 1) * bound;
    }
  }

  /** Box-Muller on a SplittableRandom (which has no nextGaussian in Java 17). */
  private static double gaussian(SplittableRandom random) {
    double u1 = 1.0 - random.nextDouble();
    double u2 = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}
