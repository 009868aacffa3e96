package io.github.beedjava.data;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Fashion-MNIST from its IDX files (gzipped, as Debian's {@code dataset-fashion-mnist} installs
 * them under {@value #DEBIAN_DIR}). The 28×28 images are zero-padded to 32×32 so that the CIFAR
 * networks and augmentation apply unchanged; one channel, 10 classes.
 */
public final class FashionMnist {
  private FashionMnist() {}

  /** Where Debian's package puts the files. */
  public static final String DEBIAN_DIR = "/usr/share/datasets/fashion-mnist";

  /** How to get the files, for error messages. */
  public static final String HOW_TO_GET =
      "install Debian's package (apt-get install dataset-fashion-mnist, or run bash environment/setup.sh) or put the four "
          + "*-ubyte.gz files of github.com/zalandoresearch/fashion-mnist in that folder";

  static final int TRAIN_SIZE = 60_000;
  static final int TEST_SIZE = 10_000;
  static final int CLASSES = 10;
  private static final int RAW = 28;
  private static final int PADDED = 32;

  /** The four files of a Fashion-MNIST folder. */
  public static List<Path> files(Path dir) {
    return List.of(
        dir.resolve("train-images-idx3-ubyte.gz"),
        dir.resolve("train-labels-idx1-ubyte.gz"),
        dir.resolve("t10k-images-idx3-ubyte.gz"),
        dir.resolve("t10k-labels-idx1-ubyte.gz"));
  }

  /** Reads and validates both splits. */
  public static DataSplits load(Path dir) throws IOException {
    List<Path> f = files(dir);
    for (Path p : f) {
      if (!Files.isRegularFile(p)) {
        throw new IOException("fashion-mnist: missing " + p + "; " + HOW_TO_GET);
      }
    }
    InMemoryImages train = readSplit(f.get(0), f.get(1), TRAIN_SIZE, "fashion-mnist/train");
    InMemoryImages test = readSplit(f.get(2), f.get(3), TEST_SIZE, "fashion-mnist/test");
    return new DataSplits("fashion-mnist", train, test, f);
  }

  /**
   * Reads one split.
   *
   * @param expected number of images the files must hold, or -1 for any
   */
  static InMemoryImages readSplit(Path images, Path labels, int expected, String name) throws IOException {
    int[] y = readLabels(labels, expected);
    byte[][] x = readImages(images, y.length);
    return new InMemoryImages(name, x, y, CLASSES, 1, PADDED, 4, Normalization.FASHION_MNIST);
  }

  private static int[] readLabels(Path file, int expected) throws IOException {
    try (DataInputStream in = open(file)) {
      int count = header(in, file, 0x801, expected);
      byte[] raw = new byte[count];
      in.readFully(raw);
      requireEnd(in, file);
      int[] labels = new int[count];
      for (int i = 0; i < count; i++) {
        labels[i] = raw[i] & 0xff;
        if (labels[i] >= CLASSES) {
          throw new IOException(file + ": label " + labels[i] + " at record " + i + " is outside [0, 10); the file is corrupt, " + HOW_TO_GET);
        }
      }
      return labels;
    } catch (EOFException | ZipException e) {
      throw truncated(file, e);
    }
  }

  private static byte[][] readImages(Path file, int expected) throws IOException {
    try (DataInputStream in = open(file)) {
      int count = header(in, file, 0x803, expected);
      int rows = in.readInt();
      int cols = in.readInt();
      if (rows != RAW || cols != RAW) {
        throw new IOException(file + ": images are " + rows + "x" + cols + ", expected 28x28; " + HOW_TO_GET);
      }
      byte[][] images = new byte[count][];
      byte[] raw = new byte[RAW * RAW];
      int pad = (PADDED - RAW) / 2;
      for (int i = 0; i < count; i++) {
        in.readFully(raw);
        byte[] img = new byte[PADDED * PADDED];
        for (int r = 0; r < RAW; r++) {
          System.arraycopy(raw, r * RAW, img, (r + pad) * PADDED + pad, RAW);
        }
        images[i] = img;
      }
      requireEnd(in, file);
      return images;
    } catch (EOFException | ZipException e) {
      throw truncated(file, e);
    }
  }

  private static DataInputStream open(Path file) throws IOException {
    InputStream raw = Files.newInputStream(file);
    try {
      return new DataInputStream(new GZIPInputStream(raw, 1 << 16));
    } catch (ZipException | EOFException e) {
      raw.close();
      throw new IOException(file + ": not a gzip file (" + e.getMessage() + "); " + HOW_TO_GET, e);
    }
  }

  private static int header(DataInputStream in, Path file, int magic, int expected) throws IOException {
    int m = in.readInt();
    if (m != magic) {
      throw new IOException(String.format("%s: IDX magic number 0x%08x, expected 0x%08x; wrong or corrupt file, %s", file, m, magic, HOW_TO_GET));
    }
    int count = in.readInt();
    if (count < 0 || (expected >= 0 && count != expected)) {
      throw new IOException(file + ": holds " + count + " records, expected " + expected + "; " + HOW_TO_GET);
    }
    return count;
  }

  private static void requireEnd(DataInputStream in, Path file) throws IOException {
    if (in.read() != -1) {
      throw new IOException(file + ": trailing bytes after the last record; the file is corrupt, " + HOW_TO_GET);
    }
  }

  private static IOException truncated(Path file, IOException cause) {
    return new IOException(file + ": truncated or corrupt (" + cause.getMessage() + "); " + HOW_TO_GET, cause);
  }
}
