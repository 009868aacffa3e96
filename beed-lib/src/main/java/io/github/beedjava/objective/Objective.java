package io.github.beedjava.objective;

import io.github.beedjava.model.Outputs;
import org.nd4j.linalg.api.buffer.DataType;

/** A training objective over the K classifiers' logits and features. */
public interface Objective {

  /** Display name: Baseline, CE, KD, EED or BEED. */
  String name();

  /** Loss terms and output gradients for a batch with integer class labels. */
  LossResult evaluate(Tensor[] logits, Tensor[] features, int[] labels);

  /** Convenience overload on network outputs. */
  default LossResult evaluate(Outputs outputs, int[] labels) {
    Tensor[] z = new Tensor[outputs.numClassifiers()];
    Tensor[] f = new Tensor[outputs.numClassifiers()];
    for (int k = 0; k < z.length; k++) {
      z[k] = Tensor.of(outputs.logits()[k]);
      f[k] = Tensor.of(outputs.features()[k]);
    }
    return evaluate(z, f, labels);
  }

  /** The gradients of a result as network-output errors in a data type. */
  static Outputs errors(LossResult result, DataType type) {
    int k = result.logitGradients().length;
    var dz = new org.nd4j.linalg.api.ndarray.INDArray[k];
    var df = new org.nd4j.linalg.api.ndarray.INDArray[k];
    for (int i = 0; i < k; i++) {
      dz[i] = result.logitGradients()[i].toINDArray(type);
      df[i] = result.featureGradients()[i].toINDArray(type);
    }
    return new Outputs(dz, df);
  }
}
