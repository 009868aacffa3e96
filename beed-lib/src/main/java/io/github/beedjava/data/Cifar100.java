package io.github.beedjava.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * CIFAR-100 from the official binary distribution ({@code cifar-100-binary.tar.gz}): {@code
 * train.bin} and {@code test.bin}, 3074-byte records (coarse label, fine label, 3072 pixels in
 * channel-major order). The fine labels (100 classes) are used. The folder may hold the two files,
 * a {@code cifar-100-binary/} folder with them, or just the archive, which is then checked against
 * its published MD5 and unpacked next to it.
 */
public final class Cifar100 {
  private Cifar100() {}

  /** MD5 of {@code cifar-100-binary.tar.gz} as published on the CIFAR page. */
  public static final String ARCHIVE_MD5 = "03b5dce01913d631647c71ecec9e9cb8";

  /** The archive's name. */
  public static final String ARCHIVE = "cifar-100-binary.tar.gz";

  /** How to get the data, for error messages. */
  public static final String HOW_TO_GET =
      "download https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz into data/ (see data/README.md)";

  static final int RECORD = 3074;
  static final int TRAIN_SIZE = 50_000;
  static final int TEST_SIZE = 10_000;
  static final int CLASSES = 100;
  static final int COARSE_CLASSES = 20;

  /** Reads both splits from a folder (unpacking the archive first when only it is there). */
  public static DataSplits load(Path dir) throws IOException {
    Path folder = locate(dir);
    Path train = folder.resolve("train.bin");
    Path test = folder.resolve("test.bin");
    return new DataSplits(
        "cifar100",
        readSplit(train, TRAIN_SIZE, "cifar100/train"),
        readSplit(test, TEST_SIZE, "cifar100/test"),
        List.of(train, test));
  }

  /** The folder holding train.bin and test.bin, unpacking the archive when needed. */
  static Path locate(Path dir) throws IOException {
    for (Path candidate : List.of(dir, dir.resolve("cifar-100-binary"))) {
      if (Files.isRegularFile(candidate.resolve("train.bin")) && Files.isRegularFile(candidate.resolve("test.bin"))) {
        return candidate;
      }
    }
    Path archive = dir.resolve(ARCHIVE);
    if (Files.isRegularFile(archive)) {
      verifyMd5(archive);
      Path out = dir.resolve("cifar-100-binary");
      extract(archive, out);
      return out;
    }
    throw new IOException("cifar100: no train.bin/test.bin or " + ARCHIVE + " in " + dir.toAbsolutePath() + "; " + HOW_TO_GET);
  }

  /**
   * Reads one split file.
   *
   * @param expected number of records the file must hold, or -1 for any
   */
  static InMemoryImages readSplit(Path file, int expected, String name) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException(file + ": missing; " + HOW_TO_GET);
    }
    long bytes = Files.size(file);
    if (bytes == 0 || bytes % RECORD != 0) {
      throw new IOException(file + ": " + bytes + " bytes is not a whole number of 3074-byte records; the file is truncated or not CIFAR-100 binary, " + HOW_TO_GET);
    }
    int count = Math.toIntExact(bytes / RECORD);
    if (expected >= 0 && count != expected) {
      throw new IOException(file + ": " + count + " records, expected " + expected + "; " + HOW_TO_GET);
    }
    byte[][] images = new byte[count][];
    int[] labels = new int[count];
    byte[] record = new byte[RECORD];
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
      for (int i = 0; i < count; i++) {
        if (in.readNBytes(record, 0, RECORD) != RECORD) {
          throw new IOException(file + ": ended inside record " + i + "; " + HOW_TO_GET);
        }
        int coarse = record[0] & 0xff;
        int fine = record[1] & 0xff;
        if (coarse >= COARSE_CLASSES || fine >= CLASSES) {
          throw new IOException(file + ": record " + i + " has labels (coarse " + coarse + ", fine " + fine + ") outside [0, 20) x [0, 100); the file is corrupt or not CIFAR-100, " + HOW_TO_GET);
        }
        labels[i] = fine;
        images[i] = java.util.Arrays.copyOfRange(record, 2, RECORD);
      }
    }
    return new InMemoryImages(name, images, labels, CLASSES, 3, 32, 4, Normalization.CIFAR);
  }

  static void verifyMd5(Path archive) throws IOException {
    String md5 = FileDigest.hex(archive, "MD5");
    if (!md5.equals(ARCHIVE_MD5)) {
      throw new IOException(archive + ": MD5 " + md5 + " differs from the published " + ARCHIVE_MD5 + "; the download is incomplete or corrupt, delete it and " + HOW_TO_GET);
    }
  }

  /** Unpacks train.bin and test.bin from the tar.gz (ustar), each via a temp file and a rename. */
  static void extract(Path archive, Path out) throws IOException {
    Files.createDirectories(out);
    try (InputStream in = new BufferedInputStream(new GZIPInputStream(Files.newInputStream(archive), 1 << 16))) {
      byte[] header = new byte[512];
      while (in.readNBytes(header, 0, 512) == 512) {
        String entry = new String(header, 0, 100, java.nio.charset.StandardCharsets.US_ASCII).replace("\0", "").trim();
        if (entry.isEmpty()) {
          break;
        }
        long size = Long.parseLong(new String(header, 124, 12, java.nio.charset.StandardCharsets.US_ASCII).replace("\0", "").trim(), 8);
        String base = entry.substring(entry.lastIndexOf('/') + 1);
        long padded = (size + 511) / 512 * 512;
        if (base.equals("train.bin") || base.equals("test.bin")) {
          Path tmp = out.resolve(base + ".part");
          try (OutputStream o = Files.newOutputStream(tmp)) {
            copy(in, o, size);
          }
          Files.move(tmp, out.resolve(base), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
          in.skipNBytes(padded - size);
        } else {
          in.skipNBytes(padded);
        }
      }
    }
  }

  private static void copy(InputStream in, OutputStream out, long n) throws IOException {
    byte[] buf = new byte[1 << 16];
    while (n > 0) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, n));
      if (r < 0) {
        throw new IOException("archive ended early");
      }
      out.write(buf, 0, r);
      n -= r;
    }
  }
}
