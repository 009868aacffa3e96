package io.github.beedjava.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The conversions between network outputs and the loss heads' doubles are exact, for every layout they meet. */
class TensorTest {

  @Test
  void readsDenseFloatsViewsAtAnOffsetAndOtherLayoutsAlike() {
    INDArray m = Nd4j.rand(DataType.FLOAT, 5, 4, 3);
    INDArray slice = m.get(org.nd4j.linalg.indexing.NDArrayIndex.point(2));  // dense, at an offset
    INDArray fortran = m.dup('f');
    INDArray doubles = m.castTo(DataType.DOUBLE);
    for (INDArray a : new INDArray[] {m, slice, fortran, doubles}) {
      Tensor t = Tensor.of(a);
      assertArrayEquals(a.shape(), t.shape());
      assertArrayEquals(a.castTo(DataType.DOUBLE).dup('c').data().asDouble(), t.data(), 0.0, a.shapeInfoToString());
    }
  }

  @Test
  void copiesArraysLongerThanOneBulkCopyWhole() {
    INDArray features = Nd4j.rand(DataType.FLOAT, 3, 16_384 + 7).subi(0.5);  // crosses the chunk size twice
    Tensor t = Tensor.of(features);
    assertArrayEquals(features.castTo(DataType.DOUBLE).data().asDouble(), t.data(), 0.0);
    assertEquals(features, t.toINDArray(DataType.FLOAT));
  }

  @Test
  void writesFloatsAsNd4jsCastWould() {
    double[] values = {1.0 / 3, -2.5e-8, 7e30, -0.0, 123456789.123};
    Tensor t = new Tensor(values, new long[] {5, 1});
    INDArray viaCast = Nd4j.create(values, new long[] {5, 1}, 'c').castTo(DataType.FLOAT);
    INDArray direct = t.toINDArray(DataType.FLOAT);
    assertEquals(viaCast, direct);
    assertEquals(DataType.FLOAT, direct.dataType());
    assertArrayEquals(new long[] {5, 1}, direct.shape());
    assertEquals(Nd4j.create(values, new long[] {5, 1}, 'c'), t.toINDArray(DataType.DOUBLE));
  }
}
