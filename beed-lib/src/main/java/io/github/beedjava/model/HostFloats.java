package io.github.beedjava.model;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

/** Direct access to the host memory of dense float ND4J arrays, for the Java loops of this package. */
final class HostFloats {
  private HostFloats() {}

  /** True for a float array in C order with default strides (its elements are one contiguous run). */
  static boolean isDense(INDArray a) {
    return a.dataType() == DataType.FLOAT && a.ordering() == 'c' && Shape.hasDefaultStridesForShape(a);
  }

  /** The array's elements as a buffer indexed from 0 (the array's offset applied). */
  static FloatBuffer buffer(INDArray a) {
    FloatBuffer b = a.data().asNioFloat();
    return a.offset() == 0 ? b : b.position((int) a.offset()).slice();
  }
}
