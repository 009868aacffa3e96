package io.github.beedjava.engine.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNBatchNormHelper;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class JavaBatchNormHelperTest {

  private static MultiLayerNetwork bn(int channels, int size) {
    MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).list()
        .layer(new BatchNormalization.Builder().nOut(channels).eps(1e-5).decay(0.9).useLogStd(false).build())
        .setInputType(InputType.convolutional(size, size, channels)).build());
    net.init();
    net.initGradientsView();
    return net;
  }

  private static double relErr(INDArray expected, INDArray actual) {
    return expected.sub(actual).norm2Number().doubleValue() / Math.max(1e-12, expected.norm2Number().doubleValue());
  }

  /** Forward output, batch statistics and all gradients of one train-mode step. */
  private static INDArray[] step(MultiLayerNetwork net, INDArray x, INDArray eps) {
    Layer layer = net.getLayer(0);
    LayerWorkspaceMgr ws = LayerWorkspaceMgr.noWorkspaces();
    layer.setInput(x, ws);
    INDArray y = layer.activate(true, ws).dup();
    Pair<Gradient, INDArray> p = layer.backpropGradient(eps, ws);
    Gradient g = p.getFirst();
    return new INDArray[] {y, p.getSecond().dup(), g.getGradientFor("gamma").dup(), g.getGradientFor("beta").dup(),
        g.getGradientFor("mean").dup(), g.getGradientFor("var").dup()};
  }

  @Test
  void matchesDl4jsOneDnnBatchNormInTrainingAndInference() {
    // fixed data: dL/dgamma sums 16,384 products that largely cancel, and on unseeded draws the two
    // float summation orders once differed by 2.1e-5 against the 2e-5 bound (a fresh-clone CI run)
    Nd4j.getRandom().setSeed(20261207);
    for (int[] shape : new int[][] {{6, 5, 7}, {64, 16, 16}}) {  // small (serial) and large (parallel) maps
      int c = shape[1];
      MultiLayerNetwork reference = bn(c, shape[2]);
      MultiLayerNetwork fast = bn(c, shape[2]);
      assertInstanceOf(MKLDNNBatchNormHelper.class, reference.getLayer(0).getHelper());
      JavaBatchNormHelper.installOn(fast.getLayers());
      assertInstanceOf(JavaBatchNormHelper.class, fast.getLayer(0).getHelper());
      INDArray params = Nd4j.rand(DataType.FLOAT, reference.params().shape()).addi(0.5);
      reference.setParams(params);
      fast.setParams(params.dup());
      INDArray x = Nd4j.rand(DataType.FLOAT, shape[0], c, shape[2], shape[2]).muli(3).addi(1);
      INDArray eps = Nd4j.rand(DataType.FLOAT, x.shape()).subi(0.5);
      INDArray[] expected = step(reference, x, eps);
      INDArray[] actual = step(fast, x, eps);
      String[] names = {"output", "dL/dx", "dL/dgamma", "dL/dbeta", "running-mean delta", "running-var delta"};
      for (int i = 0; i < names.length; i++) {
        double err = relErr(expected[i], actual[i]);
        assertTrue(err < 2e-5, names[i] + " differs from DL4J's by " + err + " for shape " + java.util.Arrays.toString(shape));
      }
      INDArray eval = reference.output(x, false);
      double err = relErr(eval, fast.output(x, false));
      assertTrue(err < 2e-6, "inference output differs by " + err);
    }
  }

  /** Output, batch statistics, dx, dGamma and dBeta of a helper's train-mode forward and backward. */
  private static INDArray[] helperStep(JavaBatchNormHelper helper, INDArray x, INDArray e, INDArray gamma, INDArray beta) {
    LayerWorkspaceMgr ws = LayerWorkspaceMgr.noWorkspaces();
    long c = x.size(1);
    INDArray mean = Nd4j.zeros(DataType.FLOAT, c);
    INDArray var = Nd4j.ones(DataType.FLOAT, c);
    INDArray y = helper.preOutput(x, true, x.shape(), gamma, beta, mean, var, 0.9, 1e-5, CNN2DFormat.NCHW, ws);
    INDArray dGamma = Nd4j.zeros(DataType.FLOAT, 1, c);
    INDArray dBeta = Nd4j.zeros(DataType.FLOAT, 1, c);
    INDArray dx = helper.backpropGradient(x, e, x.shape(), gamma, beta, dGamma, dBeta, 1e-5, CNN2DFormat.NCHW, ws).getSecond();
    return new INDArray[] {y, helper.getMeanCache(DataType.FLOAT), helper.getVarCache(DataType.FLOAT), dx, dGamma, dBeta};
  }

  @Test
  void vectorLoopsMatchTheScalarLoopsIncludingTailsAndViews() {
    assertTrue(HostFloats.vectorApi(), "the tests run with --add-modules jdk.incubator.vector (beed.jvm.flags)");
    Nd4j.getRandom().setSeed(7);
    INDArray big = Nd4j.rand(DataType.FLOAT, 10, 5, 7, 7).muli(4).subi(1);
    INDArray[] inputs = {
      big,                                                                      // 49 values per run: 3 vectors + a tail
      big.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(3, 9)),            // a dense view at an offset
      Nd4j.rand(DataType.FLOAT, 64, 16, 16, 16).subi(0.3),                    // parallel over samples
      Nd4j.rand(DataType.FLOAT, 8, 12, 2, 2),                                   // 2x2 maps: tails only
    };
    for (INDArray x : inputs) {
      assertTrue(HostFloats.isDense(x), "not dense: " + x.shapeInfoToString());
      INDArray e = Nd4j.rand(DataType.FLOAT, x.shape()).subi(0.5);
      INDArray gamma = Nd4j.rand(DataType.FLOAT, x.size(1)).addi(0.5);
      INDArray beta = Nd4j.rand(DataType.FLOAT, x.size(1));
      INDArray[] scalar = helperStep(new JavaBatchNormHelper(false), x, e, gamma, beta);
      INDArray[] vector = helperStep(new JavaBatchNormHelper(true), x, e, gamma, beta);
      String[] names = {"output", "batch mean", "batch variance", "dL/dx", "dL/dgamma", "dL/dbeta"};
      for (int i = 0; i < names.length; i++) {
        double err = relErr(scalar[i], vector[i]);
        assertTrue(err < 5e-6, names[i] + " of the vector loops differs by " + err + " for " + x.shapeInfoToString());
      }
    }
  }

  @Test
  void aRectifyingHelperWritesTheReluOfTheOutputInEvalPassesOnly() {
    Nd4j.getRandom().setSeed(11);
    INDArray x = Nd4j.rand(DataType.FLOAT, 6, 5, 7, 7).subi(0.5);  // tails and both signs
    INDArray gamma = Nd4j.rand(DataType.FLOAT, 5).addi(0.5);
    INDArray beta = Nd4j.rand(DataType.FLOAT, 5).subi(0.5);
    INDArray mean = Nd4j.rand(DataType.FLOAT, 5).subi(0.5);
    INDArray var = Nd4j.rand(DataType.FLOAT, 5).addi(0.1);
    LayerWorkspaceMgr ws = LayerWorkspaceMgr.noWorkspaces();
    for (boolean vector : new boolean[] {true, false}) {
      JavaBatchNormHelper plain = new JavaBatchNormHelper(vector);
      JavaBatchNormHelper rectifying = new JavaBatchNormHelper(vector);
      rectifying.setRectifiesInference(true);
      INDArray expected = plain.preOutput(x, false, x.shape(), gamma, beta, mean, var, 0.9, 1e-5, CNN2DFormat.NCHW, ws);
      assertTrue(expected.minNumber().doubleValue() < 0, "the test needs negative BN outputs");
      INDArray y = rectifying.preOutput(x, false, x.shape(), gamma, beta, mean, var, 0.9, 1e-5, CNN2DFormat.NCHW, ws);
      assertEquals(org.nd4j.linalg.ops.transforms.Transforms.relu(expected, true), y, "vector loops: " + vector);
      assertTrue(rectifying.rectifiedLastPass() && !plain.rectifiedLastPass());
      INDArray trained = rectifying.preOutput(x, true, x.shape(), gamma, beta, mean.dup(), var.dup(), 0.9, 1e-5,
          CNN2DFormat.NCHW, ws);
      assertTrue(trained.minNumber().doubleValue() < 0 && !rectifying.rectifiedLastPass(),
          "training passes keep the BN's output: the graph's own ReLU layer follows");
    }
  }

  @Test
  void declinesWhatItDoesNotImplement() {
    JavaBatchNormHelper helper = new JavaBatchNormHelper();
    INDArray g = Nd4j.ones(DataType.FLOAT, 3);
    LayerWorkspaceMgr ws = LayerWorkspaceMgr.noWorkspaces();
    assertNull(helper.preOutput(Nd4j.rand(DataType.DOUBLE, 2, 3, 4, 4), true, null, g, g, g, g, 0.9, 1e-5, CNN2DFormat.NCHW, ws),
        "double precision goes to DL4J's own code (gradient checks)");
    assertNull(helper.preOutput(Nd4j.rand(DataType.FLOAT, 2, 4, 4, 3), true, null, g, g, g, g, 0.9, 1e-5, CNN2DFormat.NHWC, ws));
    assertNull(helper.backpropGradient(Nd4j.rand(DataType.FLOAT, 2, 3, 4, 4), Nd4j.rand(DataType.FLOAT, 2, 3, 4, 4), null, g, g,
        g.dup(), g.dup(), 1e-5, CNN2DFormat.NCHW, ws), "no backward without its own forward");
  }
}
