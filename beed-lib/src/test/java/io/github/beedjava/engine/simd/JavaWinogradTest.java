package io.github.beedjava.engine.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.beedjava.engine.layers.BatchNormFold;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The Winograd F(4x4, 3x3) convolution against a direct convolution summed in double precision. */
class JavaWinogradTest {
  private static final int C = 16;

  /**
   * Largest difference allowed, relative to the output's largest magnitude: F(4x4, 3x3) in float
   * reads 2.6e-6 to 4.1e-6 here (the transforms' constants up to 8 and 1/24 round), a float direct
   * sum about 5e-7; a wrong transform entry, tile offset or bias is off by order one.
   */
  private static final double TOLERANCE = 1e-5;

  @BeforeEach
  void needsAvx512() {
    assumeTrue(JavaWinograd.enabled(), "JavaWinograd runs on AVX-512 CPUs with the Vector API only");
  }

  /** relu?(conv(x, w * s) + (beta - mean * s)) over [N][H][W][16] maps, padding 1, in double. */
  private static float[] direct(float[] x, int n, int h, int w, float[] weights, float[] scale, float[] shift, boolean relu) {
    float[] y = new float[n * h * w * C];
    for (int i = 0; i < n; i++) {
      for (int r = 0; r < h; r++) {
        for (int q = 0; q < w; q++) {
          for (int k = 0; k < C; k++) {
            double sum = 0;
            for (int a = 0; a < 3; a++) {
              for (int b = 0; b < 3; b++) {
                int rr = r + a - 1;
                int qq = q + b - 1;
                if (rr < 0 || rr >= h || qq < 0 || qq >= w) {
                  continue;
                }
                for (int c = 0; c < C; c++) {
                  sum += (double) x[((i * h + rr) * w + qq) * C + c] * weights[((k * C + c) * 3 + a) * 3 + b];
                }
              }
            }
            double v = sum * scale[k] + shift[k];
            y[((i * h + r) * w + q) * C + k] = (float) (relu ? Math.max(0, v) : v);
          }
        }
      }
    }
    return y;
  }

  private static BatchNormFold randomFold() {
    return new BatchNormFold(Nd4j.rand(DataType.FLOAT, C).addi(0.5), Nd4j.randn(DataType.FLOAT, C),
        Nd4j.randn(DataType.FLOAT, C).muli(0.1), Nd4j.rand(DataType.FLOAT, C).addi(0.5), 1e-5);
  }

  /** Checks JavaWinograd against {@link #direct} for one map size; returns the largest difference over the output's scale. */
  private static double compare(int n, int h, int w, BatchNormFold fold, boolean relu) {
    INDArray x = Nd4j.randn(DataType.FLOAT, n, h, w, C);
    INDArray weights = Nd4j.randn(DataType.FLOAT, C, C, 3, 3).muli(0.2);
    return compare(x, weights, fold, relu, new WinogradWeights());
  }

  /** Runs x through {@code u} brought up to date with {@code weights} and {@code fold}, against {@link #direct}. */
  private static double compare(INDArray x, INDArray weights, BatchNormFold fold, boolean relu, WinogradWeights u) {
    int n = (int) x.size(0);
    int h = (int) x.size(1);
    int w = (int) x.size(2);
    INDArray y = Nd4j.create(DataType.FLOAT, n, h, w, C);
    u.update(weights, fold);
    JavaWinograd.forward(x, n, h, w, u, relu, y);
    float[] scale = new float[C];
    float[] shift = new float[C];
    for (int k = 0; k < C; k++) {
      scale[k] = fold == null ? 1f : BatchNormFold.scale(fold.gamma().getFloat(k), fold.variance().getFloat(k), fold.eps());
      shift[k] = fold == null ? 0f : BatchNormFold.shift(fold.beta().getFloat(k), fold.mean().getFloat(k), scale[k]);
    }
    float[] expected = direct(x.data().asFloat(), n, h, w, weights.data().asFloat(), scale, shift, relu);
    float[] actual = y.data().asFloat();
    double largest = 0;
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      largest = Math.max(largest, Math.abs(expected[i]));
      worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
    }
    return worst / largest;
  }

  @Test
  void matchesTheDirectConvolutionWithTheFoldedBatchNormAndRelu() {
    Nd4j.getRandom().setSeed(11);
    double e = compare(3, 32, 32, randomFold(), true);
    assertTrue(e < TOLERANCE, "32x32 maps, BN folded, ReLU: relative difference " + e);
  }

  @Test
  void handlesMapsThatAreNotWholeTilesAndMapsSmallerThanATile() {
    Nd4j.getRandom().setSeed(12);
    // 10x13: the last tile row and column stick out of the map; 1x1 and 3x2: one tile, mostly padding
    for (int[] size : new int[][] {{10, 13}, {1, 1}, {3, 2}, {5, 4}}) {
      double e = compare(2, size[0], size[1], randomFold(), false);
      assertTrue(e < TOLERANCE, size[0] + "x" + size[1] + ": relative difference " + e);
    }
  }

  @Test
  void runsWithoutABatchNorm() {
    Nd4j.getRandom().setSeed(13);
    double e = compare(1, 8, 8, null, false);
    assertTrue(e < TOLERANCE, "relative difference " + e);
  }

  @Test
  void seesWeightsAndBatchNormChangedInPlace() {
    Nd4j.getRandom().setSeed(14);
    INDArray x = Nd4j.randn(DataType.FLOAT, 2, 8, 8, C);
    INDArray weights = Nd4j.randn(DataType.FLOAT, C, C, 3, 3).muli(0.2);
    BatchNormFold fold = randomFold();
    WinogradWeights u = new WinogradWeights();  // one copy, brought up to date after each change
    assertTrue(compare(x, weights, fold, true, u) < TOLERANCE, "as made");
    fold.beta().addi(1f);
    assertTrue(compare(x, weights, fold, true, u) < TOLERANCE, "after the BN's shift changed in place");
    weights.muli(-2f);
    assertTrue(compare(x, weights, fold, true, u) < TOLERANCE, "after the weights changed in place");
  }

  @Test
  void addsTheResidualInItsOutputTransformBitForBitAsASumAfterIt() {
    Nd4j.getRandom().setSeed(15);
    for (int[] size : new int[][] {{3, 32, 32}, {2, 10, 13}, {2, 3, 2}}) {
      int n = size[0];
      int h = size[1];
      int w = size[2];
      INDArray x = Nd4j.randn(DataType.FLOAT, n, h, w, C);
      INDArray residual = Nd4j.randn(DataType.FLOAT, n, h, w, C);
      WinogradWeights u = new WinogradWeights();
      u.update(Nd4j.randn(DataType.FLOAT, C, C, 3, 3).muli(0.2), randomFold());
      for (boolean relu : new boolean[] {true, false}) {
        INDArray fused = Nd4j.create(DataType.FLOAT, n, h, w, C);
        JavaWinograd.forward(x, n, h, w, u, residual, relu, fused);
        INDArray apart = Nd4j.create(DataType.FLOAT, n, h, w, C);  // the convolution, then the block's sum (and ReLU)
        JavaWinograd.forward(x, n, h, w, u, false, apart);
        assertTrue(JavaAdd.apply(apart, residual, apart, relu));
        assertArrayEquals(apart.data().asFloat(), fused.data().asFloat(), h + "x" + w + ", relu " + relu);
        if (relu) {
          assertTrue(fused.minNumber().floatValue() == 0f, "the ReLU comes after the residual");
        }
      }
    }
  }

  /**
   * The stem's outputs, stem(image) = conv(image, ws * s) + (beta - mean * s) over an image of c
   * channels ([N][C][H][W], or [N][H][W][C] with channelsLast), padding 1, in double, as [N][H][W][16].
   */
  private static double[] stem(float[] image, boolean channelsLast, int n, int c, int h, int w, float[] weights, BatchNormFold fold) {
    double[] y = new double[n * h * w * C];
    for (int i = 0; i < n; i++) {
      for (int r = 0; r < h; r++) {
        for (int q = 0; q < w; q++) {
          for (int k = 0; k < C; k++) {
            double sum = 0;
            for (int ch = 0; ch < c; ch++) {
              for (int a = 0; a < 3; a++) {
                for (int b = 0; b < 3; b++) {
                  int rr = r + a - 1;
                  int qq = q + b - 1;
                  if (rr >= 0 && rr < h && qq >= 0 && qq < w) {
                    int at = channelsLast ? ((i * h + rr) * w + qq) * c + ch : ((i * c + ch) * h + rr) * w + qq;
                    sum += (double) image[at] * weights[((k * c + ch) * 3 + a) * 3 + b];
                  }
                }
              }
            }
            float scale = BatchNormFold.scale(fold.gamma().getFloat(k), fold.variance().getFloat(k), fold.eps());
            y[((i * h + r) * w + q) * C + k] = sum * scale + BatchNormFold.shift(fold.beta().getFloat(k), fold.mean().getFloat(k), scale);
          }
        }
      }
    }
    return y;
  }

  @Test
  void computesTheStemShortcutInItsOutputTransform() {
    Nd4j.getRandom().setSeed(17);
    // one and three image channels, either image layout, whole and partial tiles; 9x13 after 10x13
    // pads to the same size, and the row the 10x13 image had there must read as padding
    for (int[] size : new int[][] {{3, 32, 32, 1}, {2, 10, 13, 3}, {2, 9, 13, 3}, {2, 3, 2, 1}}) {
      int n = size[0];
      int h = size[1];
      int w = size[2];
      int c = size[3];
      for (boolean channelsLast : new boolean[] {false, true}) {
        INDArray x = Nd4j.randn(DataType.FLOAT, n, h, w, C);
        INDArray image = channelsLast ? Nd4j.randn(DataType.FLOAT, n, h, w, c) : Nd4j.randn(DataType.FLOAT, n, c, h, w);
        INDArray stemWeights = Nd4j.randn(DataType.FLOAT, C, c, 3, 3).muli(0.3);
        BatchNormFold stemFold = randomFold();
        StemShortcutWeights s = new StemShortcutWeights();
        s.update(stemWeights, stemFold);
        WinogradWeights u = new WinogradWeights();
        u.update(Nd4j.randn(DataType.FLOAT, C, C, 3, 3).muli(0.2), randomFold());
        INDArray convolution = Nd4j.create(DataType.FLOAT, n, h, w, C);
        JavaWinograd.forward(x, n, h, w, u, false, convolution);
        double[] shortcut = stem(image.data().asFloat(), channelsLast, n, c, h, w, stemWeights.data().asFloat(), stemFold);
        for (boolean relu : new boolean[] {true, false}) {
          INDArray y = Nd4j.create(DataType.FLOAT, n, h, w, C);
          JavaWinograd.forwardWithStem(x, n, h, w, u, image, channelsLast, s, relu, y);
          float[] conv = convolution.data().asFloat();
          float[] actual = y.data().asFloat();
          double largest = 0;
          double worst = 0;
          for (int i = 0; i < actual.length; i++) {
            double sum = conv[i] + shortcut[i];
            double expected = relu ? Math.max(0, sum) : sum;
            largest = Math.max(largest, Math.abs(expected));
            worst = Math.max(worst, Math.abs(expected - actual[i]));
          }
          String where = h + "x" + w + ", " + c + " channels" + (channelsLast ? " last" : "") + ", relu " + relu;
          assertTrue(worst / largest < TOLERANCE, where + ": relative difference " + worst / largest);
        }
      }
    }
  }

  @Test
  void refusesAStemImageOfTheWrongSize() {
    WinogradWeights u = new WinogradWeights();
    u.update(Nd4j.rand(DataType.FLOAT, C, C, 3, 3), null);
    StemShortcutWeights s = new StemShortcutWeights();
    var wrongStem = assertThrows(IllegalArgumentException.class, () -> s.update(Nd4j.rand(DataType.FLOAT, C, 5, 3, 3), null));
    assertTrue(wrongStem.getMessage().contains("StemShortcutWeights") && wrongStem.getMessage().contains("[16, 5, 3, 3]"),
        wrongStem.getMessage());
    s.update(Nd4j.rand(DataType.FLOAT, C, 3, 3, 3), null);
    INDArray x = Nd4j.rand(DataType.FLOAT, 2, 8, 8, C);
    var wrongImage = assertThrows(IllegalArgumentException.class, () -> JavaWinograd.forwardWithStem(x, 2, 8, 8, u,
        Nd4j.rand(DataType.FLOAT, 2, 1, 8, 8), false, s, false, Nd4j.create(DataType.FLOAT, 2, 8, 8, C)));
    assertTrue(wrongImage.getMessage().contains("2x3x8x8") && wrongImage.getMessage().contains("stem"), wrongImage.getMessage());
  }

  @Test
  void readingAheadOnLargeMapsChangesNoOutput() {
    Nd4j.getRandom().setSeed(16);
    // 1040 images of 10x13: over READ_AHEAD_MAP_BYTES, with rows that end in partial tiles; the
    // first and last two images, run alone (under the line), must come out the same bits
    int n = 1040;
    long bytes = (long) n * 10 * 13 * C * Float.BYTES;
    assertTrue(bytes >= JavaWinograd.READ_AHEAD_MAP_BYTES, "the case must read ahead");
    INDArray x = Nd4j.randn(DataType.FLOAT, n, 10, 13, C);
    INDArray residual = Nd4j.randn(DataType.FLOAT, n, 10, 13, C);
    WinogradWeights u = new WinogradWeights();
    u.update(Nd4j.randn(DataType.FLOAT, C, C, 3, 3).muli(0.2), randomFold());
    INDArray y = Nd4j.create(DataType.FLOAT, n, 10, 13, C);
    JavaWinograd.forward(x, n, 10, 13, u, residual, true, y);
    for (int first : new int[] {0, n - 2}) {
      var images = org.nd4j.linalg.indexing.NDArrayIndex.interval(first, first + 2);
      INDArray alone = Nd4j.create(DataType.FLOAT, 2, 10, 13, C);
      JavaWinograd.forward(x.get(images).dup(), 2, 10, 13, u, residual.get(images).dup(), true, alone);
      assertArrayEquals(alone.data().asFloat(), y.get(images).dup().data().asFloat(), "images " + first + ".." + (first + 1));
    }
  }

  @Test
  void refusesArraysOfTheWrongSizeOrKernel() {
    WinogradWeights u = new WinogradWeights();
    var wrongKernel = assertThrows(IllegalArgumentException.class, () -> u.update(Nd4j.rand(DataType.FLOAT, C, C, 5, 5), null));
    assertTrue(wrongKernel.getMessage().contains("[16, 16, 3, 3]"), wrongKernel.getMessage());
    u.update(Nd4j.rand(DataType.FLOAT, C, C, 3, 3), null);
    INDArray x = Nd4j.rand(DataType.FLOAT, 2, 8, 8, C);
    var wrongSize = assertThrows(IllegalArgumentException.class,
        () -> JavaWinograd.forward(x, 2, 8, 8, u, false, Nd4j.create(DataType.FLOAT, 2, 8, 7, C)));
    assertTrue(wrongSize.getMessage().contains("JavaWinograd") && wrongSize.getMessage().contains("2x8x8x16"), wrongSize.getMessage());
    var wrongResidual = assertThrows(IllegalArgumentException.class,
        () -> JavaWinograd.forward(x, 2, 8, 8, u, Nd4j.create(DataType.FLOAT, 1, 8, 8, C), false, Nd4j.create(DataType.FLOAT, 2, 8, 8, C)));
    assertTrue(wrongResidual.getMessage().contains("2x8x8x16"), wrongResidual.getMessage());
  }
}
