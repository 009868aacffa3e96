package io.github.beedjava.engine.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Swish's gradient is finite for large inputs and equals finite differences; ND4J's own is not. */
class StableSwishTest {
  private static final double[] XS = {-100, -50, -10, -1, -0.1, 0, 0.3, 2, 10, 44, 50, 89, 100};

  private static double swish(double x) {
    return x / (1 + Math.exp(-x));
  }

  @Test
  void forwardAndGradientMatchTheFormulaAndFiniteDifferences() {
    INDArray x = Nd4j.createFromArray(XS);
    INDArray y = new StableSwish().getActivation(x.dup(), true);
    INDArray g = new StableSwish().backprop(x.dup(), Nd4j.onesLike(x)).getFirst();
    for (int i = 0; i < XS.length; i++) {
      double h = 1e-6;
      double fd = (swish(XS[i] + h) - swish(XS[i] - h)) / (2 * h);
      assertEquals(swish(XS[i]), y.getDouble(i), 1e-12 * Math.max(1, Math.abs(XS[i])), "forward at " + XS[i]);
      assertEquals(fd, g.getDouble(i), 1e-6, "gradient at " + XS[i]);
    }
  }

  @Test
  void float32GradientIsFiniteWhereNd4jsSwishGivesNaN() {
    INDArray x = Nd4j.createFromArray(XS).castTo(DataType.FLOAT);
    INDArray ours = new StableSwish().backprop(x.dup(), Nd4j.onesLike(x)).getFirst();
    for (float v : ours.toFloatVector()) {
      assertTrue(Float.isFinite(v), ours.toString());
    }
    assertEquals(1.0, ours.getDouble(XS.length - 1), 1e-6);
    // The reason this class exists: if ND4J fixes its swish derivative, this documents the change.
    INDArray nd4j = Activation.SWISH.getActivationFunction().backprop(x.dup(), Nd4j.onesLike(x)).getFirst();
    boolean anyNaN = false;
    for (float v : nd4j.toFloatVector()) {
      anyNaN |= Float.isNaN(v);
    }
    assertTrue(anyNaN, "ND4J's swish gradient is now finite: " + nd4j);
  }

  @Test
  void onePassFloatKernelsMatchTheFormulaAndStayFinite() {
    org.junit.jupiter.api.Assumptions.assumeTrue(io.github.beedjava.engine.simd.HostFloats.vectorApi(), "needs the Vector API");
    // More than one chunk and a tail that is not a whole vector, extremes included.
    int n = (1 << 15) + 37;
    java.util.Random random = new java.util.Random(3);
    float[] xs = new float[n];
    float[] es = new float[n];
    for (int i = 0; i < n; i++) {
      xs[i] = i < XS.length ? (float) XS[i] : (float) (random.nextGaussian() * 8);
      es[i] = (float) random.nextGaussian();
    }
    INDArray x = Nd4j.createFromArray(xs);
    INDArray e = Nd4j.createFromArray(es);
    INDArray y = new StableSwish().getActivation(x.dup(), true);
    INDArray g = new StableSwish().backprop(x.dup(), e).getFirst();
    for (int i = 0; i < n; i++) {
      double s = 1 / (1 + Math.exp(-xs[i]));
      double slope = s * (1 + xs[i] * (1 - s));
      assertEquals(xs[i] * s, y.getFloat(i), 2e-6 * Math.max(1, Math.abs(xs[i])), "forward at " + xs[i]);
      assertEquals(es[i] * slope, g.getFloat(i), 2e-6 * Math.max(1, Math.abs(es[i] * slope)), "gradient at " + xs[i]);
      assertTrue(Float.isFinite(g.getFloat(i)), "gradient at " + xs[i]);
    }
  }

  @Test
  void scaledGradientIsEpsilonTimesDerivative() {
    INDArray x = Nd4j.createFromArray(new double[] {-2, 0.5, 3});
    INDArray eps = Nd4j.createFromArray(new double[] {0.5, -2, 4});
    INDArray g = new StableSwish().backprop(x.dup(), eps).getFirst();
    INDArray unit = new StableSwish().backprop(x.dup(), Nd4j.onesLike(x)).getFirst();
    for (int i = 0; i < 3; i++) {
      assertEquals(eps.getDouble(i) * unit.getDouble(i), g.getDouble(i), 1e-12);
    }
  }
}
