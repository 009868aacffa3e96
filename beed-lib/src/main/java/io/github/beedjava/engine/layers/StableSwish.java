package io.github.beedjava.engine.layers;

import io.github.beedjava.engine.simd.JavaSwish;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Swish, x·σ(x), with a derivative that stays finite for large inputs: σ(x) + x·σ(x)·(1 − σ(x)).
 * ND4J 1.0.0-M2.1's built-in {@code Activation.SWISH} returns NaN gradients in float32 for inputs
 * above about 44 (its derivative divides two overflowing exponentials), which made EfficientNetB0
 * diverge within a few iterations at lr 0.1; {@code StableSwishTest} pins both facts. On float
 * arrays with the Vector API each direction is one pass ({@link JavaSwish}); otherwise ND4J ops.
 */
public final class StableSwish extends BaseActivationFunction {

  /** Applies swish in place when {@code training} allows it (as ND4J's activations do). */
  @Override
  public INDArray getActivation(INDArray in, boolean training) {
    if (JavaSwish.forwardInPlace(in)) {
      return in;
    }
    INDArray sigmoid = Transforms.sigmoid(in, true);
    return in.muli(sigmoid);
  }

  @Override
  public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
    assertShape(in, epsilon);
    if (JavaSwish.backwardInPlace(in, epsilon)) {
      return new Pair<>(in, null);
    }
    INDArray sigmoid = Transforms.sigmoid(in, true);
    // dL/dx = eps · (σ + x·σ·(1 − σ)), written into `in` (ND4J's contract: backprop may overwrite its input)
    INDArray oneMinus = sigmoid.rsub(1.0);
    in.muli(sigmoid).muli(oneMinus).addi(sigmoid).muli(epsilon);
    return new Pair<>(in, null);
  }

  @Override
  public String toString() {
    return "stableswish";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StableSwish;
  }

  @Override
  public int hashCode() {
    return StableSwish.class.hashCode();
  }
}
