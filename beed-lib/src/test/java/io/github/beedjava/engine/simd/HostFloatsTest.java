package io.github.beedjava.engine.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Bulk reads and writes of small float arrays, as the BN loops do them with a BN's parameters. */
class HostFloatsTest {

  @Test
  void readsAndWritesParameterViewsAtAnOffsetInEitherOrder() {
    for (char order : new char[] {'c', 'f'}) {
      INDArray flat = Nd4j.linspace(DataType.FLOAT, 0, 20, 1).reshape(order, 1, 20);
      INDArray view = flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(5, 9)).reshape(order, 1, 4);
      assertArrayEquals(view.toFloatVector(), HostFloats.read(view), 0f, "order " + order);
      HostFloats.write(new float[] {-1, -2, -3, -4}, view);
      assertArrayEquals(new float[] {-1, -2, -3, -4}, flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(5, 9)).toFloatVector(), 0f);
      assertEquals(4f, flat.getFloat(0, 4), "the element before the view is untouched");
      assertEquals(9f, flat.getFloat(0, 9), "the element after the view is untouched");
    }
  }

  @Test
  void fallsBackForStridedArraysAndRejectsAWrongLength() {
    INDArray column = Nd4j.linspace(DataType.FLOAT, 0, 12, 1).reshape('c', 3, 4).getColumn(1);  // stride 4
    assertArrayEquals(new float[] {1, 5, 9}, HostFloats.read(column), 0f);
    HostFloats.write(new float[] {7, 8, 9}, column);
    assertArrayEquals(new float[] {7, 8, 9}, column.toFloatVector(), 0f);
    var e = assertThrows(IllegalArgumentException.class, () -> HostFloats.write(new float[2], column));
    assertEquals("HostFloats: 2 values for an array of 3", e.getMessage());
  }
}
