package io.github.beedjava.engine.layers;

import io.github.beedjava.engine.layout.BlockedActivations;
import io.github.beedjava.engine.simd.HostFloats;
import io.github.beedjava.engine.simd.JavaChannelsLastMean;
import io.github.beedjava.engine.simd.VectorKernels;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.pooling.GlobalPoolingLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runtime layer of {@link GlobalAveragePooling}: DL4J's global pooling, and the same average over
 * a map in oneDNN's blocked layout when {@link BlockedActivations} plans one for its input. Its
 * output, [N, C], is plain either way.
 */
public final class GlobalAveragePoolingLayer extends GlobalPoolingLayer {
  private boolean blockedInput;

  GlobalAveragePoolingLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  /** Whether this layer's input is blocked in passes that use the layout (set from the plan). */
  public void setBlockedInput(boolean blockedInput) {
    this.blockedInput = blockedInput;
  }

  private boolean blocked() {
    return blockedInput && BlockedActivations.active();
  }

  /** Whether this pooling keeps H and W as size-1 dimensions of an NHWC map (squeeze-excitation in a channels-last copy). */
  private boolean keepsChannelsLastDimensions() {
    int[] dims = layerConf().getPoolingDimensions();
    return !layerConf().isCollapseDimensions() && dims != null && java.util.Arrays.equals(dims, new int[] {1, 2});
  }

  @Override
  public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
    if (keepsChannelsLastDimensions()) {
      // DL4J reshapes the pooled [N, C] to [N, size(1), 1, 1], which is H, not C, in NHWC.
      long n = input.size(0);
      long c = input.size(3);
      INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, input.dataType(), new long[] {n, 1, 1, c}, 'c');
      if (!JavaChannelsLastMean.apply(input, out)) {
        input.mean(out.reshape(n, c), 1, 2);
      }
      return out;
    }
    if (!blocked()) {
      return super.activate(training, workspaceMgr);
    }
    requireDense(input, "input");
    INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, new long[] {input.size(0), input.size(1)}, 'c');
    VectorKernels.blockedChannelMeans(VectorKernels.Nchw.of(input), out);
    HostFloats.keepAlive(input, out);  // the kernel reads views that do not reference the arrays
    return out;
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
    if (keepsChannelsLastDimensions()) {
      throw new IllegalStateException("layer " + layerId() + ": an NHWC pooling to [N,1,1,C] is for inference copies only");
    }
    if (!blocked()) {
      return super.backpropGradient(epsilon, workspaceMgr);
    }
    requireDense(input, "input");
    INDArray e = requireDense(epsilon, "output error");
    INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, input.shape(), 'c');
    VectorKernels.blockedChannelMeansBackward(e, VectorKernels.Nchw.of(dx));
    HostFloats.keepAlive(epsilon, dx);  // the kernel reads views that do not reference the arrays
    return new Pair<>(new DefaultGradient(), dx);
  }

  private INDArray requireDense(INDArray a, String what) {
    if (!HostFloats.isDense(a)) {
      throw new IllegalStateException("layer " + layerId() + ": the blocked layout needs a dense float " + what
          + ", got " + a.shapeInfoToString());
    }
    return a;
  }
}
