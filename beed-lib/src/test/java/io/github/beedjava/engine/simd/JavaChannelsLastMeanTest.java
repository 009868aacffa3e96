package io.github.beedjava.engine.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The Vector API mean over H and W of NHWC maps against ND4J's, with channel counts off the vector width. */
class JavaChannelsLastMeanTest {

  @Test
  void matchesNd4jsMeanWithAVectorTailAndInParallel() {
    Nd4j.getRandom().setSeed(3);
    // 36 channels: two 16-wide vectors and a 4-channel tail; 20 x 16 x 16 x 36 floats run in parallel
    for (long[] shape : new long[][] {{2, 3, 5, 36}, {20, 16, 16, 36}, {3, 4, 4, 7}}) {
      INDArray x = Nd4j.randn(DataType.FLOAT, shape).addi(0.5);
      INDArray y = Nd4j.create(DataType.FLOAT, shape[0], 1, 1, shape[3]);
      assertTrue(JavaChannelsLastMean.apply(x, y));
      float[] expected = x.mean(1, 2).reshape(-1).toFloatVector();
      float[] actual = y.reshape(-1).toFloatVector();
      assertEquals(expected.length, actual.length);
      assertArrayEquals(expected, actual, 1e-5f, java.util.Arrays.toString(shape));
    }
  }

  @Test
  void leavesAStridedMapToNd4j() {
    INDArray nchw = Nd4j.rand(DataType.FLOAT, 2, 8, 4, 4);
    INDArray y = Nd4j.zeros(DataType.FLOAT, 2, 1, 1, 8);
    assertFalse(JavaChannelsLastMean.apply(nchw.permute(0, 2, 3, 1), y));
    assertEquals(0.0, y.sumNumber().doubleValue(), "nothing written");
  }
}
