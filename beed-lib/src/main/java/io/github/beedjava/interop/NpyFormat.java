package io.github.beedjava.interop;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Parses NumPy {@code .npy} bytes (format versions 1-3; little-endian float32/64, int32/64, uint8,
 * bool; C or Fortran order; 0-d scalars). ND4J's own npz reader rejects float64 scalars and int64
 * arrays, which the reference fixtures use.
 */
final class NpyFormat {
  private NpyFormat() {}

  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  static INDArray parse(byte[] bytes, String name) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.length < 10 || (bytes[0] & 0xff) != 0x93 || !new String(bytes, 1, 5, StandardCharsets.US_ASCII).equals("NUMPY")) {
      throw new IOException(name + ": not a .npy array (bad magic)");
    }
    int major = bytes[6];
    int headerLen;
    int offset;
    if (major == 1) {
      headerLen = Short.toUnsignedInt(buf.getShort(8));
      offset = 10;
    } else {
      headerLen = buf.getInt(8);
      offset = 12;
    }
    String header = new String(bytes, offset, headerLen, StandardCharsets.ISO_8859_1);
    String descr = group(DESCR, header, name, "descr");
    boolean fortran = group(FORTRAN, header, name, "fortran_order").equals("True");
    String shapeText = group(SHAPE, header, name, "shape").trim();
    long[] shape =
        shapeText.isEmpty()
            ? new long[0]
            : java.util.Arrays.stream(shapeText.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .mapToLong(Long::parseLong)
                .toArray();
    long count = 1;
    for (long d : shape) {
      count *= d;
    }
    int n = Math.toIntExact(count);
    ByteBuffer data = ByteBuffer.wrap(bytes, offset + headerLen, bytes.length - offset - headerLen).slice();
    if (descr.startsWith(">")) {
      throw new IOException(name + ": big-endian arrays are not supported (" + descr + ")");
    }
    data.order(ByteOrder.LITTLE_ENDIAN);
    String type = descr.substring(1);
    INDArray flat;
    switch (type) {
      case "f4" -> {
        float[] v = new float[n];
        data.asFloatBuffer().get(v);
        flat = Nd4j.createFromArray(v);
      }
      case "f8" -> {
        double[] v = new double[n];
        data.asDoubleBuffer().get(v);
        flat = Nd4j.createFromArray(v);
      }
      case "i8" -> {
        long[] v = new long[n];
        data.asLongBuffer().get(v);
        flat = Nd4j.createFromArray(v);
      }
      case "i4" -> {
        int[] v = new int[n];
        data.asIntBuffer().get(v);
        flat = Nd4j.createFromArray(v);
      }
      case "u1", "b1" -> {
        byte[] v = new byte[n];
        data.get(v);
        int[] w = new int[n];
        for (int i = 0; i < n; i++) {
          w[i] = v[i] & 0xff;
        }
        flat = Nd4j.createFromArray(w);
      }
      default -> throw new IOException(name + ": unsupported dtype " + descr);
    }
    if (shape.length == 0) {
      return flat.reshape(new long[0]);
    }
    return fortran ? flat.reshape('f', shape).dup('c') : flat.reshape('c', shape);
  }

  private static String group(Pattern p, String header, String name, String field) throws IOException {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw new IOException(name + ": .npy header has no '" + field + "'");
    }
    return m.group(1);
  }

}
