package io.github.beedjava.engine.layers;

import io.github.beedjava.engine.simd.JavaBatchNormHelper;
import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Configuration of a batch norm, in an inference-only graph, that also applies the ReLU that was
 * its only reader ({@code BatchNormFolding}): max(BN(x), 0) in the BN's own pass. It is for the BNs
 * no convolution can fold, those that read a residual sum (pre-activation blocks, as in WRN). The
 * separate ReLU wrote a second fresh map, a pass over memory this layer spares. Same parameters (names and sizes)
 * as the BN it replaces, so the graph's parameter layout does not change.
 */
public class RectifiedBatchNormalization extends BatchNormalization {

  /** For DL4J's JSON (de)serialisation. */
  public RectifiedBatchNormalization() {}

  /** The rectified twin of {@code bn}: the same channels, epsilon, data format and parameters. */
  public RectifiedBatchNormalization(BatchNormalization bn) {
    FoldedBatchNormalization.copySettings(bn, this);
  }

  @Override
  public Layer instantiate(
      NeuralNetConfiguration conf,
      Collection<TrainingListener> listeners,
      int layerIndex,
      INDArray paramsView,
      boolean initializeParams,
      DataType networkDataType) {
    return CustomLayers.wire(
        new Runtime(conf, networkDataType), conf, listeners, layerIndex, paramsView, initializeParams, initializer());
  }

  /**
   * The runtime layer: an eval-mode BN whose output is rectified, by {@link JavaBatchNormHelper}
   * in the same pass, or in place afterwards where DL4J's own code ran (double precision, NHWC).
   */
  static final class Runtime extends org.deeplearning4j.nn.layers.normalization.BatchNormalization {
    Runtime(NeuralNetConfiguration conf, DataType dataType) {
      super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
      if (training) {
        throw new IllegalStateException("BN " + layerId() + " applies the ReLU after it: inference graphs only");
      }
      INDArray out = super.activate(false, workspaceMgr);
      if (!(getHelper() instanceof JavaBatchNormHelper helper && helper.rectifiedLastPass())) {
        Nd4j.exec(new RectifiedLinear(out, out, 0.0));  // the BN's own fresh output: nothing else reads it yet
      }
      return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
      throw new IllegalStateException("BN " + layerId() + " applies the ReLU after it: inference graphs have no backward pass");
    }
  }
}
