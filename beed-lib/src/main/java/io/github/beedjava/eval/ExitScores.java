package io.github.beedjava.eval;

import io.github.beedjava.data.BatchLoader;
import io.github.beedjava.data.ImageDataset;
import io.github.beedjava.network.MultiExitNetwork;
import io.github.beedjava.network.Outputs;
import io.github.beedjava.objective.Tensor;

/**
 * Every classifier's prediction and softmax confidence (max probability) for every image of a
 * split, the input of early-exit evaluation.
 *
 * @param confidence [classifier][image] maximum softmax probability
 * @param prediction [classifier][image] arg-max class
 * @param labels true class per image
 */
public record ExitScores(double[][] confidence, int[][] prediction, int[] labels) {

  /** Checks the arrays agree in size. */
  public ExitScores {
    if (confidence.length == 0 || confidence.length != prediction.length) {
      throw new IllegalArgumentException("exit scores: one row per classifier expected");
    }
    for (int k = 0; k < confidence.length; k++) {
      if (confidence[k].length != labels.length || prediction[k].length != labels.length) {
        throw new IllegalArgumentException("exit scores: classifier " + (k + 1) + " has a different number of images");
      }
    }
  }

  /** Number of classifiers. */
  public int classifiers() {
    return confidence.length;
  }

  /** Number of images. */
  public int images() {
    return labels.length;
  }

  /** Scores of a network (eval mode) on a split. */
  public static ExitScores compute(MultiExitNetwork net, ImageDataset data, int batchSize) {
    int k = net.numClassifiers();
    int n = data.size();
    double[][] conf = new double[k][n];
    int[][] pred = new int[k][n];
    int[] labels = new int[n];
    for (int from = 0; from < n; from += batchSize) {
      int count = Math.min(batchSize, n - from);
      BatchLoader.Batch batch = BatchLoader.load(data, null, from, count, null, net.config().dataType());
      Outputs out = net.logits(batch.input());
      System.arraycopy(batch.labels(), 0, labels, from, count);
      for (int c = 0; c < k; c++) {
        // one bulk copy: ND4J's toDoubleMatrix makes two native calls per row (bench/HISTORY.md, "Ninth pass")
        Tensor z = Tensor.of(out.logits()[c]);
        int width = z.rowLength();
        for (int i = 0; i < count; i++) {
          fill(z.data(), i * width, width, conf[c], pred[c], from + i);
        }
      }
      out.release();
    }
    return new ExitScores(conf, pred, labels);
  }

  /** Scores from raw logits [classifier][image][class] (tests, other frameworks). */
  public static ExitScores fromLogits(double[][][] logits, int[] labels) {
    int k = logits.length;
    double[][] conf = new double[k][labels.length];
    int[][] pred = new int[k][labels.length];
    for (int c = 0; c < k; c++) {
      for (int i = 0; i < labels.length; i++) {
        fill(logits[c][i], 0, logits[c][i].length, conf[c], pred[c], i);
      }
    }
    return new ExitScores(conf, pred, labels);
  }

  /** Confidence and prediction of image {@code i} from its logits {@code z[from, from + n)}. */
  private static void fill(double[] z, int from, int n, double[] conf, int[] pred, int i) {
    int best = 0;
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < n; j++) {
      if (z[from + j] > max) {
        max = z[from + j];
        best = j;
      }
    }
    double sum = 0;
    for (int j = 0; j < n; j++) {
      sum += Math.exp(z[from + j] - max);
    }
    conf[i] = 1.0 / sum;
    pred[i] = best;
  }
}
