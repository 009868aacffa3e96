package io.github.beedjava.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
  @TempDir Path dir;

  /** Writes a gzipped IDX file: magic, count, (rows, cols), payload. */
  static void idx(Path file, int magic, int count, int[] dims, byte[] payload) throws IOException {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(raw))) {
      out.writeInt(magic);
      out.writeInt(count);
      for (int d : dims) {
        out.writeInt(d);
      }
      out.write(payload);
    }
    Files.write(file, raw.toByteArray());
  }

  private Path[] writeSplit(int n, byte[] labels) throws IOException {
    byte[] pixels = new byte[n * 28 * 28];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) (i % 251);
    }
    Path images = dir.resolve("img.gz");
    Path lab = dir.resolve("lab.gz");
    idx(images, 0x803, n, new int[] {28, 28}, pixels);
    idx(lab, 0x801, n, new int[0], labels);
    return new Path[] {images, lab};
  }

  @Test
  void readsAndZeroPadsTo32() throws IOException {
    Path[] f = writeSplit(3, new byte[] {0, 9, 4});
    InMemoryImages set = FashionMnist.readSplit(f[0], f[1], -1, "t");
    assertEquals(3, set.size());
    assertEquals(9, set.label(1));
    assertEquals(32, set.imageSize());
    assertEquals(1, set.channels());
    byte[] img = set.pixels(1);
    // raw (r, c) of image 1 lands at (r + 2, c + 2); the 2-pixel border is zero
    assertEquals((byte) ((784 + 5 * 28 + 7) % 251), img[(5 + 2) * 32 + 7 + 2]);
    assertEquals(0, img[0]);
    assertEquals(0, img[31 * 32 + 31]);
  }

  @Test
  void truncatedFileIsAClearError() throws IOException {
    Path[] f = writeSplit(3, new byte[] {0, 1, 2});
    byte[] all = Files.readAllBytes(f[0]);
    Files.write(f[0], Arrays.copyOf(all, all.length / 2));
    IOException e = assertThrows(IOException.class, () -> FashionMnist.readSplit(f[0], f[1], -1, "t"));
    assertTrue(e.getMessage().contains(f[0].toString()) && e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void labelOutOfRangeWrongMagicAndWrongCountAreClearErrors() throws IOException {
    Path[] f = writeSplit(3, new byte[] {0, 12, 2});
    IOException label = assertThrows(IOException.class, () -> FashionMnist.readSplit(f[0], f[1], -1, "t"));
    assertTrue(label.getMessage().contains("label 12"), label.getMessage());

    Path[] g = writeSplit(3, new byte[] {0, 1, 2});
    IOException count = assertThrows(IOException.class, () -> FashionMnist.readSplit(g[0], g[1], 60000, "t"));
    assertTrue(count.getMessage().contains("expected 60000"), count.getMessage());

    idx(g[1], 0x803, 3, new int[0], new byte[] {0, 1, 2});
    IOException magic = assertThrows(IOException.class, () -> FashionMnist.readSplit(g[0], g[1], -1, "t"));
    assertTrue(magic.getMessage().contains("magic"), magic.getMessage());

    Files.write(g[1], new byte[] {1, 2, 3, 4});
    IOException notGzip = assertThrows(IOException.class, () -> FashionMnist.readSplit(g[0], g[1], -1, "t"));
    assertTrue(notGzip.getMessage().contains(g[1].toString()), notGzip.getMessage());
  }

  @Test
  void missingFolderSaysHowToInstall() {
    IOException e = assertThrows(IOException.class, () -> FashionMnist.load(dir.resolve("nowhere")));
    assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
  }

  @Test
  void debianPackageHasTheFullSplits() throws IOException {
    Path debian = Path.of(FashionMnist.DEBIAN_DIR);
    Assumptions.assumeTrue(Files.isDirectory(debian), "dataset-fashion-mnist not installed");
    DataSplits s = FashionMnist.load(debian);
    assertEquals(60000, s.train().size());
    assertEquals(10000, s.test().size());
    int[] counts = new int[10];
    for (int i = 0; i < s.test().size(); i++) {
      counts[s.test().label(i)]++;
    }
    for (int c : counts) {
      assertEquals(1000, c);
    }
  }
}
