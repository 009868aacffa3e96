package io.github.beedjava.train;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import io.github.beedjava.runtime.AtomicFiles;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Everything needed to continue a run exactly where it stopped: the flat parameters (BN running
 * statistics included), the SGD momentum buffer, the position (epoch, next batch; the data order
 * and augmentation are functions of seed, epoch and batch, see {@code EpochOrder}), the loss sums
 * of the epoch in progress, the metrics of finished epochs and the wall time so far. The file ends
 * with a SHA-256 of its content, so a truncated or damaged checkpoint is detected, not loaded.
 *
 * @param configHash hash of the config that produced it
 * @param epoch 0-based epoch in progress
 * @param nextBatch index of the next batch of that epoch
 * @param epochProgress loss sums and timings of the part of the epoch already done
 * @param finished metrics of the finished epochs
 * @param wallSeconds wall time of the run up to this checkpoint
 * @param params flat parameter vector
 * @param momentum flat momentum buffer, or null before the first step
 */
public record Checkpoint(
    String configHash,
    int epoch,
    int nextBatch,
    EpochProgress epochProgress,
    List<EpochMetrics> finished,
    double wallSeconds,
    INDArray params,
    INDArray momentum) {

  /** File name inside a run directory. */
  public static final String FILE = "checkpoint.bin";

  private static final byte[] MAGIC = "BEEDCKPT".getBytes(StandardCharsets.US_ASCII);
  private static final int VERSION = 1;

  /** Writes atomically: the previous checkpoint stays in place until this one is complete. */
  public void write(Path file) throws IOException {
    AtomicFiles.write(file, raw -> {
      MessageDigest sha = sha256();
      DataOutputStream out = new DataOutputStream(new DigestOutputStream(raw, sha));
      out.write(MAGIC);
      out.writeInt(VERSION);
      out.writeUTF(configHash);
      out.writeInt(epoch);
      out.writeInt(nextBatch);
      writeString(out, Json.GSON.toJson(epochProgress.toJson()));
      JsonArray rows = new JsonArray();
      finished.forEach(m -> rows.add(m.toJson()));
      writeString(out, Json.GSON.toJson(rows));
      out.writeDouble(wallSeconds);
      writeArray(out, params);
      out.writeBoolean(momentum != null);
      if (momentum != null) {
        writeArray(out, momentum);
      }
      out.flush();
      raw.write(sha.digest());
      raw.flush();
    });
  }

  /**
   * Reads and verifies a checkpoint.
   *
   * @throws IOException naming the file when it is truncated, damaged or not a checkpoint
   */
  public static Checkpoint read(Path file) throws IOException {
    String fix = "; delete " + file + " to restart this run from its beginning (or use --force)";
    byte[] all;
    try {
      all = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IOException(file + ": cannot read checkpoint (" + e.getMessage() + ")" + fix, e);
    }
    if (all.length < MAGIC.length + 32 || !Arrays.equals(Arrays.copyOf(all, MAGIC.length), MAGIC)) {
      throw new IOException(file + ": not a BEED-Java checkpoint" + fix);
    }
    byte[] body = Arrays.copyOf(all, all.length - 32);
    byte[] stored = Arrays.copyOfRange(all, all.length - 32, all.length);
    if (!MessageDigest.isEqual(sha256().digest(body), stored)) {
      throw new IOException(file + ": checkpoint is truncated or damaged (checksum mismatch)" + fix);
    }
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(body))) {
      in.skipNBytes(MAGIC.length);
      int version = in.readInt();
      if (version != VERSION) {
        throw new IOException(file + ": checkpoint format " + version + ", this build reads " + VERSION + fix);
      }
      String hash = in.readUTF();
      int epoch = in.readInt();
      int nextBatch = in.readInt();
      EpochProgress progress = EpochProgress.fromJson(JsonParser.parseString(readString(in)).getAsJsonObject());
      List<EpochMetrics> finished = new ArrayList<>();
      JsonParser.parseString(readString(in)).getAsJsonArray().forEach(e -> finished.add(EpochMetrics.fromJson(e.getAsJsonObject())));
      double wall = in.readDouble();
      INDArray params = readArray(in);
      INDArray momentum = in.readBoolean() ? readArray(in) : null;
      return new Checkpoint(hash, epoch, nextBatch, progress, finished, wall, params, momentum);
    } catch (EOFException | RuntimeException e) {
      throw new IOException(file + ": checkpoint content is inconsistent (" + e.getMessage() + ")" + fix, e);
    }
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String readString(DataInputStream in) throws IOException {
    int n = in.readInt();
    return new String(in.readNBytes(n), StandardCharsets.UTF_8);
  }

  /** Data type, length, then the raw little-endian values (bit-exact). */
  private static void writeArray(DataOutputStream out, INDArray a) throws IOException {
    INDArray flat = a.reshape(a.length());
    DataType type = flat.dataType();
    out.writeUTF(type.name());
    out.writeLong(flat.length());
    int chunk = 1 << 16;
    for (long from = 0; from < flat.length(); from += chunk) {
      int n = (int) Math.min(chunk, flat.length() - from);
      INDArray part = flat.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, from + n));
      ByteBuffer buf;
      if (type == DataType.FLOAT) {
        buf = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(part.toFloatVector());
      } else if (type == DataType.DOUBLE) {
        buf = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
        buf.asDoubleBuffer().put(part.toDoubleVector());
      } else {
        throw new IllegalArgumentException("checkpoint: unsupported data type " + type);
      }
      out.write(buf.array());
    }
  }

  private static INDArray readArray(DataInputStream in) throws IOException {
    DataType type = DataType.valueOf(in.readUTF());
    long n = in.readLong();
    int size = type == DataType.FLOAT ? 4 : 8;
    ByteBuffer buf = ByteBuffer.wrap(in.readNBytes(Math.toIntExact(n * size))).order(ByteOrder.LITTLE_ENDIAN);
    if (buf.capacity() != n * size) {
      throw new EOFException("array ended early");
    }
    if (type == DataType.FLOAT) {
      float[] v = new float[(int) n];
      buf.asFloatBuffer().get(v);
      return Nd4j.createFromArray(v);
    }
    double[] v = new double[(int) n];
    buf.asDoubleBuffer().get(v);
    return Nd4j.createFromArray(v);
  }

  /** SHA-256 of a flat parameter vector's little-endian bytes: equal hashes, bit-equal networks. */
  public static String sha256Of(INDArray params) {
    MessageDigest sha = sha256();
    try (DataOutputStream out = new DataOutputStream(new DigestOutputStream(java.io.OutputStream.nullOutputStream(), sha))) {
      writeArray(out, params);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return java.util.HexFormat.of().formatHex(sha.digest());
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
