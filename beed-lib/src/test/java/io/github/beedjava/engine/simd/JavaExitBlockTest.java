package io.github.beedjava.engine.simd;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.beedjava.engine.layers.BatchNormFold;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The exit block's three convolutions computed together, against the three computed in turn in double. */
class JavaExitBlockTest {

  @BeforeEach
  void needsTheVectorLoops() {
    assumeTrue(JavaExitBlock.enabled(), "the fused kernel runs on 512-bit Vector API loops only");
  }

  @Test
  void matchesTheThreeConvolutionsInTurn() {
    Nd4j.getRandom().setSeed(11);
    check(3, 32, 32);  // the first exit's maps: whole tiles of 8 on both sides
    check(2, 6, 10);   // 60 pixels and 15 outputs: the last tile of each stage overlaps the one before
    check(1, 8, 4);    // 8 outputs: one tile
  }

  @Test
  void seesChangedWeights() {
    Nd4j.getRandom().setSeed(12);
    INDArray x = Nd4j.rand(DataType.FLOAT, 2, 8, 8, 16).subi(0.5);
    INDArray first = Nd4j.rand(DataType.FLOAT, 32, 16, 1, 1).subi(0.5);
    INDArray second = Nd4j.rand(DataType.FLOAT, 32, 32, 3, 3).subi(0.5);
    INDArray third = Nd4j.rand(DataType.FLOAT, 32, 32, 1, 1).subi(0.5);
    ExitBlockWeights weights = new ExitBlockWeights();
    weights.update(first, null, second, null, third, null);
    second.muli(-2);  // an in-place change, as an SGD step or a checkpoint load makes
    weights.update(first, null, second, null, third, null);
    INDArray y = Nd4j.create(DataType.FLOAT, 2, 2, 4, 4, 16);
    JavaExitBlock.forward(x, 2, 8, 8, weights, y);
    assertClose(reference(x, first, null, second, null, third, null), y, "after the second convolution's weights changed");
    third.muli(-1.5);
    weights.update(first, null, second, null, third, null);
    JavaExitBlock.forward(x, 2, 8, 8, weights, y);
    assertClose(reference(x, first, null, second, null, third, null), y, "after the closing convolution's weights changed");
  }

  @Test
  void badSizesAreClearErrors() {
    assertFalse(JavaExitBlock.takes(4, 4), "4 output pixels: less than one tile");
    assertFalse(JavaExitBlock.takes(7, 8), "odd height");
    ExitBlockWeights weights = new ExitBlockWeights();
    weights.update(Nd4j.rand(DataType.FLOAT, 32, 16, 1, 1), null, Nd4j.rand(DataType.FLOAT, 32, 32, 3, 3), null,
        Nd4j.rand(DataType.FLOAT, 32, 32, 1, 1), null);
    INDArray x = Nd4j.rand(DataType.FLOAT, 2, 8, 8, 16);
    var size = assertThrows(IllegalArgumentException.class,
        () -> JavaExitBlock.forward(Nd4j.rand(DataType.FLOAT, 1, 7, 8, 16), 1, 7, 8, weights, Nd4j.create(DataType.FLOAT, 1, 2, 3, 4, 16)));
    assertTrue(size.getMessage().contains("even map sides") && size.getMessage().contains("7x8"), size.getMessage());
    var output = assertThrows(IllegalArgumentException.class,
        () -> JavaExitBlock.forward(x, 2, 8, 8, weights, Nd4j.create(DataType.FLOAT, 2, 4, 4, 16)));
    assertTrue(output.getMessage().contains("output") && output.getMessage().contains("2x2x4x4x16"), output.getMessage());
    var shapes = assertThrows(IllegalArgumentException.class,
        () -> weights.update(Nd4j.rand(DataType.FLOAT, 16, 16, 1, 1), null, Nd4j.rand(DataType.FLOAT, 32, 32, 3, 3), null,
            Nd4j.rand(DataType.FLOAT, 32, 32, 1, 1), null));
    assertTrue(shapes.getMessage().contains("[32, 16, 1, 1]") && shapes.getMessage().contains("[16, 16, 1, 1]"), shapes.getMessage());
    var closing = assertThrows(IllegalArgumentException.class,
        () -> weights.update(Nd4j.rand(DataType.FLOAT, 32, 16, 1, 1), null, Nd4j.rand(DataType.FLOAT, 32, 32, 3, 3), null,
            Nd4j.rand(DataType.FLOAT, 64, 32, 1, 1), null));
    assertTrue(closing.getMessage().contains("[32, 32, 1, 1]") && closing.getMessage().contains("[64, 32, 1, 1]"), closing.getMessage());
  }

  private static void check(int n, int h, int w) {
    INDArray x = Nd4j.rand(DataType.FLOAT, n, h, w, 16).subi(0.5);
    INDArray first = Nd4j.rand(DataType.FLOAT, 32, 16, 1, 1).subi(0.5);
    INDArray second = Nd4j.rand(DataType.FLOAT, 32, 32, 3, 3).subi(0.5);
    INDArray third = Nd4j.rand(DataType.FLOAT, 32, 32, 1, 1).subi(0.5);
    BatchNormFold firstFold = randomFold();
    BatchNormFold secondFold = randomFold();
    BatchNormFold thirdFold = randomFold();
    ExitBlockWeights weights = new ExitBlockWeights();
    weights.update(first, firstFold, second, secondFold, third, thirdFold);
    INDArray y = Nd4j.create(DataType.FLOAT, n, 2, h / 2, w / 2, 16);
    JavaExitBlock.forward(x, n, h, w, weights, y);
    assertClose(reference(x, first, firstFold, second, secondFold, third, thirdFold), y, n + "x" + h + "x" + w);
  }

  private static BatchNormFold randomFold() {
    return new BatchNormFold(Nd4j.rand(DataType.FLOAT, 32).addi(0.5), Nd4j.rand(DataType.FLOAT, 32).subi(0.5),
        Nd4j.rand(DataType.FLOAT, 32).subi(0.5), Nd4j.rand(DataType.FLOAT, 32).addi(0.5), 1e-5);
  }

  /**
   * The 1x1 convolution, BN and ReLU, the stride-2 convolution (zero padding 1), BN and ReLU, then the
   * closing 1x1 convolution, BN and ReLU, in double: [N][32][H/2][W/2].
   */
  private static double[][][][] reference(INDArray x, INDArray first, BatchNormFold firstFold, INDArray second, BatchNormFold secondFold,
      INDArray third, BatchNormFold thirdFold) {
    int n = (int) x.size(0);
    int h = (int) x.size(1);
    int w = (int) x.size(2);
    double[][][][] mid = new double[n][h][w][32];
    for (int b = 0; b < n; b++) {
      for (int i = 0; i < h; i++) {
        for (int j = 0; j < w; j++) {
          for (int o = 0; o < 32; o++) {
            double sum = 0;
            for (int c = 0; c < 16; c++) {
              sum += first.getDouble(o, c, 0, 0) * x.getDouble(b, i, j, c);
            }
            mid[b][i][j][o] = Math.max(0, batchNorm(sum, firstFold, o));
          }
        }
      }
    }
    double[][][][] y = new double[n][32][h / 2][w / 2];
    for (int b = 0; b < n; b++) {
      for (int o = 0; o < 32; o++) {
        for (int i = 0; i < h / 2; i++) {
          for (int j = 0; j < w / 2; j++) {
            double sum = 0;
            for (int a = 0; a < 3; a++) {
              for (int d = 0; d < 3; d++) {
                int r = 2 * i + a - 1;
                int q = 2 * j + d - 1;
                if (r >= 0 && r < h && q >= 0 && q < w) {
                  for (int m = 0; m < 32; m++) {
                    sum += second.getDouble(o, m, a, d) * mid[b][r][q][m];
                  }
                }
              }
            }
            y[b][o][i][j] = Math.max(0, batchNorm(sum, secondFold, o));
          }
        }
      }
    }
    double[][][][] z = new double[n][32][h / 2][w / 2];
    for (int b = 0; b < n; b++) {
      for (int o = 0; o < 32; o++) {
        for (int i = 0; i < h / 2; i++) {
          for (int j = 0; j < w / 2; j++) {
            double sum = 0;
            for (int m = 0; m < 32; m++) {
              sum += third.getDouble(o, m, 0, 0) * y[b][m][i][j];
            }
            z[b][o][i][j] = Math.max(0, batchNorm(sum, thirdFold, o));
          }
        }
      }
    }
    return z;
  }

  private static double batchNorm(double v, BatchNormFold fold, int o) {
    if (fold == null) {
      return v;
    }
    return (v - fold.mean().getDouble(o)) / Math.sqrt(fold.variance().getDouble(o) + fold.eps()) * fold.gamma().getDouble(o)
        + fold.beta().getDouble(o);
  }

  /** y is blocked: [N][2][H/2][W/2][16], channel o in block o / 16. */
  private static void assertClose(double[][][][] expected, INDArray y, String where) {
    double scale = 0;
    double error = 0;
    for (int b = 0; b < expected.length; b++) {
      for (int o = 0; o < 32; o++) {
        for (int i = 0; i < expected[b][o].length; i++) {
          for (int j = 0; j < expected[b][o][i].length; j++) {
            scale = Math.max(scale, Math.abs(expected[b][o][i][j]));
            error = Math.max(error, Math.abs(expected[b][o][i][j] - y.getDouble(b, o / 16, i, j, o % 16)));
          }
        }
      }
    }
    assertTrue(scale > 0, where + ": all outputs zero, a vacuous check");
    assertTrue(error <= 1e-5 * scale, where + ": largest error " + error + " for outputs up to " + scale);
  }
}
