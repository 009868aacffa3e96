package io.github.beedjava.engine.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A convolution layer's link to the BN layer folded into it ({@link FoldsBatchNorm}): checked
 * when it is made, and read at every pass, so the BN's current parameters are always the ones applied.
 */
final class FoldedBatchNormLink {
  private BatchNormalization batchNorm;

  /**
   * Links {@code bn}, which must be the BN that {@code conf} names.
   *
   * @throws IllegalArgumentException naming both when it is another
   */
  void link(FoldsBatchNorm conf, String layerId, BatchNormalization bn) {
    String expected = conf.getFoldedBatchNorm();
    if (expected == null || !expected.equals(bn.getConfig().getLayerName())) {
      throw new IllegalArgumentException("layer " + layerId + " folds BN " + expected + ", not " + bn.getConfig().getLayerName());
    }
    this.batchNorm = bn;
  }

  /**
   * The folded BN's live parameters, or null when the layer folds none.
   *
   * @throws IllegalStateException in a training pass, or when the configuration names a BN that was never linked
   */
  BatchNormFold fold(FoldsBatchNorm conf, String layerId, boolean training) {
    if (batchNorm == null) {
      if (conf.getFoldedBatchNorm() != null) {
        throw new IllegalStateException("layer " + layerId + " folds BN " + conf.getFoldedBatchNorm()
            + " but was not linked to it (MultiExitGraph.init does that)");
      }
      return null;
    }
    if (training) {
      throw new IllegalStateException("layer " + layerId + " has a folded BN: inference graphs only");
    }
    var bnConf = (org.deeplearning4j.nn.conf.layers.BatchNormalization) batchNorm.layerConf();
    return new BatchNormFold(batchNorm.getParam("gamma"), batchNorm.getParam("beta"), batchNorm.getParam("mean"),
        batchNorm.getParam("var"), bnConf.getEps());
  }

  /** Eval BN (and ReLU) in place on a convolution's output, for passes that libnd4j's ops run. */
  static void applyInPlace(INDArray z, BatchNormFold fold, boolean relu, CNN2DFormat format) {
    int channelDim = format == CNN2DFormat.NHWC ? 3 : 1;
    INDArray scale = fold.gamma().reshape(-1).div(Transforms.sqrt(fold.variance().reshape(-1).add(fold.eps()), false));
    INDArray shift = fold.beta().reshape(-1).sub(fold.mean().reshape(-1).mul(scale));
    Nd4j.exec(new BroadcastMulOp(z, scale, z, channelDim));
    Nd4j.exec(new BroadcastAddOp(z, shift, z, channelDim));
    if (relu) {
      Transforms.relu(z, false);
    }
  }
}
