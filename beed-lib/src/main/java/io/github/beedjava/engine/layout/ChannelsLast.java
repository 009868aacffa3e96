package io.github.beedjava.engine.layout;

import io.github.beedjava.engine.layers.ChannelScaleVertex;
import io.github.beedjava.engine.layers.GlobalAveragePooling;
import java.util.Optional;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;

/**
 * The channels-last (NHWC) copy of a network's graph configuration, for inference. libnd4j runs
 * oneDNN convolutions on plain NCHW memory with much slower kernels than on NHWC (1.6x over the
 * convolutions of ResNet18 with exits, {@code bench/HISTORY.md}); backward passes are the same
 * speed, so training stays NCHW. Parameter layouts are identical in both formats, so the copy can
 * share the trained network's parameter buffer.
 */
public final class ChannelsLast {
  private ChannelsLast() {}

  /**
   * The NHWC version of an NCHW configuration, or empty when it holds a vertex or layer this
   * class does not know to be layout-aware.
   */
  public static Optional<ComputationGraphConfiguration> of(ComputationGraphConfiguration nchw) {
    ComputationGraphConfiguration copy = nchw.clone();
    for (GraphVertex vertex : copy.getVertices().values()) {
      if (vertex instanceof ElementWiseVertex || vertex instanceof ChannelScaleVertex) {
        continue;  // same-shape sums, and x[N,H,W,C] * s[N,1,1,C]: ND4J broadcasts by shape in either layout
      }
      if (!(vertex instanceof LayerVertex lv) || lv.getPreProcessor() != null) {
        return Optional.empty();
      }
      Layer layer = lv.getLayerConf().getLayer();
      if (layer instanceof ConvolutionLayer conv) {  // depthwise included
        conv.setCnn2dDataFormat(CNN2DFormat.NHWC);
      } else if (layer instanceof BatchNormalization bn) {
        bn.setCnn2DFormat(CNN2DFormat.NHWC);
      } else if (layer instanceof SubsamplingLayer pool) {
        pool.setCnn2dDataFormat(CNN2DFormat.NHWC);
      } else if (layer instanceof GlobalPoolingLayer pool) {
        if (!pool.isCollapseDimensions()) {  // squeeze-excitation's [N,1,1,C]: DL4J's layer cannot keep it in NHWC
          if (pool.getPoolingType() != PoolingType.AVG) {
            return Optional.empty();
          }
          GlobalAveragePooling kept = new GlobalAveragePooling(false);
          kept.setLayerName(pool.getLayerName());
          lv.getLayerConf().setLayer(kept);
          pool = kept;
        }
        pool.setPoolingDimensions(new int[] {1, 2});
      } else if (!(layer instanceof ActivationLayer) && !(layer instanceof DenseLayer)) {
        return Optional.empty();
      }
    }
    return Optional.of(copy);
  }
}
