import io.github.beedjava.engine.simd.*;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import java.util.*;

/**
 * Probe, not part of the library (bench/HISTORY.md, "Twenty-third pass"): JavaWinograd alone over
 * N images of 32x32 (16 channels, one image channel), three ways in turn each round: the plain
 * convolution, with a residual map added, and with the stem computed in the output transform;
 * medians over the rounds.
 *
 * <pre>
 * mvn -q -pl beed-lib -DskipTests package
 * javac -cp "beed-lib/target/beed-lib.jar:beed-lib/target/lib/*" --add-modules jdk.incubator.vector -d /tmp/probe \
 *   bench/probes/StemShortcutProbe.java
 * set -a; . beed-lib/target/launcher/threads.env; set +a
 * java $(cat beed-lib/target/launcher/jvm.flags) -cp "/tmp/probe:beed-lib/target/beed-lib.jar:beed-lib/target/lib/*" \
 *   StemShortcutProbe 256 40
 * </pre>
 */
public class StemShortcutProbe {
  public static void main(String[] a) {
    int n = Integer.parseInt(a[0]), rounds = Integer.parseInt(a[1]);
    INDArray x = Nd4j.randn(DataType.FLOAT, n, 32, 32, 16);
    INDArray res = Nd4j.randn(DataType.FLOAT, n, 32, 32, 16);
    INDArray img = Nd4j.randn(DataType.FLOAT, n, 1, 32, 32);
    INDArray y = Nd4j.create(DataType.FLOAT, n, 32, 32, 16);
    WinogradWeights u = new WinogradWeights(); u.update(Nd4j.randn(DataType.FLOAT, 16, 16, 3, 3), null);
    StemShortcutWeights s = new StemShortcutWeights(); s.update(Nd4j.randn(DataType.FLOAT, 16, 1, 3, 3), null);
    double[][] t = new double[3][rounds];
    for (int r = -5; r < rounds; r++) {
      for (int k = 0; k < 3; k++) {
        long t0 = System.nanoTime();
        if (k == 0) JavaWinograd.forward(x, n, 32, 32, u, false, y);
        else if (k == 1) JavaWinograd.forward(x, n, 32, 32, u, res, true, y);
        else JavaWinograd.forwardWithStem(x, n, 32, 32, u, img, false, s, true, y);
        if (r >= 0) t[k][r] = (System.nanoTime() - t0) / 1e6;
      }
    }
    String[] names = {"plain", "residual map", "stem in transform"};
    for (int k = 0; k < 3; k++) { double[] d = t[k].clone(); Arrays.sort(d); System.out.printf(Locale.ROOT, "%-18s median %.3f ms [%.3f..%.3f]%n", names[k], d[rounds/2], d[0], d[rounds-1]); }
  }
}
