package io.github.beedjava.engine.simd;

import io.github.beedjava.engine.layers.BatchNormFold;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A 16-to-16-channel 3x3 layer's weights as {@link JavaWinograd} reads them: each kernel
 * transformed to its 6x6 Winograd form U = G g G^T (F(4x4, 3x3)), with a following batch norm folded
 * in first (weights times s, bias beta - mean * s: the floats of every other folded copy), remade
 * only when the weights or the BN's parameters change.
 *
 * <p>Whether the copy is still valid is decided by content: the sources' floats are compared with
 * those the copy was made from (2,368 floats), so parameters changed by any route, an SGD step, a
 * checkpoint load or a notebook's {@code assign}, are always seen.
 */
public final class WinogradWeights {
  /** Rows of the kernel transform G for F(4x4, 3x3) (Lavin and Gray, 2016). */
  private static final double[][] G = {
    {1 / 4.0, 0, 0},
    {-1 / 6.0, -1 / 6.0, -1 / 6.0},
    {-1 / 6.0, 1 / 6.0, -1 / 6.0},
    {1 / 24.0, 1 / 12.0, 1 / 6.0},
    {1 / 24.0, -1 / 12.0, 1 / 6.0},
    {0, 0, 1},
  };

  private float[][] sources;  // the weights and any BN arrays the copy was made from
  private double eps = Double.NaN;
  private final float[] kernels = new float[JavaWinograd.POSITIONS * JavaWinograd.CHANNELS * JavaWinograd.CHANNELS];
  private final float[] bias = new float[JavaWinograd.CHANNELS];

  /**
   * Brings the copy up to date with {@code weights} ([16, 16, 3, 3] float) and {@code fold} (null
   * when no BN follows the layer).
   *
   * @throws IllegalArgumentException when the weights are not a 16-to-16 3x3 kernel
   */
  public void update(INDArray weights, BatchNormFold fold) {
    int c = JavaWinograd.CHANNELS;
    if (!Arrays.equals(weights.shape(), new long[] {c, c, 3, 3})) {
      throw new IllegalArgumentException("WinogradWeights: expected [16, 16, 3, 3] weights, got " + Arrays.toString(weights.shape()));
    }
    float[][] now = fold == null
        ? new float[][] {HostFloats.read(weights)}
        : new float[][] {HostFloats.read(weights), HostFloats.read(fold.gamma()), HostFloats.read(fold.beta()),
            HostFloats.read(fold.mean()), HostFloats.read(fold.variance())};
    double nowEps = fold == null ? Double.NaN : fold.eps();
    if (Arrays.deepEquals(now, sources) && Double.compare(nowEps, eps) == 0) {
      return;
    }
    float[] w = now[0];
    float[] scale = new float[c];
    for (int k = 0; k < c; k++) {
      scale[k] = fold == null ? 1f : BatchNormFold.scale(now[1][k], now[4][k], fold.eps());
      bias[k] = fold == null ? 0f : BatchNormFold.shift(now[2][k], now[3][k], scale[k]);
    }
    for (int k = 0; k < c; k++) {
      for (int in = 0; in < c; in++) {
        float[][] g = new float[3][3];
        for (int a = 0; a < 3; a++) {
          for (int b = 0; b < 3; b++) {
            g[a][b] = w[((k * c + in) * 3 + a) * 3 + b] * scale[k];  // the folded weight, as oneDNN's copy holds it
          }
        }
        for (int i = 0; i < 6; i++) {
          for (int j = 0; j < 6; j++) {
            double sum = 0;
            for (int a = 0; a < 3; a++) {
              for (int b = 0; b < 3; b++) {
                sum += G[i][a] * g[a][b] * G[j][b];
              }
            }
            kernels[((i * 6 + j) * c + in) * c + k] = (float) sum;
          }
        }
      }
    }
    sources = now;
    eps = nowEps;
  }

  /** U[position][in][out]: for each of the 36 positions of a transformed tile, a 16x16 matrix, output channel fastest. */
  float[] kernels() {
    return kernels;
  }

  /** The folded BN's bias per output channel (zeros without a BN). */
  float[] bias() {
    return bias;
  }
}
