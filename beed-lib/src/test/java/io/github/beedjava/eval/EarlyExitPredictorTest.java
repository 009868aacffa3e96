package io.github.beedjava.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.model.ModelConfig;
import io.github.beedjava.model.Models;
import io.github.beedjava.network.MultiExitNetwork;
import io.github.beedjava.network.Outputs;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Staged early exit, batch by batch or streamed, gives exactly what thresholding the full forward pass gives. */
class EarlyExitPredictorTest {

  @Test
  void stagedPredictionsEqualThresholdsAppliedToTheFullForwardPass() {
    // MSDNet: segments that defer the finer scales a classifier does not read, joined by concatenations.
    for (String model : new String[] {"resnet18", "mobilenetv2", "msdnet"}) {
      MultiExitNetwork net = MultiExitNetwork.create(ModelConfig.cifar(model, Models.defaultExits(model), 1.0 / 8, 10));
      Nd4j.getRandom().setSeed(3);
      INDArray x = Nd4j.rand(DataType.FLOAT, 64, 3, 32, 32).muli(4);
      Outputs full = net.forward(x, false);
      int k = full.numClassifiers();
      double[][][] logits = new double[k][][];
      for (int c = 0; c < k; c++) {
        logits[c] = full.logits()[c].toDoubleMatrix();
      }
      ExitScores scores = ExitScores.fromLogits(logits, new int[64]);
      // Thresholds at the confidence medians (about half leave at each exit), and at the 42nd
      // percentile (uneven counts of continuing images).
      for (double quantile : new double[] {0.5, 0.42}) {
        double[] t = new double[k];
        for (int c = 0; c < k - 1; c++) {
          double[] sorted = scores.confidence()[c].clone();
          java.util.Arrays.sort(sorted);
          // midway between two images' confidences: logits move by ~1e-7 with the batch size
          // (oneDNN's blocking), which must not move an image sitting exactly on a threshold
          int at = (int) (sorted.length * quantile);
          t[c] = (sorted[at - 1] + sorted[at]) / 2;
        }
        EarlyExitPredictor predictor = new EarlyExitPredictor(net, t);
        EarlyExitPredictor.Prediction p = predictor.predict(x);
        int[] expectedExit = new int[64];
        int[] expectedClass = new int[64];
        for (int i = 0; i < 64; i++) {
          int exit = k - 1;
          for (int c = 0; c < k - 1; c++) {
            if (scores.confidence()[c][i] >= t[c]) {
              exit = c;
              break;
            }
          }
          expectedExit[i] = exit;
          expectedClass[i] = scores.prediction()[exit][i];
        }
        assertArrayEquals(expectedExit, p.exitAt(), model);
        assertArrayEquals(expectedClass, p.classes(), model);
        assertTrue(java.util.Arrays.stream(p.exitAt()).distinct().count() >= 3, "images should leave at several exits");
        // Streamed in uneven batches (the largest, 24, sets the regrouped size): continuing images
        // from several batches run together, groups split, and the rest runs at the end.
        List<INDArray> parts = List.of(slice(x, 0, 24), slice(x, 24, 41), slice(x, 41, 64));
        EarlyExitPredictor.Prediction streamed = predictor.predictStream(parts);
        assertArrayEquals(expectedExit, streamed.exitAt(), model + " streamed");
        assertArrayEquals(expectedClass, streamed.classes(), model + " streamed");
      }
      // Everything to the main network when no exit is confident enough.
      double[] never = new double[k];
      java.util.Arrays.fill(never, 2.0);
      EarlyExitPredictor.Prediction all = new EarlyExitPredictor(net, never).predict(x);
      assertEquals(k - 1, java.util.Arrays.stream(all.exitAt()).min().orElseThrow());
    }
  }

  @Test
  void aNetworkWithoutExitsPredictsWithItsOnlyClassifier() {
    MultiExitNetwork net = MultiExitNetwork.create(ModelConfig.cifar("resnet18", ExitStructure.NONE, 1.0 / 8, 10));
    Nd4j.getRandom().setSeed(5);
    INDArray x = Nd4j.rand(DataType.FLOAT, 20, 3, 32, 32);
    long[] expected = net.forward(x, false).logits()[0].argMax(1).toLongVector();
    EarlyExitPredictor predictor = new EarlyExitPredictor(net, new double[] {0.5});
    for (EarlyExitPredictor.Prediction p : List.of(predictor.predict(x), predictor.predictStream(List.of(slice(x, 0, 12), slice(x, 12, 20))))) {
      assertArrayEquals(new int[20], p.exitAt());
      assertArrayEquals(java.util.Arrays.stream(expected).mapToInt(v -> (int) v).toArray(), p.classes());
    }
  }

  private static INDArray slice(INDArray x, int from, int to) {
    return x.get(NDArrayIndex.interval(from, to), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()).dup('c');
  }
}
