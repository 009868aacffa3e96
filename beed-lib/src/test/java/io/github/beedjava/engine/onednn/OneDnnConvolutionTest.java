package io.github.beedjava.engine.onednn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.beedjava.engine.NativeBuild;
import io.github.beedjava.engine.layout.BlockedActivations;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The direct oneDNN convolution against libnd4j's {@code conv2d} / {@code conv2d_bp} ops. */
class OneDnnConvolutionTest {

  /** in, out, size, kernel, stride, pad, input gradient, direct backward */
  private static final int[][] CASES = {
    {3, 16, 12, 3, 1, 1, 0, 0},  // the stem: 3 channels, no input gradient
    {16, 16, 12, 3, 1, 1, 1, 1},  // narrow: oneDNN's direct algorithm backward
    {24, 32, 9, 3, 2, 1, 1, 0},  // stride 2 over an odd size, oneDNN's own backward choice
    {16, 32, 10, 1, 2, 0, 1, 0},  // 1x1 shortcut, stride 2
    {32, 32, 6, 3, 1, 1, 1, 0},
  };

  private static DirectOneDnn dnn() {
    DirectOneDnn dnn = DirectOneDnn.get();
    assertNotNull(dnn, "org.bytedeco:dnnl must load in the test JVM (linux-x86_64, CPU backend)");
    return dnn;
  }

  private static OneDnnConvolution.Geometry geometry(int[] c, int batch, boolean channelsLast, boolean training) {
    return new OneDnnConvolution.Geometry(batch, c[0], c[2], c[2], c[1], c[3], c[3], c[4], c[4], c[5], c[5],
        channelsLast, training, c[6] == 1, c[7] == 1, false, false, false);
  }

  /** An inference geometry run by Winograd. */
  private static OneDnnConvolution.Geometry winograd(int[] c, int batch, boolean channelsLast) {
    return new OneDnnConvolution.Geometry(batch, c[0], c[2], c[2], c[1], c[3], c[3], c[4], c[4], c[5], c[5],
        channelsLast, false, false, false, true, false, false);
  }

  private static void libnd4j(String op, INDArray[] in, INDArray[] out, int[] c, int format) {
    Nd4j.exec(DynamicCustomOp.builder(op).addInputs(in).addOutputs(out)
        // kH, kW, sH, sW, pH, pW, dH, dW, same mode off, data format, weights [oC, iC, kH, kW]
        .addIntegerArguments(c[3], c[3], c[4], c[4], c[5], c[5], 1, 1, 0, format, 1).build());
  }

  private static void assertClose(INDArray expected, INDArray actual, double tolerance, String what) {
    double scale = expected.amaxNumber().doubleValue();
    double error = expected.sub(actual).amaxNumber().doubleValue() / scale;
    assertTrue(error <= tolerance, what + ": max error " + error + " relative to " + scale);
  }

  /** Weights as a view into a larger flat buffer, at an offset, as DL4J's parameter views are. */
  private static INDArray weightsView(int[] c) {
    long n = (long) c[1] * c[0] * c[3] * c[3];
    INDArray flat = Nd4j.rand(DataType.FLOAT, 1, n + 37).subi(0.5);
    return flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(37, 37 + n)).reshape('c', c[1], c[0], c[3], c[3]);
  }

  @Test
  void trainingPassesMatchLibnd4jsOps() {
    DirectOneDnn dnn = dnn();
    for (int[] c : CASES) {
      var g = geometry(c, 5, false, true);
      var conv = new OneDnnConvolution(g, dnn);
      INDArray x = Nd4j.rand(DataType.FLOAT, g.inputShape()).subi(0.5);
      INDArray w = weightsView(c);
      INDArray y = Nd4j.create(DataType.FLOAT, g.outputShape());
      INDArray expectedY = y.like();
      conv.forward(x, w, y);
      libnd4j("conv2d", new INDArray[] {x, w}, new INDArray[] {expectedY}, c, 0);
      assertClose(expectedY, y, 1e-5, "forward " + java.util.Arrays.toString(c));

      INDArray dy = Nd4j.rand(DataType.FLOAT, g.outputShape()).subi(0.5);
      INDArray expectedDx = x.like();
      INDArray expectedDw = w.like();
      libnd4j("conv2d_bp", new INDArray[] {x, w, dy}, new INDArray[] {expectedDx, expectedDw}, c, 0);
      INDArray dx = g.inputGradient() ? Nd4j.valueArrayOf(g.inputShape(), Float.NaN, DataType.FLOAT) : null;
      INDArray dw = Nd4j.valueArrayOf(w.shape(), Float.NaN, DataType.FLOAT);  // all overwritten
      conv.backward(x, w, dy, dx, dw);
      assertClose(expectedDw, dw, 1e-5, "weight gradient " + java.util.Arrays.toString(c));
      if (dx != null) {
        assertClose(expectedDx, dx, 1e-5, "input gradient " + java.util.Arrays.toString(c));
      }
    }
  }

  @Test
  void theSamePrimitivesServeManyCallsWithFreshArrays() {
    int[] c = CASES[2];
    var g = geometry(c, 4, false, true);
    var conv = new OneDnnConvolution(g, dnn());
    INDArray w = weightsView(c);
    for (int call = 0; call < 3; call++) {
      INDArray x = Nd4j.rand(DataType.FLOAT, g.inputShape());
      INDArray y = Nd4j.create(DataType.FLOAT, g.outputShape());
      INDArray expected = y.like();
      conv.forward(x, w, y);
      libnd4j("conv2d", new INDArray[] {x, w}, new INDArray[] {expected}, c, 0);
      assertClose(expected, y, 1e-5, "call " + call);
    }
  }

  /**
   * The primitives get raw addresses only: an output error that nothing else references must not
   * be freed while backward still reads it. A second thread collects garbage and fills freed memory
   * with huge values all the while; before the arrays were kept reachable through the native calls,
   * the weight gradient picked those values up (CI, 2026-12-06).
   */
  @Test
  void aTemporaryOutputErrorStaysAliveThroughBackward() throws InterruptedException {
    int[] c = {4, 6, 9, 3, 2, 1, 1, 0};  // the LinearConvolutionTest layer: two reads of the output error
    var g = geometry(c, 5, false, true);
    var conv = new OneDnnConvolution(g, dnn());
    INDArray x = Nd4j.rand(DataType.FLOAT, g.inputShape()).subi(0.5);
    INDArray w = weightsView(c);
    INDArray dy = Nd4j.rand(DataType.FLOAT, g.outputShape()).subi(0.5);
    INDArray dx = x.like();
    INDArray expected = w.like();
    conv.backward(x, w, dy, dx, expected);
    var stop = new java.util.concurrent.atomic.AtomicBoolean();
    Thread churn = new Thread(() -> {
      while (!stop.get()) {
        Nd4j.valueArrayOf(g.outputShape(), 1e20f, DataType.FLOAT);
        System.gc();
      }
    });
    churn.setDaemon(true);
    churn.start();
    try {
      for (int call = 0; call < 2000; call++) {
        INDArray dw = w.like();
        conv.backward(x, w, dy.dup(), dx, dw);  // the copy is referenced by nothing but the call
        assertEquals(expected, dw, "call " + call);
      }
    } finally {
      stop.set(true);
      churn.join();
    }
  }

  @Test
  void channelsLastInferenceMatchesLibnd4j() {
    DirectOneDnn dnn = dnn();
    for (int[] c : CASES) {
      var g = geometry(c, 3, true, false);
      INDArray x = Nd4j.rand(DataType.FLOAT, g.inputShape()).subi(0.5);
      INDArray w = weightsView(c);
      INDArray y = Nd4j.create(DataType.FLOAT, g.outputShape());
      INDArray expected = y.like();
      new OneDnnConvolution(g, dnn).forward(x, w, y);
      libnd4j("conv2d", new INDArray[] {x, w}, new INDArray[] {expected}, c, 1);
      assertClose(expected, y, 1e-5, "NHWC forward " + java.util.Arrays.toString(c));
    }
  }

  @Test
  void oneBlockOfChannelsRunsAsNhwcOnTheSameBytes() {
    assumeTrue(BlockedActivations.BLOCK == 16, "the alias is made for 16-channel blocks (AVX-512) only");
    DirectOneDnn dnn = dnn();
    int[] c = CASES[1];  // 16 to 16 channels, 3x3
    var g = geometry(c, 3, false, false).withBlockedLayout(true, true);
    assertTrue(OneDnnConvolution.singleBlockAsChannelsLast(g));
    assertFalse(OneDnnConvolution.singleBlockAsChannelsLast(geometry(c, 3, false, true).withBlockedLayout(true, true)),
        "training keeps the blocked kernels, whose backward passes have no NHWC counterpart");
    assertFalse(OneDnnConvolution.singleBlockAsChannelsLast(geometry(CASES[4], 3, false, false).withBlockedLayout(true, true)),
        "32 channels are two blocks, not NHWC");
    // One block of 16 channels, [N][1][H][W][16], is NHWC byte for byte: the blocked arrays are
    // NCHW-shaped views of NHWC data, and the result must be NHWC's convolution.
    INDArray nhwc = Nd4j.rand(DataType.FLOAT, 3, c[2], c[2], c[0]).subi(0.5);
    INDArray w = weightsView(c);
    INDArray y = Nd4j.create(DataType.FLOAT, g.outputShape());
    new OneDnnConvolution(g, dnn).forward(nhwc.reshape('c', g.inputShape()), w, y);
    INDArray expected = Nd4j.create(DataType.FLOAT, 3, c[2], c[2], c[1]);
    libnd4j("conv2d", new INDArray[] {nhwc, w}, new INDArray[] {expected}, c, 1);
    assertClose(expected, y.reshape('c', expected.shape()), 1e-5, "16-channel blocked forward read as NHWC");
  }

  @Test
  void winogradInferenceMatchesLibnd4jInBothLayouts() {
    assumeTrue(NativeBuild.cpuHasAvx512(), "oneDNN has f32 Winograd kernels for AVX-512 only");
    DirectOneDnn dnn = dnn();
    int[][] cases = {CASES[1], CASES[4], {32, 48, 8, 3, 1, 1, 1, 0}};  // the 3x3 stride-1 geometries
    for (int[] c : cases) {
      for (boolean channelsLast : new boolean[] {true, false}) {
        var g = winograd(c, 3, channelsLast);
        INDArray x = Nd4j.rand(DataType.FLOAT, g.inputShape()).subi(0.5);
        INDArray w = weightsView(c);
        INDArray y = Nd4j.create(DataType.FLOAT, g.outputShape());
        INDArray expected = y.like();
        new OneDnnConvolution(g, dnn).forward(x, w, y);
        libnd4j("conv2d", new INDArray[] {x, w}, new INDArray[] {expected}, c, channelsLast ? 1 : 0);
        // Winograd rounds differently from the direct sum, within a few 1e-7 of the output's scale here
        assertClose(expected, y, 1e-5, "Winograd forward " + java.util.Arrays.toString(c) + (channelsLast ? " NHWC" : " NCHW"));
      }
    }
  }

  @Test
  void inferenceWeightsAreRemadeWhenTheWeightsChangeInPlace() {
    int[] c = CASES[4];
    var geometries = new java.util.ArrayList<OneDnnConvolution.Geometry>(java.util.List.of(geometry(c, 2, true, false)));
    if (NativeBuild.cpuHasAvx512()) {
      geometries.add(winograd(c, 2, true));  // oneDNN has f32 Winograd kernels for AVX-512 only
    }
    for (var g : geometries) {
      var conv = new OneDnnConvolution(g, dnn());
      INDArray x = Nd4j.rand(DataType.FLOAT, g.inputShape()).subi(0.5);
      INDArray w = weightsView(c);
      for (int change = 0; change < 3; change++) {
        if (change == 1) {
          w.muli(-0.5);  // every weight, as an SGD step
        } else if (change == 2) {
          w.putScalar(new long[] {7, 3, 1, 2}, 4.0);  // a single weight, as a notebook's assign might
        }
        INDArray y = Nd4j.create(DataType.FLOAT, g.outputShape());
        INDArray expected = y.like();
        conv.forward(x, w, y);
        libnd4j("conv2d", new INDArray[] {x, w}, new INDArray[] {expected}, c, 1);
        assertClose(expected, y, 1e-5, (g.winogradForward() ? "Winograd" : "direct") + " after change " + change);
      }
    }
  }

  @Test
  void winogradIsRefusedByOneDnnWhereItHasNoKernelSoTheLayerCanFallBack() {
    int[] strideTwo = CASES[2];
    assertThrows(RuntimeException.class, () -> new OneDnnConvolution(winograd(strideTwo, 2, true), dnn()));
    var fallback = new OneDnnConvolution(winograd(strideTwo, 2, true).withoutWinograd(), dnn());
    assertEquals(false, fallback.geometry().winogradForward());
  }

  @Test
  void badArraysAndPassesAreRefusedWithTheirName() {
    int[] c = CASES[1];
    var inference = new OneDnnConvolution(geometry(c, 2, false, false), dnn());
    INDArray x = Nd4j.rand(DataType.FLOAT, 2, 16, 12, 12);
    INDArray w = Nd4j.rand(DataType.FLOAT, 16, 16, 3, 3);
    var wrongOutput = assertThrows(IllegalArgumentException.class,
        () -> inference.forward(x, w, Nd4j.create(DataType.FLOAT, 2, 16, 11, 11)));
    assertTrue(wrongOutput.getMessage().contains("output") && wrongOutput.getMessage().contains("[2, 16, 12, 12]"),
        wrongOutput.getMessage());
    var transposed = assertThrows(IllegalArgumentException.class,
        () -> inference.forward(x.permute(0, 1, 3, 2), w, Nd4j.create(DataType.FLOAT, 2, 16, 12, 12)));
    assertTrue(transposed.getMessage().contains("input"), transposed.getMessage());
    assertThrows(IllegalStateException.class, () -> inference.backward(x, w, x, x, w));
    assertThrows(IllegalArgumentException.class,
        () -> new OneDnnConvolution(geometry(c, 2, true, true), dnn()), "NHWC training is not built");
  }

  @Test
  void denseMeansCOrderWithoutGaps() {
    INDArray a = Nd4j.rand(DataType.FLOAT, 2, 3, 4, 5);
    assertTrue(OneDnnConvolution.dense(a));
    assertEquals(false, OneDnnConvolution.dense(a.permute(0, 2, 3, 1)));
    assertEquals(false, OneDnnConvolution.dense(a.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 2))));
    assertEquals(false, OneDnnConvolution.dense(a.castTo(DataType.DOUBLE)));
    assertTrue(OneDnnConvolution.dense(a.get(NDArrayIndex.interval(1, 2), NDArrayIndex.all())), "a leading slice is dense");
  }
}
