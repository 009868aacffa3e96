package io.github.beedjava.interop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A NumPy {@code .npz} file read into ND4J arrays by key (the {@code .npy} suffix dropped); 0-d
 * unicode strings are kept apart as text ({@link #text}).
 */
public final class NpzArchive {
  private final Path path;
  private final Map<String, INDArray> arrays;
  private final Map<String, String> texts;

  private NpzArchive(Path path, Map<String, INDArray> arrays, Map<String, String> texts) {
    this.path = path;
    this.arrays = arrays;
    this.texts = texts;
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
    Map<String, INDArray> byKey = new TreeMap<>();
    Map<String, String> texts = new TreeMap<>();
    try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(path))) {
      ZipEntry entry;
      while ((entry = zip.getNextEntry()) != null) {
        String key = entry.getName();
        if (!key.endsWith(".npy")) {
          continue;
        }
        key = key.substring(0, key.length() - 4);
        byte[] bytes = zip.readAllBytes();
        if (NpyFormat.isText(bytes, path + ":" + key)) {
          texts.put(key, NpyFormat.parseText(bytes, path + ":" + key));
        } else {
          byKey.put(key, NpyFormat.parse(bytes, path + ":" + key));
        }
      }
    } catch (java.util.zip.ZipException | java.io.EOFException e) {
      throw new IOException(path + ": not a readable .npz archive (" + e.getMessage() + "); re-create it with numpy.savez", e);
    }
    if (byKey.isEmpty()) {
      throw new IOException(path + ": holds no .npy arrays; is it a NumPy .npz archive?");
    }
    return new NpzArchive(path, byKey, texts);
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

  /** The 0-d string under a key (e.g. {@code config/model}), or null when there is none. */
  public String text(String key) {
    return texts.get(key);
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
