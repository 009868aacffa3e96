package io.github.beedjava.objective;

import java.lang.ref.Reference;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A small row-major double array with a shape. Loss heads work on these: the logits and features
 * are small next to the network, and double precision keeps the loss terms exact.
 *
 * @param data values, C order
 * @param shape dimensions; shape[0] is the batch
 */
public record Tensor(double[] data, long[] shape) {
  /** Floats per bulk copy between a tensor and native memory: 64 KiB, far below a feature map. */
  private static final int CHUNK = 16_384;

  /** Copies an ND4J array (any data type) into doubles. */
  public static Tensor of(INDArray array) {
    if (denseFloats(array)) {
      // Bulk reads of the native floats through one small buffer; ND4J's dup + toDoubleVector copies
      // twice, element by element, and a whole-array float[] would double the heap a feature map takes.
      FloatBuffer source = floatsOf(array);
      double[] data = new double[source.remaining()];
      float[] chunk = new float[Math.min(data.length, CHUNK)];
      for (int from = 0; from < data.length; from += chunk.length) {
        int n = Math.min(chunk.length, data.length - from);
        source.get(chunk, 0, n);
        for (int i = 0; i < n; i++) {
          data[from + i] = chunk[i];
        }
      }
      Reference.reachabilityFence(array);  // the buffer view does not keep a temporary array alive
      return new Tensor(data, array.shape().clone());
    }
    return new Tensor(array.dup('c').reshape(array.length()).toDoubleVector(), array.shape().clone());
  }

  /** A zero tensor of a shape. */
  public static Tensor zeros(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return new Tensor(new double[Math.toIntExact(n)], shape.clone());
  }

  /** An independent copy. */
  public Tensor copy() {
    return new Tensor(data.clone(), shape.clone());
  }

  /** Batch size N. */
  public int batch() {
    return (int) shape[0];
  }

  /** Elements per batch item. */
  public int rowLength() {
    return data.length / batch();
  }

  /** An ND4J array of this tensor in a data type. */
  public INDArray toINDArray(DataType type) {
    if (type != DataType.FLOAT) {
      return Nd4j.create(data, shape, 'c').castTo(type);
    }
    // Rounded to float here and written in bulk copies of one small buffer (ND4J's create(double[])
    // stores element by element).
    INDArray out = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
    FloatBuffer target = floatsOf(out);
    float[] chunk = new float[Math.min(data.length, CHUNK)];
    for (int from = 0; from < data.length; from += chunk.length) {
      int n = Math.min(chunk.length, data.length - from);
      for (int i = 0; i < n; i++) {
        chunk[i] = (float) data[from + i];
      }
      target.put(chunk, 0, n);
    }
    return out;
  }

  /** A float array in C order with default strides, whose elements are one run of its buffer. */
  private static boolean denseFloats(INDArray a) {
    return a.dataType() == DataType.FLOAT && a.ordering() == 'c' && Shape.hasDefaultStridesForShape(a)
        && a.length() <= Integer.MAX_VALUE;
  }

  /** The elements of a {@link #denseFloats} array as a buffer positioned at its first one. */
  private static FloatBuffer floatsOf(INDArray a) {
    FloatBuffer b = a.data().asNioFloat();
    return b.position(Math.toIntExact(a.offset())).slice().limit(Math.toIntExact(a.length()));
  }
}
