package io.github.beedjava.engine.layers;


import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Configuration of a batch norm, in an inference-only graph, whose transform the convolution
 * before it applies ({@code BatchNormFolding}). Nothing reads its output any more; it stays in the
 * graph to hold the BN's parameters (same names and sizes), so the graph's parameter layout, which
 * it shares with the training graph, does not change, and the convolution reads them from it.
 */
public class FoldedBatchNormalization extends BatchNormalization {

  /** For DL4J's JSON (de)serialisation. */
  public FoldedBatchNormalization() {}

  /** The folded twin of {@code bn}: the same channels, epsilon, data format and parameters. */
  public FoldedBatchNormalization(BatchNormalization bn) {
    copySettings(bn, this);
  }

  /**
   * Copies onto {@code to} what a BN's parameter initializer and eval-mode pass read: sizes, which
   * parameters exist, epsilon, data format (the inference-graph twins of a BN start from this).
   */
  static void copySettings(BatchNormalization from, BatchNormalization to) {
    to.setLayerName(from.getLayerName());
    to.setNIn(from.getNIn());
    to.setNOut(from.getNOut());
    to.setEps(from.getEps());
    to.setDecay(from.getDecay());
    to.setMinibatch(from.isMinibatch());
    to.setGamma(from.getGamma());
    to.setBeta(from.getBeta());
    to.setUseLogStd(from.isUseLogStd());
    to.setLockGammaBeta(from.isLockGammaBeta());
    to.setCnn2DFormat(from.getCnn2DFormat());
    to.setActivationFn(from.getActivationFn());
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
        new ParameterHolder(conf, networkDataType), conf, listeners, layerIndex, paramsView, initializeParams, initializer());
  }

  /** The runtime layer: holds the BN's parameters; its output, which nothing reads, is one number. */
  static final class ParameterHolder extends org.deeplearning4j.nn.layers.normalization.BatchNormalization {
    ParameterHolder(NeuralNetConfiguration conf, DataType dataType) {
      super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
      assertInputSet(false);
      if (training) {
        throw new IllegalStateException("BN " + layerId() + " is folded into its convolution: inference graphs only");
      }
      return workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, 1);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
      throw new IllegalStateException("BN " + layerId() + " is folded into its convolution: inference graphs have no backward pass");
    }
  }
}
