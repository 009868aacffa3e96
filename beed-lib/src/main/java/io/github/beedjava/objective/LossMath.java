package io.github.beedjava.objective;

/** Loss terms and their gradients on double arrays; each adds {@code coefficient·dTerm} to a gradient. */
final class LossMath {
  private LossMath() {}

  /** Row-wise softmax of logits / T, computed stably. */
  static double[][] softmax(Tensor logits, double temperature) {
    int n = logits.batch();
    int c = logits.rowLength();
    double[][] p = new double[n][c];
    for (int r = 0; r < n; r++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < c; j++) {
        max = Math.max(max, logits.data()[r * c + j] / temperature);
      }
      double sum = 0;
      for (int j = 0; j < c; j++) {
        p[r][j] = Math.exp(logits.data()[r * c + j] / temperature - max);
        sum += p[r][j];
      }
      for (int j = 0; j < c; j++) {
        p[r][j] /= sum;
      }
    }
    return p;
  }

  /** Row-wise log-softmax of logits / T. */
  private static double[] logSoftmaxRow(Tensor logits, int row, double temperature) {
    int c = logits.rowLength();
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < c; j++) {
      max = Math.max(max, logits.data()[row * c + j] / temperature);
    }
    double sum = 0;
    for (int j = 0; j < c; j++) {
      sum += Math.exp(logits.data()[row * c + j] / temperature - max);
    }
    double lse = max + Math.log(sum);
    double[] out = new double[c];
    for (int j = 0; j < c; j++) {
      out[j] = logits.data()[row * c + j] / temperature - lse;
    }
    return out;
  }

  /** Batch-mean cross-entropy; gradient (softmax - onehot) / N. */
  static double crossEntropy(Tensor logits, int[] labels, double coefficient, Tensor grad) {
    int n = logits.batch();
    int c = logits.rowLength();
    if (labels.length != n) {
      throw new IllegalArgumentException("labels: " + labels.length + " labels for a batch of " + n);
    }
    double loss = 0;
    for (int r = 0; r < n; r++) {
      int y = labels[r];
      if (y < 0 || y >= c) {
        throw new IllegalArgumentException("labels: label " + y + " outside [0, " + c + ")");
      }
      double[] logp = logSoftmaxRow(logits, r, 1.0);
      loss -= logp[y];
      for (int j = 0; j < c; j++) {
        double g = Math.exp(logp[j]) - (j == y ? 1 : 0);
        grad.data()[r * c + j] += coefficient * g / n;
      }
    }
    return loss / n;
  }

  /**
   * T² · (1/N) Σ KL(q ‖ softmax(z/T)), q the teacher's distribution (0·log 0 = 0 as PyTorch's
   * kl_div); gradient T/N · (softmax(z/T) - q).
   */
  static double distillation(Tensor logits, double[][] q, double temperature, double coefficient, Tensor grad) {
    int n = logits.batch();
    int c = logits.rowLength();
    double sum = 0;
    for (int r = 0; r < n; r++) {
      double[] logp = logSoftmaxRow(logits, r, temperature);
      for (int j = 0; j < c; j++) {
        double qj = q[r][j];
        if (qj > 0) {
          sum += qj * (Math.log(qj) - logp[j]);
        }
        grad.data()[r * c + j] += coefficient * temperature / n * (Math.exp(logp[j]) - qj);
      }
    }
    return temperature * temperature * sum / n;
  }

  /** Mean over all elements of (f - g)²; gradient 2(f - g)/M. */
  static double featureMse(Tensor feature, Tensor target, double coefficient, Tensor grad) {
    if (!java.util.Arrays.equals(feature.shape(), target.shape())) {
      throw new IllegalArgumentException(
          "feature distillation needs equal shapes, got "
              + java.util.Arrays.toString(feature.shape())
              + " and "
              + java.util.Arrays.toString(target.shape()));
    }
    double[] f = feature.data();
    double[] g = target.data();
    int m = f.length;
    double sum = 0;
    for (int i = 0; i < m; i++) {
      double d = f[i] - g[i];
      sum += d * d;
      grad.data()[i] += coefficient * 2 * d / m;
    }
    return sum / m;
  }

  /** Σ_k w_k x_k over tensors of equal shape. */
  static Tensor weightedSum(Tensor[] xs, double[] weights) {
    Tensor out = Tensor.zeros(xs[0].shape());
    for (int k = 0; k < xs.length; k++) {
      if (!java.util.Arrays.equals(xs[k].shape(), out.shape())) {
        throw new IllegalArgumentException(
            "ensemble teacher needs equal shapes for all classifiers; classifier "
                + (k + 1)
                + " has "
                + java.util.Arrays.toString(xs[k].shape()));
      }
      double w = weights[k];
      double[] src = xs[k].data();
      double[] dst = out.data();
      for (int i = 0; i < dst.length; i++) {
        dst[i] += w * src[i];
      }
    }
    return out;
  }
}
