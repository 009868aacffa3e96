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
 * Reads and writes NumPy {@code .npy} bytes. Reads format versions 1-3 (little-endian float32/64,
 * int32/64, uint8, bool; C or Fortran order; 0-d scalars; 0-d unicode strings); writes version 1.0
 * in C order. ND4J's own npz reader rejects float64 scalars and int64 arrays, which the reference
 * fixtures use.
 */
final class NpyFormat {
  private NpyFormat() {}

  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  /** A parsed {@code .npy} header: element type, order, shape and where the data start. */
  private record Header(String descr, boolean fortran, long[] shape, int dataOffset) {
    int count() {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      return Math.toIntExact(n);
    }
  }

  private static Header header(byte[] bytes, String name) throws IOException {
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
    return new Header(descr, fortran, shape, offset + headerLen);
  }

  /** True when the bytes hold a NumPy unicode string ({@code <U…}) rather than numbers. */
  static boolean isText(byte[] bytes, String name) throws IOException {
    return header(bytes, name).descr().startsWith("<U");
  }

  /** A 0-d NumPy unicode string ({@code numpy.str_}, dtype {@code <Un}). */
  static String parseText(byte[] bytes, String name) throws IOException {
    Header h = header(bytes, name);
    if (!h.descr().startsWith("<U") || h.shape().length != 0) {
      throw new IOException(name + ": expected a 0-d unicode string, found dtype " + h.descr() + " shape "
          + java.util.Arrays.toString(h.shape()));
    }
    int chars = Integer.parseInt(h.descr().substring(2));
    StringBuilder s = new StringBuilder();
    ByteBuffer data = ByteBuffer.wrap(bytes, h.dataOffset(), chars * 4).slice().order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < chars; i++) {
      int cp = data.getInt();
      if (cp == 0) {
        break; // NumPy pads shorter strings with NULs
      }
      s.appendCodePoint(cp);
    }
    return s.toString();
  }

  static INDArray parse(byte[] bytes, String name) throws IOException {
    Header h = header(bytes, name);
    String descr = h.descr();
    boolean fortran = h.fortran();
    long[] shape = h.shape();
    int n = h.count();
    ByteBuffer data = ByteBuffer.wrap(bytes, h.dataOffset(), bytes.length - h.dataOffset()).slice();
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

  /** The {@code .npy} bytes (format 1.0, little-endian, C order) of a float, double or long array. */
  static byte[] write(INDArray a) {
    INDArray c = a.dup('c').reshape(a.length()); // ND4J's to*Vector needs a vector
    long[] shape = a.shape();
    int n = Math.toIntExact(c.length());
    String descr;
    int size;
    switch (c.dataType()) {
      case FLOAT -> { descr = "<f4"; size = 4; }
      case DOUBLE -> { descr = "<f8"; size = 8; }
      case LONG -> { descr = "<i8"; size = 8; }
      case INT -> { descr = "<i4"; size = 4; }
      default -> throw new IllegalArgumentException("npy: cannot write data type " + c.dataType());
    }
    ByteBuffer data = body(descr, shape, (long) n * size);
    switch (c.dataType()) {
      case FLOAT -> data.asFloatBuffer().put(c.toFloatVector());
      case DOUBLE -> data.asDoubleBuffer().put(c.toDoubleVector());
      case LONG -> data.asLongBuffer().put(c.toLongVector());
      default -> data.asIntBuffer().put(c.toIntVector());
    }
    return data.array();
  }

  /** The {@code .npy} bytes of a 0-d unicode string (read back by NumPy as {@code numpy.str_}). */
  static byte[] writeText(String text) {
    int[] cps = text.codePoints().toArray();
    ByteBuffer data = body("<U" + Math.max(1, cps.length), new long[0], 4L * Math.max(1, cps.length));
    for (int cp : cps) {
      data.putInt(cp);
    }
    return data.array();
  }

  /** A little-endian buffer of the whole file with the header written, positioned at the data. */
  private static ByteBuffer body(String descr, long[] shape, long dataBytes) {
    StringBuilder dims = new StringBuilder();
    for (long d : shape) {
      dims.append(d).append(", ");
    }
    String shapeText = shape.length == 1 ? dims.toString().trim() : dims.length() == 0 ? "" : dims.substring(0, dims.length() - 2);
    String header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + shapeText + "), }";
    int pad = (64 - (10 + header.length() + 1) % 64) % 64;
    header = header + " ".repeat(pad) + "\n";
    ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(10 + header.length() + dataBytes)).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
    b.putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII));
    return b;
  }

  private static String group(Pattern p, String header, String name, String field) throws IOException {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw new IOException(name + ": .npy header has no '" + field + "'");
    }
    return m.group(1);
  }

}
