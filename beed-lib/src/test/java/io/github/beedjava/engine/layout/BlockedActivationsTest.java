package io.github.beedjava.engine.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import static io.github.beedjava.engine.layout.BlockedArrays.toBlocked;

import io.github.beedjava.engine.layers.GlobalAveragePooling;
import io.github.beedjava.engine.layers.LinearConvolution;
import io.github.beedjava.engine.onednn.OneDnnConvolution;
import io.github.beedjava.engine.simd.HostFloats;
import io.github.beedjava.engine.simd.VectorKernels;
import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.model.ModelConfig;
import io.github.beedjava.network.MultiExitGraph;
import io.github.beedjava.network.MultiExitNetwork;
import io.github.beedjava.objective.Method;
import io.github.beedjava.train.TrainingStep;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Training with activations in oneDNN's blocked layout computes what NCHW computes. */
class BlockedActivationsTest {

  private static MultiExitNetwork network() {
    return MultiExitNetwork.create(ModelConfig.cifar("resnet18", ExitStructure.BOTTLENECK, 0.25, 10));
  }

  @Test
  void planKeepsEveryMapThatALossOrANonBlockedLayerReadsInNchw() {
    MultiExitGraph graph = network().graph();
    var conf = graph.getConfiguration();
    Set<String> plan = BlockedActivations.plan(conf);
    // The stem and the blocks' convolutions, BNs, ReLUs and sums, the exits' first convolutions.
    for (String vertex : List.of("conv1", "bn1", "layer1.0.conv1", "layer1.0.bn1", "layer2.0.downsample.0", "layer3.1.conv2")) {
      assertTrue(plan.contains(vertex), vertex + " should be blocked; plan: " + plan);
    }
    for (String output : conf.getNetworkOutputs()) {
      assertFalse(plan.contains(output), "a network output must stay NCHW: " + output);
    }
    // Every reader of a blocked map reads the layout: a planned vertex, a convolution or the pooling.
    conf.getVertexInputs().forEach((vertex, inputs) -> {
      if (inputs.stream().anyMatch(plan::contains) && !plan.contains(vertex)) {
        var layer = ((org.deeplearning4j.nn.conf.graph.LayerVertex) conf.getVertices().get(vertex)).getLayerConf().getLayer();
        assertTrue(layer instanceof LinearConvolution || layer instanceof GlobalAveragePooling,
            vertex + " reads a blocked map but is " + layer.getClass().getSimpleName());
      }
    });
  }

  /**
   * One BEED step on a seeded batch. The layouts only change the order of float sums (BN's
   * statistics, the pooling), so the gradients agree to about 1e-6. The batch is fixed because the
   * gradients of a freshly initialised network on some random batches are ill-conditioned: any
   * change of summation order moves them by about 1e-3 (NCHW's own scalar and SIMD BN loops differ
   * that much from each other on those batches too; bench/HISTORY.md, "Sixth pass").
   */
  @Test
  void aTrainingStepGivesTheSameLossAndGradientsInBothLayouts() {
    assumeTrue(BlockedActivations.available(), "needs AVX-512 or AVX2, the Vector API and the direct oneDNN convolutions");
    Nd4j.getRandom().setSeed(1);
    INDArray x = Nd4j.rand(DataType.FLOAT, 8, 3, 32, 32).subi(0.5);
    int[] y = new java.util.Random(5).ints(x.size(0), 0, 10).toArray();
    var objective = Method.parse("beed").objective(network().numClassifiers());

    MultiExitNetwork blocked = network();
    assertFalse(blocked.graph().blockedVertices().isEmpty(), "the plan is empty");
    // conv, BN, ReLU: the BN applies the ReLU in its own passes (each block's first, the exits').
    assertTrue(blocked.graph().absorbedRelus().containsAll(List.of("layer1.0.relu1", "layer4.1.relu1", "ex1conv1.relu1")),
        "absorbed ReLUs: " + blocked.graph().absorbedRelus());
    double blockedLoss = TrainingStep.forwardBackward(blocked, x, y, objective).total();
    INDArray blockedGradients = blocked.graph().getGradientsViewArray().dup();

    MultiExitNetwork plain = network();
    plain.graph().useBlockedLayout(Set.of());
    double plainLoss = TrainingStep.forwardBackward(plain, x, y, objective).total();
    INDArray plainGradients = plain.graph().getGradientsViewArray().dup();

    assertEquals(plainLoss, blockedLoss, 1e-5 * Math.abs(plainLoss));
    double scale = plainGradients.norm2Number().doubleValue();
    double difference = plainGradients.sub(blockedGradients).norm2Number().doubleValue();
    assertTrue(difference <= 1e-5 * scale, "gradients differ by " + difference + " (norm " + scale + ")");
    // Evaluation after a blocked step reads NCHW maps: the same logits as the other network's.
    assertEquals(plain.logits(x).logits()[0], blocked.logits(x).logits()[0]);
  }

  /**
   * MobileNetV2, whose blocks run their depthwise convolutions in the blocked layout too: one BEED
   * step in each layout against the same step in float64. The losses agree to 1e-5. The gradients
   * cannot be held that close: a freshly initialised MobileNetV2 has ReLU inputs within float32's
   * rounding of zero, and each one that a float run rounds to the other side moves the gradients by
   * up to a few 1e-3 (the NCHW step is 2.8e-3 from float64 on some batches, the blocked one 1.8e-2
   * on others; bench/HISTORY.md, "Eleventh pass"). A map read in the wrong layout moves
   * them by order 1, so both layouts are held to 5e-2.
   */
  @Test
  void aMobileNetV2StepInTheBlockedLayoutMatchesFloat64() {
    assumeTrue(BlockedActivations.available(), "needs AVX-512 or AVX2, the Vector API and the direct oneDNN convolutions");
    ModelConfig config = ModelConfig.cifar("mobilenetv2", ExitStructure.BOTTLENECK, 0.25, 10);
    Nd4j.getRandom().setSeed(3);
    INDArray x = Nd4j.rand(DataType.FLOAT, 8, 3, 32, 32).subi(0.5);
    int[] y = new java.util.Random(7).ints(x.size(0), 0, 10).toArray();

    MultiExitNetwork blocked = MultiExitNetwork.create(config);
    assertTrue(blocked.graph().blockedVertices().containsAll(List.of("layers.7.conv2", "layers.7.bn2", "layers.7.conv3")),
        "a block's depthwise convolution and its neighbours should be blocked; plan: " + blocked.graph().blockedVertices());
    MultiExitNetwork plain = MultiExitNetwork.create(config);
    plain.graph().useBlockedLayout(Set.of());
    MultiExitNetwork exact = MultiExitNetwork.create(config.withDataType(DataType.DOUBLE));
    plain.graph().setParams(blocked.graph().params());
    exact.graph().setParams(blocked.graph().params().castTo(DataType.DOUBLE));
    var objective = Method.parse("beed").objective(blocked.numClassifiers());

    double exactLoss = TrainingStep.forwardBackward(exact, x.castTo(DataType.DOUBLE), y, objective).total();
    INDArray exactGradients = exact.graph().getGradientsViewArray().dup();
    double scale = exactGradients.norm2Number().doubleValue();
    for (MultiExitNetwork net : List.of(plain, blocked)) {
      String layout = net == plain ? "NCHW" : "blocked";
      double loss = TrainingStep.forwardBackward(net, x, y, objective).total();
      assertEquals(exactLoss, loss, 1e-5 * Math.abs(exactLoss), layout + " loss");
      INDArray gradients = net.graph().getGradientsViewArray().castTo(DataType.DOUBLE);
      double error = gradients.sub(exactGradients).norm2Number().doubleValue() / scale;
      assertTrue(error <= 5e-2, layout + " gradients are " + error + " from float64");
    }
  }

  @Test
  void blockedBatchNormMatchesTheNchwLoops() {
    assumeTrue(HostFloats.vectorApi() && VectorKernels.holdsChannelBlock(), "needs vectors of one channel block (AVX-512 or AVX2)");
    int n = 3;
    int c = 32;
    int hw = 7 * 7;
    INDArray x = Nd4j.rand(DataType.FLOAT, n, c, 7, 7).muli(3).subi(1);
    INDArray e = Nd4j.rand(DataType.FLOAT, n, c, 7, 7).subi(0.5);
    float[] gamma = Nd4j.rand(DataType.FLOAT, c).addi(0.5).data().asFloat();
    float[] beta = Nd4j.rand(DataType.FLOAT, c).data().asFloat();

    float[] mean = new float[c];
    float[] var = new float[c];
    INDArray y = x.ulike();
    VectorKernels.batchNormForward(VectorKernels.Nchw.of(x), VectorKernels.Nchw.of(y), true, gamma, beta, mean, var, 1e-5, false);
    float[] dGamma = new float[c];
    float[] dBeta = new float[c];
    INDArray dx = x.ulike();
    VectorKernels.batchNormBackward(VectorKernels.Nchw.of(x), VectorKernels.Nchw.of(e), VectorKernels.Nchw.of(dx), gamma,
        mean, var, 1e-5, dGamma, dBeta);

    INDArray xb = toBlocked(x);
    INDArray eb = toBlocked(e);
    float[] meanB = new float[c];
    float[] varB = new float[c];
    INDArray yb = x.ulike();
    VectorKernels.batchNormForwardBlocked(VectorKernels.Nchw.of(xb), VectorKernels.Nchw.of(yb), true, gamma, beta, meanB,
        varB, 1e-5, false);
    float[] dGammaB = new float[c];
    float[] dBetaB = new float[c];
    INDArray dxb = x.ulike();
    VectorKernels.batchNormBackwardBlocked(VectorKernels.Nchw.of(xb), VectorKernels.Nchw.of(eb), VectorKernels.Nchw.of(dxb),
        gamma, meanB, varB, 1e-5, dGammaB, dBetaB);

    assertArrayClose(mean, meanB, "mean");
    assertArrayClose(var, varB, "var");
    assertArrayClose(dGamma, dGammaB, "dGamma");
    assertArrayClose(dBeta, dBetaB, "dBeta");
    assertArrayClose(toBlocked(y).data().asFloat(), yb.data().asFloat(), "y");
    assertArrayClose(toBlocked(dx).data().asFloat(), dxb.data().asFloat(), "dx");
    assertEquals(n * c * hw, yb.length());
  }

  /**
   * The blocked statistics take one pass (sums of x - K and their squares, K near the mean). A
   * map whose mean is a thousand times its spread, with samples that differ in mean, is where an
   * unshifted one-pass variance loses every digit; the shifted one must match a two-pass variance
   * computed in double.
   */
  @Test
  void onePassBlockedStatisticsStayAccurateWhenTheMeanDwarfsTheSpread() {
    assumeTrue(HostFloats.vectorApi() && VectorKernels.holdsChannelBlock(), "needs vectors of one channel block (AVX-512 or AVX2)");
    int n = 6;
    int c = 16;
    Nd4j.getRandom().setSeed(3);
    INDArray x = Nd4j.randn(DataType.FLOAT, n, c, 5, 5);
    for (int i = 0; i < n; i++) {
      x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).addi(1000 + 0.5 * i);
    }
    double[] values = x.dup('c').data().asDouble();
    int hw = 25;
    float[] mean = new float[c];
    float[] var = new float[c];
    INDArray y = x.ulike();
    float[] ones = new float[c];
    java.util.Arrays.fill(ones, 1f);
    VectorKernels.batchNormForwardBlocked(VectorKernels.Nchw.of(toBlocked(x)), VectorKernels.Nchw.of(y), true, ones,
        new float[c], mean, var, 1e-5, false);
    for (int ch = 0; ch < c; ch++) {
      double sum = 0;
      for (int i = 0; i < n; i++) {
        for (int p = 0; p < hw; p++) {
          sum += values[(i * c + ch) * hw + p];
        }
      }
      double mu = sum / (n * hw);
      double squares = 0;
      for (int i = 0; i < n; i++) {
        for (int p = 0; p < hw; p++) {
          double d = values[(i * c + ch) * hw + p] - mu;
          squares += d * d;
        }
      }
      double variance = squares / (n * hw);
      assertEquals(mu, mean[ch], 1e-4, "mean of channel " + ch);
      assertEquals(variance, var[ch], 1e-4 * variance, "variance of channel " + ch);
    }
  }

  /** A BN that absorbs the ReLU after it writes max(y, 0), with the same statistics. */
  @Test
  void blockedBatchNormWithTheReluAbsorbedWritesTheRectifiedOutput() {
    assumeTrue(HostFloats.vectorApi() && VectorKernels.holdsChannelBlock(), "needs vectors of one channel block (AVX-512 or AVX2)");
    int c = 16;
    Nd4j.getRandom().setSeed(7);
    INDArray x = toBlocked(Nd4j.randn(DataType.FLOAT, 4, c, 6, 6));
    float[] gamma = Nd4j.rand(DataType.FLOAT, c).addi(0.5).data().asFloat();
    float[] beta = Nd4j.randn(DataType.FLOAT, c).data().asFloat();
    float[] mean = new float[c];
    float[] var = new float[c];
    INDArray y = x.ulike();
    VectorKernels.batchNormForwardBlocked(VectorKernels.Nchw.of(x), VectorKernels.Nchw.of(y), true, gamma, beta, mean, var,
        1e-5, false);
    float[] meanR = new float[c];
    float[] varR = new float[c];
    INDArray rectified = x.ulike();
    VectorKernels.batchNormForwardBlocked(VectorKernels.Nchw.of(x), VectorKernels.Nchw.of(rectified), true, gamma, beta,
        meanR, varR, 1e-5, true);
    assertEquals(org.nd4j.linalg.ops.transforms.Transforms.relu(y, true), rectified);
    assertTrue(rectified.lte(0).any() && rectified.gt(0).any(), "the test map needs both signs");
    assertArrayClose(mean, meanR, "mean");
    assertArrayClose(var, varR, "var");
  }

  @Test
  void blockedToNchwUndoesTheBlocking() {
    assumeTrue(HostFloats.vectorApi() && VectorKernels.holdsChannelBlock(), "needs vectors of one channel block (AVX-512 or AVX2)");
    for (int[] shape : new int[][] {{3, 32, 5, 7}, {64, 16, 4, 4}}) {  // small (serial) and large (parallel)
      INDArray x = Nd4j.rand(DataType.FLOAT, shape[0], shape[1], shape[2], shape[3]);
      INDArray y = x.ulike();
      VectorKernels.blockedToNchw(VectorKernels.Nchw.of(toBlocked(x)), VectorKernels.Nchw.of(y));
      assertEquals(x, y, "shape " + java.util.Arrays.toString(shape));
    }
  }

  @Test
  void blockedPoolingIsTheChannelMeanForwardAndItsShareBackward() {
    assumeTrue(HostFloats.vectorApi() && VectorKernels.holdsChannelBlock(), "needs vectors of one channel block (AVX-512 or AVX2)");
    for (int[] shape : new int[][] {{3, 32, 5, 7}, {64, 16, 4, 4}}) {  // small (serial) and large (parallel)
      INDArray x = Nd4j.rand(DataType.FLOAT, shape[0], shape[1], shape[2], shape[3]);
      INDArray means = Nd4j.create(DataType.FLOAT, shape[0], shape[1]);
      VectorKernels.blockedChannelMeans(VectorKernels.Nchw.of(toBlocked(x)), means);
      assertArrayClose(x.mean(2, 3).data().asFloat(), means.data().asFloat(), "means");
      INDArray e = Nd4j.rand(DataType.FLOAT, shape[0], shape[1]);
      INDArray dx = x.ulike();
      VectorKernels.blockedChannelMeansBackward(e, VectorKernels.Nchw.of(dx));
      INDArray expected = e.div(shape[2] * shape[3]).reshape(shape[0], shape[1], 1, 1)
          .broadcast(shape[0], shape[1], shape[2], shape[3]).dup('c');
      assertEquals(toBlocked(expected), dx, "backward: e / (H*W) at every pixel");
    }
  }

  @Test
  void theInferenceCopyBlocksEveryConvolutionWideEnoughAndHandsOutNchwFeatures() {
    assumeTrue(BlockedActivations.available(), "needs AVX-512 or AVX2, the Vector API and the direct oneDNN convolutions");
    for (String model : List.of("resnet18", "wrn16_4")) {
      MultiExitNetwork net = MultiExitNetwork.create(ModelConfig.cifar(model, ExitStructure.BOTTLENECK, 0.25, 10));
      var conf = net.inferenceGraph().getConfiguration();
      Set<String> plan = net.inferenceGraph().blockedVertices();
      conf.getVertices().forEach((name, vertex) -> {
        if (vertex instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv
            && lv.getLayerConf().getLayer() instanceof LinearConvolution conv && conv.getNOut() % BlockedActivations.BLOCK == 0) {
          assertTrue(plan.contains(name), model + ": " + name + " writes NCHW; plan: " + plan);
        }
      });
      for (String output : conf.getNetworkOutputs()) {
        assertFalse(plan.contains(output), model + ": a network output must stay NCHW: " + output);
      }
      // The features leave through the unblocking layer: the same maps as the training graph's.
      INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 32, 32);
      var features = net.forward(x, false).features();
      var reference = io.github.beedjava.network.Outputs.split(net.graph().output(false, x)).features();
      for (int k = 0; k < features.length; k++) {
        double err = features[k].sub(reference[k]).norm2Number().doubleValue() / reference[k].norm2Number().doubleValue();
        assertTrue(err < 1e-4, model + ": features " + k + " differ by " + err);
      }
    }
  }

  @Test
  void aGeometryRejectsTheLayoutForChannelsThatAreNotWholeBlocks() {
    var g = new OneDnnConvolution.Geometry(4, 20, 8, 8, 32, 3, 3, 1, 1, 1, 1, false, true, true, false, false, false, false);
    var e = assertThrows(IllegalArgumentException.class, () -> g.withBlockedLayout(true, true));
    assertTrue(e.getMessage().contains("20 in"), e.getMessage());
    assertTrue(g.withBlockedLayout(false, true).blockedOutput());
  }


  private static void assertArrayClose(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], 2e-5 * Math.max(1, Math.abs(expected[i])), what + "[" + i + "]");
    }
  }
}
