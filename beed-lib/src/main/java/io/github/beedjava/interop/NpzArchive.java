package io.github.beedjava.interop;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A NumPy {@code .npz} file read into ND4J arrays by key (the {@code .npy} suffix dropped). */
public final class NpzArchive {
  private final Path path;
  private final Map<String, INDArray> arrays;

  private NpzArchive(Path path, Map<String, INDArray> arrays) {
    this.path = path;
    this.arrays = arrays;
  }

  /**
   * Reads a whole archive.
   *
   * @throws IOException with the file name when it is missing or not a valid npz
   */
  public static NpzArchive read(Path path) throws IOException {
    if (!Files.isRegularFile(path)) {
      throw new IOException(path + ": no such file (expected a NumPy .npz archive)");
    }
    Map<String, INDArray> raw;
    try {
      raw = Nd4j.createFromNpzFile(new File(path.toString()));
    } catch (Exception e) {
      throw new IOException(path + ": not a readable .npz archive (" + e.getMessage() + ")", e);
    }
    Map<String, INDArray> byKey = new TreeMap<>();
    raw.forEach((k, v) -> byKey.put(k.endsWith(".npy") ? k.substring(0, k.length() - 4) : k, v));
    return new NpzArchive(path, byKey);
  }

  /** The file this was read from. */
  public Path path() {
    return path;
  }

  /** True when the key exists. */
  public boolean has(String key) {
    return arrays.containsKey(key);
  }

  /** The array under a key; a clear error names the file and key when it is missing. */
  public INDArray get(String key) {
    INDArray a = arrays.get(key);
    if (a == null) {
      throw new IllegalArgumentException(path + ": missing key '" + key + "'");
    }
    return a;
  }

  /** A scalar under a key, as a double. */
  public double scalar(String key) {
    return get(key).getDouble(0);
  }

  /** All keys, sorted. */
  public java.util.Set<String> keys() {
    return arrays.keySet();
  }
}
