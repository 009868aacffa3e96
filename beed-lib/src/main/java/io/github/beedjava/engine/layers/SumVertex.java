package io.github.beedjava.engine.layers;

import io.github.beedjava.engine.simd.JavaAdd;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The residual sum a + b of two maps of one shape, written in one pass. DL4J's {@link ElementWiseVertex}
 * copies its first input and then adds the second into the copy, two passes over memory (the
 * residual sums were 8 % of a width-1/4 inference pass; one pass makes inference 1.04x and a
 * training step 1.03x faster there, bench/HISTORY.md). Backward is DL4J's Add.
 * Being an {@link ElementWiseVertex} (Add), it is everything the graph rewrites of this package
 * expect of one. In inference graphs it can also apply the ReLU that alone reads it
 * ({@link #setRelu}): max(a + b, 0) in the same pass.
 */
public final class SumVertex extends ElementWiseVertex {
  private boolean relu;

  /** A sum vertex. */
  public SumVertex() {
    super(Op.Add);
  }

  /** Whether this vertex writes max(a + b, 0): an inference-only vertex, whose backward refuses. */
  public boolean isRelu() {
    return relu;
  }

  /** @param relu true when the ReLU that was the sum's only reader is now this vertex's (inference graphs only) */
  public void setRelu(boolean relu) {
    this.relu = relu;
  }

  @Override
  public SumVertex clone() {
    SumVertex copy = new SumVertex();
    copy.setRelu(relu);
    return copy;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SumVertex other && other.relu == relu;
  }

  @Override
  public int hashCode() {
    return Boolean.hashCode(relu) + 31 * SumVertex.class.hashCode();
  }

  @Override
  public GraphVertex instantiate(ComputationGraph graph, String name, int idx, INDArray paramsView,
      boolean initializeParams, DataType networkDatatype) {
    return new Impl(graph, name, idx, networkDatatype, relu);
  }

  /**
   * Writes a + b, or max(a + b, 0) with {@code relu}, into {@code y} (three arrays of one shape and
   * type; y may be a or b): one Vector API pass ({@link JavaAdd}), or ND4J's ops where that declines.
   */
  static void add(INDArray a, INDArray b, INDArray y, boolean relu) {
    if (!JavaAdd.apply(a, b, y, relu)) {
      Nd4j.exec(new AddOp(a, b, y));
      if (relu) {
        Nd4j.exec(new RectifiedLinear(y, y, 0.0));
      }
    }
  }

  /**
   * The runtime vertex: one Vector API pass ({@link JavaAdd}: the sum, or the sum and its ReLU) into a
   * fresh activation array, or ND4J's {@link AddOp} where that declines.
   */
  static final class Impl extends org.deeplearning4j.nn.graph.vertex.impl.ElementWiseVertex {
    private final boolean relu;

    Impl(ComputationGraph graph, String name, int idx, DataType dataType, boolean relu) {
      super(graph, name, idx, org.deeplearning4j.nn.graph.vertex.impl.ElementWiseVertex.Op.Add, dataType);
      this.relu = relu;
    }

    /** Whether the last forward pass was this class's (two inputs of one shape), not DL4J's. */
    private boolean ownForward;

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
      ownForward = inputs != null && inputs.length == 2 && inputs[0].equalShapes(inputs[1])
          && inputs[0].dataType() == inputs[1].dataType();
      if (relu && training) {
        throw new IllegalStateException("SumVertex " + vertexName + ": its ReLU is fused for inference; never train this graph");
      }
      if (!ownForward) {
        INDArray sum = super.doForward(training, workspaceMgr);  // broadcasting or anything unusual: DL4J's code
        return relu ? Nd4j.exec(new RectifiedLinear(sum, sum, 0.0)) : sum;
      }
      INDArray sum = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, inputs[0].dataType(), inputs[0].shape(), 'c');
      add(inputs[0], inputs[1], sum, relu);
      return sum;
    }

    /**
     * d(a + b) = the error for each input, as DL4J's Add does (one copy per input: the graph may sum
     * other errors into either in place).
     */
    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
      if (relu) {
        throw new IllegalStateException("SumVertex " + vertexName + ": its ReLU is fused for inference and has no backward");
      }
      if (!ownForward) {
        return super.doBackward(tbptt, workspaceMgr);  // DL4J's forward ran and set its own state
      }
      if (epsilon == null) {
        throw new IllegalStateException("SumVertex " + vertexName + ": backward without an error array");
      }
      return new Pair<>(null, new INDArray[] {
        workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, epsilon), workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, epsilon)
      });
    }
  }
}
