package io.github.beedjava.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.beedjava.model.ModelConfig;
import io.github.beedjava.model.Models;
import io.github.beedjava.network.MultiExitNetwork;
import io.github.beedjava.network.Outputs;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Staged early exit gives exactly what thresholding the full forward pass gives. */
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
          t[c] = sorted[(int) (sorted.length * quantile)];
        }
        EarlyExitPredictor.Prediction p = new EarlyExitPredictor(net, t).predict(x);
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
      }
      // Everything to the main network when no exit is confident enough.
      double[] never = new double[k];
      java.util.Arrays.fill(never, 2.0);
      EarlyExitPredictor.Prediction all = new EarlyExitPredictor(net, never).predict(x);
      assertEquals(k - 1, java.util.Arrays.stream(all.exitAt()).min().orElseThrow());
    }
  }
}
