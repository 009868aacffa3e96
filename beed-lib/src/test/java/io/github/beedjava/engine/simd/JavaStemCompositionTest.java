package io.github.beedjava.engine.simd;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.beedjava.engine.layers.BatchNormFold;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The composed stem convolution against the stem and the convolution computed in turn, in double. */
class JavaStemCompositionTest {

  @BeforeEach
  void needsTheVectorLoops() {
    assumeTrue(JavaStemComposition.enabled(), "the composed kernel runs on 512-bit Vector API loops only");
  }

  @Test
  void matchesTheTwoConvolutionsInTurnOnEveryEdgeCase() {
    Nd4j.getRandom().setSeed(3);
    // whole and partial blocks of 8 columns, maps of one row or column, 1 to 3 channels, both input layouts
    check(3, 1, 5, 11, false, true);
    check(2, 3, 7, 8, true, false);
    check(2, 3, 1, 1, false, true);
    check(1, 2, 2, 17, true, true);
    check(2, 1, 32, 32, false, true);
  }

  @Test
  void seesChangedWeights() {
    Nd4j.getRandom().setSeed(5);
    INDArray x = Nd4j.rand(DataType.FLOAT, 2, 1, 6, 9).subi(0.5);
    INDArray stem = Nd4j.rand(DataType.FLOAT, 16, 1, 3, 3).subi(0.5);
    INDArray second = Nd4j.rand(DataType.FLOAT, 16, 16, 3, 3).subi(0.5);
    StemCompositionWeights weights = new StemCompositionWeights();
    weights.update(stem, null, second, null);
    stem.muli(2);  // an in-place change, as an SGD step or a checkpoint load makes
    weights.update(stem, null, second, null);
    INDArray y = Nd4j.create(DataType.FLOAT, 2, 6, 9, 16);
    JavaStemComposition.forward(x, false, 2, 6, 9, weights, false, y);
    assertClose(reference(x, false, stem, null, second, null, false), y, "after the stem's weights changed");
  }

  @Test
  void aWrongSizeOutputIsAClearError() {
    StemCompositionWeights weights = new StemCompositionWeights();
    weights.update(Nd4j.rand(DataType.FLOAT, 16, 1, 3, 3), null, Nd4j.rand(DataType.FLOAT, 16, 16, 3, 3), null);
    INDArray x = Nd4j.rand(DataType.FLOAT, 2, 1, 4, 4);
    var e = assertThrows(IllegalArgumentException.class,
        () -> JavaStemComposition.forward(x, false, 2, 4, 4, weights, true, Nd4j.create(DataType.FLOAT, 2, 4, 4, 8)));
    assertTrue(e.getMessage().contains("output") && e.getMessage().contains("2x4x4x16"), e.getMessage());
  }

  private static void check(int n, int c, int h, int w, boolean channelsLast, boolean relu) {
    INDArray x = Nd4j.rand(DataType.FLOAT, channelsLast ? new long[] {n, h, w, c} : new long[] {n, c, h, w}).subi(0.5);
    INDArray stem = Nd4j.rand(DataType.FLOAT, 16, c, 3, 3).subi(0.5);
    INDArray second = Nd4j.rand(DataType.FLOAT, 16, 16, 3, 3).subi(0.5);
    BatchNormFold stemFold = randomFold();
    BatchNormFold fold = randomFold();
    StemCompositionWeights weights = new StemCompositionWeights();
    weights.update(stem, stemFold, second, fold);
    INDArray y = Nd4j.create(DataType.FLOAT, n, h, w, 16);
    JavaStemComposition.forward(x, channelsLast, n, h, w, weights, relu, y);
    assertClose(reference(x, channelsLast, stem, stemFold, second, fold, relu), y, n + "x" + c + "x" + h + "x" + w);
  }

  private static BatchNormFold randomFold() {
    return new BatchNormFold(Nd4j.rand(DataType.FLOAT, 16).addi(0.5), Nd4j.rand(DataType.FLOAT, 16).subi(0.5),
        Nd4j.rand(DataType.FLOAT, 16).subi(0.5), Nd4j.rand(DataType.FLOAT, 16).addi(0.5), 1e-5);
  }

  /** The stem, then the convolution, each with its BN (eval) and zero padding, summed in double: [N][H][W][16]. */
  private static double[][][][] reference(INDArray x, boolean channelsLast, INDArray stem, BatchNormFold stemFold, INDArray second,
      BatchNormFold fold, boolean relu) {
    int n = (int) x.size(0);
    int c = (int) stem.size(1);
    int h = (int) (channelsLast ? x.size(1) : x.size(2));
    int w = (int) (channelsLast ? x.size(2) : x.size(3));
    double[][][][] s = new double[n][h][w][16];
    double[][][][] z = new double[n][h][w][16];
    for (int b = 0; b < n; b++) {
      for (int i = 0; i < h; i++) {
        for (int j = 0; j < w; j++) {
          for (int o = 0; o < 16; o++) {
            double sum = 0;
            for (int ch = 0; ch < c; ch++) {
              for (int a = 0; a < 3; a++) {
                for (int d = 0; d < 3; d++) {
                  int r = i + a - 1;
                  int q = j + d - 1;
                  if (r >= 0 && r < h && q >= 0 && q < w) {
                    sum += stem.getDouble(o, ch, a, d) * (channelsLast ? x.getDouble(b, r, q, ch) : x.getDouble(b, ch, r, q));
                  }
                }
              }
            }
            s[b][i][j][o] = batchNorm(sum, stemFold, o);
          }
        }
      }
      for (int i = 0; i < h; i++) {
        for (int j = 0; j < w; j++) {
          for (int o = 0; o < 16; o++) {
            double sum = 0;
            for (int m = 0; m < 16; m++) {
              for (int a = 0; a < 3; a++) {
                for (int d = 0; d < 3; d++) {
                  int r = i + a - 1;
                  int q = j + d - 1;
                  if (r >= 0 && r < h && q >= 0 && q < w) {
                    sum += second.getDouble(o, m, a, d) * s[b][r][q][m];
                  }
                }
              }
            }
            double v = batchNorm(sum, fold, o);
            z[b][i][j][o] = relu ? Math.max(v, 0) : v;
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

  private static void assertClose(double[][][][] expected, INDArray actual, String where) {
    double scale = 0;
    double error = 0;
    for (int b = 0; b < expected.length; b++) {
      for (int i = 0; i < expected[b].length; i++) {
        for (int j = 0; j < expected[b][i].length; j++) {
          for (int o = 0; o < 16; o++) {
            scale = Math.max(scale, Math.abs(expected[b][i][j][o]));
            error = Math.max(error, Math.abs(expected[b][i][j][o] - actual.getDouble(b, i, j, o)));
          }
        }
      }
    }
    assertTrue(error <= 1e-5 * scale, where + ": largest error " + error + " for outputs up to " + scale);
  }
}
