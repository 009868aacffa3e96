package io.github.beedjava.objective;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A small row-major double array with a shape. Loss heads work on these: the logits and features
 * are small next to the network, and double precision keeps the loss terms exact.
 *
 * @param data values, C order
 * @param shape dimensions; shape[0] is the batch
 */
public record Tensor(double[] data, long[] shape) {

  /** Copies an ND4J array (any data type) into doubles. */
  public static Tensor of(INDArray array) {
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
    return Nd4j.create(data, shape, 'c').castTo(type);
  }
}
