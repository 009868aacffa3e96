package io.github.beedjava.interop;

import io.github.beedjava.runtime.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Collects named arrays and strings and writes them as a NumPy {@code .npz} archive (readable by
 * {@code numpy.load} and by {@link NpzArchive}). The file appears whole or not at all.
 */
public final class NpzWriter {
  private final Map<String, byte[]> entries = new LinkedHashMap<>();

  /** Adds an array under a key such as {@code param/conv1.weight}. */
  public NpzWriter put(String key, INDArray value) {
    entries.put(key, NpyFormat.write(value));
    return this;
  }

  /** Adds a float64 scalar. */
  public NpzWriter put(String key, double value) {
    return put(key, Nd4j.scalar(value));
  }

  /** Adds a 0-d string (NumPy reads it as {@code numpy.str_}). */
  public NpzWriter putText(String key, String value) {
    entries.put(key, NpyFormat.writeText(value));
    return this;
  }

  /** Writes the archive (uncompressed, as {@code numpy.savez}) through a temporary file and a rename. */
  public void write(Path file) throws IOException {
    AtomicFiles.write(file, out -> {
      ZipOutputStream zip = new ZipOutputStream(out);
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
        zip.write(e.getValue());
        zip.closeEntry();
      }
      zip.finish(); // the central directory; AtomicFiles closes the stream
    });
  }
}
