package io.github.beedjava.engine.layers;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Configuration of a classifier head (a dense layer with a bias and no activation) in an inference
 * copy, whose runtime layer, {@link InferenceDenseLayer}, computes x·W + b in one Vector API pass.
 * ND4J's matrix product and bias add took 0.3–1 ms for a [256, 128]·[128, 10] head on the 2-core
 * VM, a hundred times the arithmetic (bench/HISTORY.md, "Seventeenth pass"). Same parameters
 * (names, sizes, layout) as the dense layer it replaces.
 */
public class InferenceDense extends DenseLayer {

  /** For DL4J's JSON (de)serialisation. */
  public InferenceDense() {}

  /** The inference twin of {@code dense}: the same sizes, bias, activation and name. */
  public InferenceDense(DenseLayer dense) {
    setLayerName(dense.getLayerName());
    setNIn(dense.getNIn());
    setNOut(dense.getNOut());
    setHasBias(dense.hasBias());
    setHasLayerNorm(dense.hasLayerNorm());
    setActivationFn(dense.getActivationFn());
    setWeightInitFn(dense.getWeightInitFn());
    setBiasInit(dense.getBiasInit());
  }

  @Override
  public Layer instantiate(
      NeuralNetConfiguration conf,
      Collection<TrainingListener> listeners,
      int layerIndex,
      INDArray paramsView,
      boolean initializeParams,
      DataType networkDataType) {
    return CustomLayers.wire(new InferenceDenseLayer(conf, networkDataType), conf, listeners, layerIndex, paramsView,
        initializeParams, initializer());
  }
}
