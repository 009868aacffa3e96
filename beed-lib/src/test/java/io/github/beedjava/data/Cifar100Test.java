package io.github.beedjava.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar100Test {
  @TempDir Path dir;

  private static byte[] records(int n, int fineOffset) {
    byte[] all = new byte[n * Cifar100.RECORD];
    for (int i = 0; i < n; i++) {
      int base = i * Cifar100.RECORD;
      all[base] = (byte) (i % 20);
      all[base + 1] = (byte) ((i + fineOffset) % 256);
      for (int p = 0; p < 3072; p++) {
        all[base + 2 + p] = (byte) (p + i);
      }
    }
    return all;
  }

  @Test
  void readsFineLabelsAndChannelMajorPixels() throws IOException {
    Path f = dir.resolve("train.bin");
    Files.write(f, records(4, 95));
    InMemoryImages set = Cifar100.readSplit(f, -1, "t");
    assertEquals(4, set.size());
    assertEquals(96, set.label(1));
    assertEquals(100, set.numClasses());
    assertEquals((byte) (1024 + 2), set.pixels(2)[1024]); // green plane starts at 1024
  }

  @Test
  void wrongSizeLabelsAndCountAreClearErrors() throws IOException {
    Path f = dir.resolve("train.bin");
    byte[] ok = records(3, 0);
    Files.write(f, Arrays.copyOf(ok, ok.length - 100));
    IOException size = assertThrows(IOException.class, () -> Cifar100.readSplit(f, -1, "t"));
    assertTrue(size.getMessage().contains(f.toString()) && size.getMessage().contains("3074-byte"), size.getMessage());

    Files.write(f, records(3, 98)); // fine labels 98, 99, 100
    IOException label = assertThrows(IOException.class, () -> Cifar100.readSplit(f, -1, "t"));
    assertTrue(label.getMessage().contains("fine 100"), label.getMessage());

    Files.write(f, records(3, 0));
    IOException count = assertThrows(IOException.class, () -> Cifar100.readSplit(f, Cifar100.TRAIN_SIZE, "t"));
    assertTrue(count.getMessage().contains("expected 50000"), count.getMessage());
  }

  @Test
  void archiveWithWrongMd5IsRefusedAndNothingIsUnpacked() throws IOException {
    Files.write(dir.resolve(Cifar100.ARCHIVE), new byte[] {1, 2, 3});
    IOException e = assertThrows(IOException.class, () -> Cifar100.load(dir));
    assertTrue(e.getMessage().contains("MD5") && e.getMessage().contains(Cifar100.ARCHIVE_MD5), e.getMessage());
    assertTrue(!Files.exists(dir.resolve("cifar-100-binary")));
  }

  @Test
  void missingDataSaysWhereToGetIt() {
    IOException e = assertThrows(IOException.class, () -> Cifar100.load(dir));
    assertTrue(e.getMessage().contains("cifar-100-binary.tar.gz"), e.getMessage());
  }

  @Test
  void unpacksTrainAndTestFromATarGz() throws IOException {
    byte[] train = records(2, 0);
    byte[] test = records(1, 7);
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      tarEntry(out, "cifar-100-binary/coarse_label_names.txt", "x\n".getBytes(StandardCharsets.US_ASCII));
      tarEntry(out, "cifar-100-binary/train.bin", train);
      tarEntry(out, "cifar-100-binary/test.bin", test);
      out.write(new byte[1024]);
    }
    Path archive = dir.resolve("a.tar.gz");
    Files.write(archive, gz.toByteArray());
    Cifar100.extract(archive, dir.resolve("out"));
    assertArrayEquals(train, Files.readAllBytes(dir.resolve("out/train.bin")));
    assertArrayEquals(test, Files.readAllBytes(dir.resolve("out/test.bin")));
  }

  private static void tarEntry(GZIPOutputStream out, String name, byte[] content) throws IOException {
    byte[] header = new byte[512];
    byte[] n = name.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(n, 0, header, 0, n.length);
    byte[] size = String.format("%011o", content.length).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(size, 0, header, 124, size.length);
    header[156] = '0';
    out.write(header);
    out.write(content);
    out.write(new byte[(512 - content.length % 512) % 512]);
  }
}
