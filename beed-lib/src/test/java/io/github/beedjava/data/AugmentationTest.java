package io.github.beedjava.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AugmentationTest {
  private static final int S = 8;

  private static InMemoryImages oneImage() {
    byte[] img = new byte[3 * S * S];
    for (int i = 0; i < img.length; i++) {
      img[i] = (byte) (7 * i + 3);
    }
    return new InMemoryImages("t", new byte[][] {img}, new int[] {0}, 2, 3, S, 4, Normalization.CIFAR);
  }

  /** The expected output of crop offset (dy, dx) and flip, computed the torchvision way. */
  private static float[] transformed(InMemoryImages set, int dy, int dx, boolean flip) {
    float[] out = new float[3 * S * S];
    byte[] img = set.pixels(0);
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < S; y++) {
        for (int x = 0; x < S; x++) {
          // pad by 4, crop at (4+dy, 4+dx), then mirror the crop
          int cx = flip ? S - 1 - x : x;
          int sy = y + dy;
          int sx = cx + dx;
          int v = sy < 0 || sy >= S || sx < 0 || sx >= S ? 0 : img[(c * S + sy) * S + sx] & 0xff;
          out[(c * S + y) * S + x] = (float) ((v / 255.0 - Normalization.CIFAR.mean()[c]) / Normalization.CIFAR.std()[c]);
        }
      }
    }
    return out;
  }

  @Test
  void testTransformIsNormalisationOnly() {
    InMemoryImages set = oneImage();
    float[] got = new float[3 * S * S];
    set.write(0, null, got, 0);
    assertArrayEquals(transformed(set, 0, 0, false), got, 1e-6f);
  }

  @Test
  void everyAugmentedImageIsAPaddedCropOrItsMirror() {
    InMemoryImages set = oneImage();
    Set<String> seen = new HashSet<>();
    SplittableRandom rng = new SplittableRandom(5);
    for (int trial = 0; trial < 300; trial++) {
      float[] got = new float[3 * S * S];
      set.write(0, rng, got, 0);
      String match = null;
      for (int dy = -4; dy <= 4 && match == null; dy++) {
        for (int dx = -4; dx <= 4 && match == null; dx++) {
          for (boolean flip : new boolean[] {false, true}) {
            if (Arrays.equals(transformed(set, dy, dx, flip), got)) {
              match = dy + "," + dx + "," + flip;
              break;
            }
          }
        }
      }
      assertTrue(match != null, "augmented image is not a 4-padded crop (+flip) of the original");
      seen.add(match);
    }
    assertTrue(seen.size() > 60, "crops and flips should vary, saw " + seen.size());
  }

  @Test
  void sameSeedSameBatchesAndOrdersDifferPerEpoch() {
    int[] a = EpochOrder.permutation(1000, 1, 3);
    int[] b = EpochOrder.permutation(1000, 1, 3);
    int[] c = EpochOrder.permutation(1000, 1, 4);
    assertArrayEquals(a, b);
    assertFalse(Arrays.equals(a, c));
    int[] sorted = a.clone();
    Arrays.sort(sorted);
    for (int i = 0; i < sorted.length; i++) {
      assertEquals(i, sorted[i]);
    }
    DataSplits s = SyntheticImages.generate(64, 16);
    a = EpochOrder.permutation(64, 1, 3);
    var x1 = BatchLoader.load(s.train(), a, 0, 8, EpochOrder.augmentation(1, 3, 0), org.nd4j.linalg.api.buffer.DataType.FLOAT);
    var x2 = BatchLoader.load(s.train(), a, 0, 8, EpochOrder.augmentation(1, 3, 0), org.nd4j.linalg.api.buffer.DataType.FLOAT);
    var x3 = BatchLoader.load(s.train(), a, 0, 8, EpochOrder.augmentation(1, 3, 1), org.nd4j.linalg.api.buffer.DataType.FLOAT);
    assertEquals(x1.input(), x2.input());
    assertFalse(x1.input().equals(x3.input()));
    assertArrayEquals(new long[] {8, 3, 32, 32}, x1.input().shape());
  }

  @Test
  void syntheticDataIsSeededAndBalanced() {
    DataSplits a = SyntheticImages.generate(100, 20);
    DataSplits b = SyntheticImages.generate(100, 20);
    int[] counts = new int[10];
    for (int i = 0; i < 100; i++) {
      assertArrayEquals(((InMemoryImages) a.train()).pixels(i), ((InMemoryImages) b.train()).pixels(i));
      counts[a.train().label(i)]++;
    }
    for (int c : counts) {
      assertEquals(10, c);
    }
  }

  @Test
  void subsetsAreFixedAndWithinRange() throws Exception {
    DataSplits s = Datasets.load("synthetic", null, 300, 50, 224);
    assertEquals(300, s.train().size());
    int[] sub = EpochOrder.subset(1000, 10, Datasets.SUBSET_SEED);
    assertArrayEquals(sub, EpochOrder.subset(1000, 10, Datasets.SUBSET_SEED));
    assertEquals(10, Arrays.stream(sub).distinct().count());
  }
}
