package io.github.beedjava.eval;

import io.github.beedjava.data.BatchLoader;
import io.github.beedjava.data.ImageDataset;
import io.github.beedjava.model.Blueprint;
import io.github.beedjava.network.MultiExitNetwork;
import io.github.beedjava.network.Outputs;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Per-classifier and ensemble top-1 accuracy in eval mode (BN running statistics). */
public final class Evaluator {
  private Evaluator() {}

  /** Evaluates every classifier and the ensemble (unweighted logit sum) on a split. */
  public static Accuracies evaluate(MultiExitNetwork net, ImageDataset data, int batchSize) {
    int k = net.numClassifiers();
    long[] correct = new long[k];
    long ensembleCorrect = 0;
    for (int from = 0; from < data.size(); from += batchSize) {
      int n = Math.min(batchSize, data.size() - from);
      BatchLoader.Batch batch = BatchLoader.load(data, null, from, n, null, net.config().dataType());
      Outputs out = net.logits(batch.input());
      for (int i = 0; i < k; i++) {
        correct[i] += countCorrect(out.logits()[i], batch.labels());
      }
      INDArray ensemble = out.ensembleLogits();
      ensembleCorrect += countCorrect(ensemble, batch.labels());
      ensemble.close();
      out.release();
    }
    double[] acc = new double[k];
    List<String> names = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      acc[i] = 100.0 * correct[i] / data.size();
      names.add(Blueprint.classifierName(i, k));
    }
    return new Accuracies(names, acc, 100.0 * ensembleCorrect / data.size(), data.size());
  }

  private static long countCorrect(INDArray logits, int[] labels) {
    long[] predicted = logits.argMax(1).toLongVector();
    long c = 0;
    for (int i = 0; i < labels.length; i++) {
      if (predicted[i] == labels[i]) {
        c++;
      }
    }
    return c;
  }
}
