package io.github.beedjava.engine.layers;

import io.github.beedjava.engine.layout.BlockedActivations;
import io.github.beedjava.engine.onednn.ConvolutionCache;
import io.github.beedjava.engine.onednn.DirectOneDnn;
import io.github.beedjava.engine.onednn.InferenceWeights;
import io.github.beedjava.engine.onednn.OneDnnConvolution;
import io.github.beedjava.engine.simd.ExitBlockWeights;
import io.github.beedjava.engine.simd.HostFloats;
import io.github.beedjava.engine.simd.JavaExitBlock;
import io.github.beedjava.engine.simd.JavaPointwiseProduct;
import io.github.beedjava.engine.simd.JavaStemComposition;
import io.github.beedjava.engine.simd.JavaWinograd;
import io.github.beedjava.engine.simd.StemCompositionWeights;
import io.github.beedjava.engine.simd.StemShortcutWeights;
import io.github.beedjava.engine.simd.WinogradWeights;
import java.util.List;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runtime layer of {@link LinearConvolution}: both passes call oneDNN directly through
 * {@link OneDnnConvolution} where it applies, and otherwise go straight to DL4J's oneDNN helper
 * (libnd4j's ops). DL4J's {@code ConvolutionLayer.backpropGradient}
 * recomputes the layer's forward convolution to apply the activation's derivative, even for the
 * identity activation, so a training step costs four convolutions per layer instead of three. With
 * identity, dLoss/dPreOutput is the incoming error itself, so this hands it straight to the oneDNN
 * {@code conv2d_bp} op, exactly as the original does after the wasted forward.
 */
public final class LinearConvolutionLayer extends ConvolutionLayer implements BatchNormFoldingLayer {

  private final ConvolutionCache convolutions = new ConvolutionCache();

  /** The weights in the inference primitives' layout, kept between calls (all geometries of this layer share it). */
  private InferenceWeights inferenceWeights;

  /** The BN this layer applies in an inference graph ({@code BatchNormFolding}); null when none. */
  private final FoldedBatchNormLink foldedBatchNorm = new FoldedBatchNormLink();

  /** The weights in {@link JavaWinograd}'s form, for the 16-channel 3x3 layers it runs; null until first needed. */
  private WinogradWeights winogradWeights;

  /** The 5x5 kernels of this layer composed with the stem before it, for {@link #activateComposedWithStem}; null until first needed. */
  private StemCompositionWeights stemCompositionWeights;

  /** The stem's folded weights when this layer adds it as its shortcut, for {@link #activateWithStemShortcut}; null until first needed. */
  private StemShortcutWeights stemShortcutWeights;

  /** The exit block's three layers' weights when this is its closing convolution, for {@link #activateAsExitBlock}; null until first needed. */
  private ExitBlockWeights exitBlockWeights;

  /** Whether input and output are in oneDNN's blocked layout in passes that use it ({@link BlockedActivations}). */
  private final BlockedLayoutFlags blocked = new BlockedLayoutFlags();

  LinearConvolutionLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  /** Sets the layouts that {@link BlockedActivations#plan} chose for this layer's input and output. */
  public void setBlockedLayout(boolean input, boolean output) {
    blocked.set(input, output);
  }

  /**
   * The direct oneDNN convolution for this input, or null when this pass must go through libnd4j:
   * the library is off or absent (see {@link DirectOneDnn}), or the layer or arrays use something it
   * is not built for (bias, dilation, "same" mode, dropout, weight noise, non-dense or non-float
   * arrays, NHWC in training).
   */
  private OneDnnConvolution directConvolution(boolean training, INDArray... arrays) {
    return blocked.required(directConvolutionOrNull(training, arrays), layerId());
  }

  private OneDnnConvolution directConvolutionOrNull(boolean training, INDArray... arrays) {
    var conf = layerConf();
    DirectOneDnn dnn = DirectOneDnn.get();
    var settings = DirectConvolutionSettings.of(conf, dataType);
    if (dnn == null || settings == null || !OneDnnConvolution.takes(settings.channelsLast(), training, arrays)) {
      return null;
    }
    boolean channelsLast = settings.channelsLast();
    int h = settings.heightDimension();
    int[] kernel = settings.kernel();
    int[] stride = settings.stride();
    int[] pad = settings.pad();
    long pixels = input.size(h) * input.size(h + 1);
    boolean slowWinograd = winogradIsSlow(kernel, stride, conf.getNIn(), conf.getNOut(), pixels);
    boolean folded = ((LinearConvolution) conf).getFoldedBatchNorm() != null;
    var geometry = new OneDnnConvolution.Geometry(
        input.size(0), conf.getNIn(), input.size(h), input.size(h + 1), conf.getNOut(), kernel[0], kernel[1],
        stride[0], stride[1], pad[0], pad[1], channelsLast, training,
        ((LinearConvolution) conf).isInputGradient(), slowWinograd,
        !training && winogradForward(kernel, stride) && !slowWinograd,
        !training && folded, !training && folded && ((LinearConvolution) conf).isFusedRelu());
    geometry = blocked.applyTo(geometry);
    if (inferenceWeights == null) {
      inferenceWeights = new InferenceWeights(dnn);
    }
    return convolutions.get(geometry, g -> create(g, dnn));
  }

  private OneDnnConvolution create(OneDnnConvolution.Geometry g, DirectOneDnn dnn) {
    try {
      return new OneDnnConvolution(g, dnn, inferenceWeights);
    } catch (RuntimeException noKernel) {
      if (!g.winogradForward()) {
        throw noKernel;
      }
      // oneDNN has f32 Winograd kernels for AVX-512 CPUs only
      return new OneDnnConvolution(g.withoutWinograd(), dnn, inferenceWeights);
    }
  }

  /**
   * Whether inference runs this layer by Winograd: 3x3 stride-1 kernels, unless switched off with
   * {@code -D}{@value DirectOneDnn#WINOGRAD_PROPERTY}{@code =false}. oneDNN's Winograd forward takes
   * 0.40-0.49 of the direct algorithm's time on ResNet18's 3x3 layers at full width (64 to 512
   * channels, batch 128) and 0.45-0.57 at width 1/4 from 32 channels up; on the narrow layers of
   * {@link #winogradIsSlow} it is slower (3.8 vs 3.0 ms), so those keep the direct algorithm
   * (bench/HISTORY.md, "Fourth pass"). Training keeps the direct forward: its weights change every
   * step, and transforming them costs more than Winograd saves on the deepest layers. Winograd's
   * rounding differs from the direct sum's by about 1e-6 of the output's scale per layer.
   */
  static boolean winogradForward(int[] kernel, int[] stride) {
    return DirectOneDnn.winogradInference()
        && kernel[0] == 3 && kernel[1] == 3 && stride[0] == 1 && stride[1] == 1;
  }

  /**
   * Whether {@link JavaWinograd} runs this inference pass instead of oneDNN: a 3x3, stride-1,
   * padding-1 layer of 16 channels into 16 whose maps are one block of 16 channels ([N][H][W][16]:
   * the blocked layout on both sides, or NHWC), with Winograd inference on, over maps of enough
   * tiles ({@link JavaWinograd#pays}). It takes 0.67-0.85 of oneDNN's direct kernel's time there
   * (bench/HISTORY.md, "Eighteenth pass").
   */
  private static boolean javaWinograd(OneDnnConvolution.Geometry g) {
    return sixteenChannelThreeByThree(g) && (g.channelsLast() || (g.blockedInput() && g.blockedOutput()))
        && DirectOneDnn.winogradInference() && JavaWinograd.enabled() && JavaWinograd.pays(g.batch(), g.height(), g.width());
  }

  /** An inference pass of a dense 3x3, stride-1, padding-1 convolution of 16 channels into 16: what the Java kernels take. */
  private static boolean sixteenChannelThreeByThree(OneDnnConvolution.Geometry g) {
    return !g.training() && g.kernelH() == 3 && g.kernelW() == 3 && g.strideH() == 1 && g.strideW() == 1
        && g.padH() == 1 && g.padW() == 1 && g.channelsIn() == 16 && g.channelsOut() == 16 && !g.depthwise();
  }

  /** A float layer without "same" mode, dropout or weight noise: what both fast paths are built for. */
  private boolean plainFloatConvolution() {
    var conf = layerConf();
    return conf.getConvolutionMode() != ConvolutionMode.Same
        && conf.getIDropout() == null
        && conf.getWeightNoise() == null
        && dataType == DataType.FLOAT;
  }

  /** Whether the oneDNN helper can take this pass directly (everything this layer is configured with here). */
  private boolean direct(INDArray x, INDArray epsilon) {
    return helper != null
        && helperCountFail == 0
        && plainFloatConvolution()
        && x != null
        && x.dataType() == DataType.FLOAT
        && (epsilon == null || epsilon.dataType() == DataType.FLOAT);
  }

  /** Frees the weights kept for inference (remade by the next inference pass). */
  public void releaseInferenceWeights() {
    if (inferenceWeights != null) {
      inferenceWeights.release();
    }
    winogradWeights = null;
    stemCompositionWeights = null;
    exitBlockWeights = null;
  }

  @Override
  public void foldBatchNorm(org.deeplearning4j.nn.layers.normalization.BatchNormalization bn) {
    foldedBatchNorm.link((LinearConvolution) layerConf(), layerId(), bn);
  }

  @Override
  public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
    return forward(training, null, false, workspaceMgr);
  }

  /**
   * The inference output plus {@code residual}, then the ReLU with {@code relu}: this layer as a
   * residual block's last convolution together with the block's sum ({@link ResidualConvolutionVertex}).
   * {@link JavaWinograd} adds the residual in its output transform where it runs this layer (unless
   * {@code -D}{@value #RESIDUAL_FUSION_PROPERTY}{@code =false}); otherwise the sum is one more pass
   * over the output. Either way the result is the unfused convolution and sum's, bit for bit.
   *
   * @param residual the shortcut, a map of the output's shape and layout
   * @throws IllegalStateException when the residual's shape or layout is not the output's, or this
   *     layer applies a ReLU of its own
   */
  public INDArray activateWithResidual(INDArray residual, boolean relu, LayerWorkspaceMgr workspaceMgr) {
    if (((LinearConvolution) layerConf()).isFusedRelu()) {
      throw new IllegalStateException("layer " + layerId() + ": a ReLU before the residual sum cannot be fused with it");
    }
    if (blocked.outputInThisPass() != (residualBlocked && BlockedActivations.active())) {
      throw new IllegalStateException("layer " + layerId() + ": its residual and its output are planned in different layouts ("
          + (residualBlocked ? "blocked" : "plain") + " residual); run with -D" + DirectOneDnn.BLOCKED_PROPERTY + "=false");
    }
    return forward(false, residual, relu, workspaceMgr);
  }

  /**
   * The inference output computed from the network input {@code x} through {@code stem}, the linear
   * 3x3 convolution (BN folded, no ReLU) whose output is this layer's input: where
   * {@link JavaStemComposition} runs and this layer is 16 channels into 16, 3x3, stride 1, padding
   * 1, with an output of one 16-channel block, the two are one 5x5 convolution of x
   * ({@link StemComposedConvolutionVertex}); elsewhere, or with {@code -D}{@value JavaStemComposition#PROPERTY}{@code =false},
   * this layer's ordinary pass over the stem's output. The two agree to rounding (about 1e-6 of the output's scale).
   *
   * @param x the network input, [N][C][H][W] (or [N][H][W][C] in a channels-last graph)
   * @param stemDeferred whether the stem's vertex computed nothing ({@link DeferredConvolutionVertex}): then
   *     this layer's input is a placeholder, and a pass the composed kernel does not take runs the stem first
   */
  public INDArray activateComposedWithStem(INDArray x, LinearConvolutionLayer stem, boolean stemDeferred,
      LayerWorkspaceMgr workspaceMgr) {
    if (!composable(x, stem)) {
      if (stemDeferred) {
        setInput(stemOutput(x, stem, workspaceMgr), workspaceMgr);
      }
      return forward(false, null, false, workspaceMgr);
    }
    INDArray weights = getParam(ConvolutionParamInitializer.WEIGHT_KEY);
    if (stemCompositionWeights == null) {
      stemCompositionWeights = new StemCompositionWeights();
    }
    stemCompositionWeights.update(stem.getParam(ConvolutionParamInitializer.WEIGHT_KEY), stem.inferenceFold(), weights,
        foldedBatchNorm.fold((LinearConvolution) layerConf(), layerId(), false));
    boolean channelsLast = channelsLast();
    long n = x.size(0);
    long h = x.size(channelsLast ? 1 : 2);
    long w = x.size(channelsLast ? 2 : 3);
    long c = layerConf().getNOut();
    long[] shape = channelsLast ? new long[] {n, h, w, c} : new long[] {n, c, h, w};
    INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, shape, 'c');
    JavaStemComposition.forward(x, channelsLast, (int) n, (int) h, (int) w, stemCompositionWeights,
        ((LinearConvolution) layerConf()).isFusedRelu(), out);
    return out;
  }

  /**
   * Whether {@link JavaStemComposition} takes this pass, decided from the network input {@code x}
   * alone (the stem's output may not exist): an inference layer of 16 channels into 16, 3x3, stride
   * 1, padding 1, whose output is one 16-channel block (NHWC, or blocked in this pass), after a stem
   * of x's channels.
   */
  private boolean composable(INDArray x, LinearConvolutionLayer stem) {
    var conf = (LinearConvolution) layerConf();
    long channels = stem.layerConf().getNIn();
    return JavaStemComposition.enabled() && DirectOneDnn.get() != null && plainFloatConvolution() && conf.plainThreeByThree()
        && conf.getNIn() == 16 && conf.getNOut() == 16 && (channelsLast() || blocked.outputInThisPass())
        && channels <= JavaStemComposition.MAX_CHANNELS && x.rank() == 4 && x.dataType() == DataType.FLOAT
        && HostFloats.isContiguous(x) && x.size(channelsLast() ? 3 : 1) == channels;
  }

  private boolean channelsLast() {
    return layerConf().getCnn2dDataFormat() == CNN2DFormat.NHWC;
  }

  /** The stem's inference output for the network input {@code x}, run by the stem's own layer (for passes no fused kernel takes). */
  private static INDArray stemOutput(INDArray x, LinearConvolutionLayer stem, LayerWorkspaceMgr workspaceMgr) {
    stem.setInput(x, workspaceMgr);
    return stem.activate(false, workspaceMgr);
  }

  /**
   * This layer's inference output plus the linear {@code stem}'s output for the network input
   * {@code x}, then the ReLU with {@code relu}: the first residual block's second convolution and
   * sum where the block's shortcut is the stem ({@link StemShortcutConvolutionVertex}, whose stem
   * vertex computes nothing). Where {@link JavaWinograd} runs this layer (and
   * {@code -D}{@value JavaWinograd#STEM_PROPERTY} is not {@code false}), its output transform computes
   * the stem's outputs from x ({@link JavaWinograd#forwardWithStem}); elsewhere the stem's layer runs
   * and its output is added as in {@link #activateWithResidual}. The two agree to rounding.
   *
   * @param x the network input, [N][C][H][W] (or [N][H][W][C] in a channels-last graph)
   */
  public INDArray activateWithStemShortcut(INDArray x, LinearConvolutionLayer stem, boolean relu, LayerWorkspaceMgr workspaceMgr) {
    if (((LinearConvolution) layerConf()).isFusedRelu()) {
      throw new IllegalStateException("layer " + layerId() + ": a ReLU before the residual sum cannot be fused with it");
    }
    INDArray weights = getParam(ConvolutionParamInitializer.WEIGHT_KEY);
    OneDnnConvolution convolution = input == null ? null : directConvolution(false, input, weights);
    if (convolution != null && javaWinograd(convolution.geometry()) && stemShortcutTakes(x, stem)) {
      var g = convolution.geometry();
      if (winogradWeights == null) {
        winogradWeights = new WinogradWeights();
      }
      winogradWeights.update(weights, foldedBatchNorm.fold((LinearConvolution) layerConf(), layerId(), false));
      if (stemShortcutWeights == null) {
        stemShortcutWeights = new StemShortcutWeights();
      }
      stemShortcutWeights.update(stem.getParam(ConvolutionParamInitializer.WEIGHT_KEY), stem.inferenceFold());
      INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, g.outputShape(), 'c');
      JavaWinograd.forwardWithStem(input, (int) g.batch(), (int) g.height(), (int) g.width(), winogradWeights, x,
          g.channelsLast(), stemShortcutWeights, relu, out);
      return out;
    }
    return activateWithResidual(stemOutput(x, stem, workspaceMgr), relu, workspaceMgr);
  }

  /**
   * Whether {@link JavaWinograd#forwardWithStem} can compute {@code stem} from {@code x}: a linear
   * 3x3, stride-1, padding-1 stem of at most {@link JavaStemComposition#MAX_CHANNELS} channels into
   * 16 (its BN, if any, folded), over a dense float x of its channels, with the switch on.
   */
  private static boolean stemShortcutTakes(INDArray x, LinearConvolutionLayer stem) {
    var conf = (LinearConvolution) stem.layerConf();
    boolean channelsLast = conf.getCnn2dDataFormat() == CNN2DFormat.NHWC;
    return JavaWinograd.stemEnabled() && stem.plainFloatConvolution() && conf.plainThreeByThree() && !conf.isFusedRelu()
        && conf.getNOut() == 16 && conf.getNIn() <= JavaStemComposition.MAX_CHANNELS
        && x.rank() == 4 && x.dataType() == DataType.FLOAT && HostFloats.isContiguous(x)
        && x.size(channelsLast ? 3 : 1) == conf.getNIn();
  }

  /**
   * The inference output of this layer, the closing 1x1 convolution of a bottleneck exit block, over
   * the block's {@code pointwise} and {@code strided} convolutions before it, computed from the
   * block's input {@code x}: where {@link JavaExitBlock} runs and the three are a 1x1 convolution of
   * 16 channels into 32, a 3x3, stride-2, padding-1 convolution of 32 into 32 and a 1x1 convolution
   * of 32 into 32, each with a folded BN and a ReLU, over blocked maps of even sides, the block is
   * computed image by image ({@link ExitBlockConvolutionVertex}); elsewhere, or with
   * {@code -D}{@value JavaExitBlock#PROPERTY}{@code =false}, the three layers' ordinary passes in
   * turn. The two agree to rounding.
   *
   * @param x the block's input
   */
  public INDArray activateAsExitBlock(INDArray x, LinearConvolutionLayer pointwise, LinearConvolutionLayer strided,
      LayerWorkspaceMgr workspaceMgr) {
    if (fusable(x, pointwise, strided)) {
      int height = (int) x.size(2);
      int width = (int) x.size(3);
      if (exitBlockWeights == null) {
        exitBlockWeights = new ExitBlockWeights();
      }
      exitBlockWeights.update(pointwise.getParam(ConvolutionParamInitializer.WEIGHT_KEY), pointwise.inferenceFold(),
          strided.getParam(ConvolutionParamInitializer.WEIGHT_KEY), strided.inferenceFold(),
          getParam(ConvolutionParamInitializer.WEIGHT_KEY), inferenceFold());
      INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT,
          new long[] {x.size(0), JavaExitBlock.OUT, height / 2, width / 2}, 'c');
      JavaExitBlock.forward(x, (int) x.size(0), height, width, exitBlockWeights, out);
      return out;
    }
    INDArray y = x;
    for (LinearConvolutionLayer layer : List.of(pointwise, strided, this)) {
      layer.setInput(y, workspaceMgr);
      y = layer.activate(false, workspaceMgr);
    }
    return y;
  }

  /**
   * Whether {@link JavaExitBlock} takes this pass: the three layers' geometry, folded BNs and ReLUs,
   * blocked maps in and out (one block of 16 channels in, two of 16 out), an input of even sides.
   */
  private boolean fusable(INDArray x, LinearConvolutionLayer pointwise, LinearConvolutionLayer strided) {
    List<LinearConvolutionLayer> layers = List.of(pointwise, strided, this);
    for (LinearConvolutionLayer layer : layers) {
      if (!layer.plainFloatConvolution() || ((LinearConvolution) layer.layerConf()).getCnn2dDataFormat() != CNN2DFormat.NCHW
          || !layer.blocked.inputInThisPass() || !layer.blocked.outputInThisPass() || layer.inferenceFold() == null) {
        return false;
      }
    }
    return JavaExitBlock.enabled() && DirectOneDnn.get() != null
        && geometry(pointwise, 1, 1, 0, JavaExitBlock.IN) && geometry(strided, 3, 2, 1, JavaExitBlock.OUT)
        && geometry(this, 1, 1, 0, JavaExitBlock.OUT)
        && x.rank() == 4 && x.size(1) == JavaExitBlock.IN && HostFloats.isContiguous(x)
        && JavaExitBlock.takes(x.size(2), x.size(3));
  }

  /** A plain square kernel of this size, stride and padding ({@link LinearConvolution#plain}), {@code in} channels into 32, a fused ReLU. */
  private static boolean geometry(LinearConvolutionLayer layer, int kernel, int stride, int pad, int in) {
    var c = (LinearConvolution) layer.layerConf();
    return c.plain(kernel, stride, pad) && c.getNIn() == in && c.getNOut() == JavaExitBlock.OUT && c.isFusedRelu();
  }

  /** The folded BN's live parameters in an inference pass, or null when this layer folds none. */
  BatchNormFold inferenceFold() {
    return foldedBatchNorm.fold((LinearConvolution) layerConf(), layerId(), false);
  }

  /** System property that, set to {@code false}, runs a fused residual sum as its own pass after the convolution (for comparisons). */
  public static final String RESIDUAL_FUSION_PROPERTY = "beed.residualFusion";

  /** Whether the residual read by {@link #activateWithResidual} is blocked in passes that use the layout. */
  private boolean residualBlocked;

  /** Sets whether the plan blocks the residual this layer adds ({@link ResidualConvolutionVertex}'s second input). */
  public void setResidualBlocked(boolean residualBlocked) {
    this.residualBlocked = residualBlocked;
  }

  /** The forward pass, plus {@code residual} (then the ReLU with {@code reluAfterSum}) when it is not null. */
  private INDArray forward(boolean training, INDArray residual, boolean reluAfterSum, LayerWorkspaceMgr workspaceMgr) {
    INDArray weights = getParam(ConvolutionParamInitializer.WEIGHT_KEY);
    BatchNormFold fold = foldedBatchNorm.fold((LinearConvolution) layerConf(), layerId(), training);
    OneDnnConvolution convolution = input == null ? null : directConvolution(training, input, weights);
    if (convolution != null) {
      var g = convolution.geometry();
      INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, g.outputShape(), 'c');
      if (javaWinograd(g)) {
        if (winogradWeights == null) {
          winogradWeights = new WinogradWeights();
        }
        winogradWeights.update(weights, fold);
        if (residual != null && !"false".equalsIgnoreCase(System.getProperty(RESIDUAL_FUSION_PROPERTY, "true"))) {
          checkResidual(out, residual);
          JavaWinograd.forward(input, (int) g.batch(), (int) g.height(), (int) g.width(), winogradWeights, residual,
              g.fusedRelu() || reluAfterSum, out);
          return out;
        }
        JavaWinograd.forward(input, (int) g.batch(), (int) g.height(), (int) g.width(), winogradWeights, g.fusedRelu(), out);
      } else {
        convolution.forward(input, weights, fold, out);
      }
      return withResidual(out, residual, reluAfterSum);
    }
    if (!training && fold == null && pointwiseOverOnePixel()) {
      return withResidual(pointwiseAsMatrixProduct(workspaceMgr), residual, reluAfterSum);
    }
    INDArray out = plainActivate(training, workspaceMgr);
    if (fold != null) {
      FoldedBatchNormLink.applyInPlace(out, fold, ((LinearConvolution) layerConf()).isFusedRelu(), layerConf().getCnn2dDataFormat());
    }
    return withResidual(out, residual, reluAfterSum);
  }

  /** {@code out} plus {@code residual} in place (then the ReLU with {@code relu}); {@code out} alone when the residual is null. */
  private INDArray withResidual(INDArray out, INDArray residual, boolean relu) {
    if (residual == null) {
      return out;
    }
    checkResidual(out, residual);
    SumVertex.add(out, residual, out, relu);
    return out;
  }

  private void checkResidual(INDArray out, INDArray residual) {
    if (!out.equalShapes(residual) || out.dataType() != residual.dataType()) {
      throw new IllegalStateException("layer " + layerId() + ": the residual " + residual.shapeInfoToString()
          + " does not match the output " + out.shapeInfoToString());
    }
  }

  /**
   * Whether this is a 1x1 convolution over 1x1 maps (squeeze-excitation's, which have a bias and so
   * do not take the direct path): a matrix product. libnd4j's convolution makes its oneDNN
   * primitives anew at every call, which took 7 % of EfficientNetB0's inference (bench/HISTORY.md,
   * "Fifteenth pass").
   */
  private boolean pointwiseOverOnePixel() {
    var conf = layerConf();
    int h = conf.getCnn2dDataFormat() == CNN2DFormat.NHWC ? 1 : 2;
    return plainFloatConvolution() && input != null && input.rank() == 4 && input.size(h) == 1 && input.size(h + 1) == 1
        && conf.getKernelSize()[0] == 1 && conf.getKernelSize()[1] == 1 && conf.getStride()[0] == 1 && conf.getStride()[1] == 1
        && conf.getPadding()[0] == 0 && conf.getPadding()[1] == 0;
  }

  /** An inference pass of {@link #pointwiseOverOnePixel()}: [N, in] times the weights' [out, in] transposed, plus the bias. */
  private INDArray pointwiseAsMatrixProduct(LayerWorkspaceMgr workspaceMgr) {
    var conf = layerConf();
    long n = input.size(0);
    long in = conf.getNIn();
    long outChannels = conf.getNOut();
    long[] shape = conf.getCnn2dDataFormat() == CNN2DFormat.NHWC ? new long[] {n, 1, 1, outChannels} : new long[] {n, outChannels, 1, 1};
    INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, shape, 'c');
    INDArray weights = getParam(ConvolutionParamInitializer.WEIGHT_KEY);
    INDArray bias = conf.hasBias() ? getParam(ConvolutionParamInitializer.BIAS_KEY) : null;
    if (!JavaPointwiseProduct.apply(input, weights, bias, out, n, in, outChannels)) {
      INDArray product = out.reshape('c', n, outChannels);  // a view: out is dense
      input.reshape('c', n, in).mmuli(weights.reshape('c', outChannels, in).transpose(), product);
      if (bias != null) {
        product.addiRowVector(bias.reshape(outChannels));
      }
    }
    return out;
  }

  /**
   * Forward straight through the oneDNN helper, for passes the direct convolution does not take.
   * DL4J's own forward first makes a permuted NCHW copy of an NHWC input (which the helper then
   * does not use) and adds an all-zero bias.
   */
  private INDArray plainActivate(boolean training, LayerWorkspaceMgr workspaceMgr) {
    if (!direct(input, null)) {
      return super.activate(training, workspaceMgr);
    }
    var conf = layerConf();
    INDArray bias = conf.hasBias() ? getParam(ConvolutionParamInitializer.BIAS_KEY) : null;
    INDArray out =
        helper.preOutput(
            input, getParam(ConvolutionParamInitializer.WEIGHT_KEY), bias, conf.getKernelSize(), conf.getStride(),
            conf.getPadding(), conf.getCudnnAlgoMode(), conf.getCudnnFwdAlgo(), conf.getConvolutionMode(),
            conf.getDilation(), conf.getCnn2dDataFormat(), workspaceMgr);
    return out != null ? out : super.activate(training, workspaceMgr);  // identity activation: z is the output
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
    var conf = layerConf();
    assertInputSet(true);
    boolean inputGradient = ((LinearConvolution) conf).isInputGradient();
    INDArray weights = getParam(ConvolutionParamInitializer.WEIGHT_KEY);
    INDArray weightGradView = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
    OneDnnConvolution convolution = directConvolution(true, input, weights, epsilon, weightGradView);
    if (convolution != null) {
      INDArray dx = inputGradient
          ? workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, input.shape(), 'c')
          : null;
      convolution.backward(input, weights, epsilon, dx, weightGradView);
      Gradient gradient = new DefaultGradient();
      gradient.setGradientFor(ConvolutionParamInitializer.WEIGHT_KEY, weightGradView, 'c');
      return new Pair<>(gradient, dx);  // dx null for the stem: the graph discards the data's gradient
    }
    if (!direct(input, epsilon) || conf.getCnn2dDataFormat() != CNN2DFormat.NCHW) {
      return super.backpropGradient(epsilon, workspaceMgr);
    }
    if (transposedConvolutionFits(epsilon) && (!inputGradient || winogradIsSlow())) {
      // Both gradients by transposed convolutions, with oneDNN's direct algorithm (see the methods).
      INDArray dx = inputGradient ? inputGradientByTransposedConvolution(epsilon, workspaceMgr) : null;
      weightGradientByTransposedConvolution(epsilon, workspaceMgr);
      Gradient gradient = new DefaultGradient();
      gradient.setGradientFor(
          ConvolutionParamInitializer.WEIGHT_KEY, gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY), 'c');
      return new Pair<>(gradient, dx);  // dx null for the stem: the graph discards the data's gradient
    }
    INDArray bias = conf.hasBias() ? getParam(ConvolutionParamInitializer.BIAS_KEY) : null;
    INDArray biasGradView = conf.hasBias() ? gradientViews.get(ConvolutionParamInitializer.BIAS_KEY) : null;
    Pair<Gradient, INDArray> result =
        helper.backpropGradient(
            input, weights, bias, epsilon, conf.getKernelSize(), conf.getStride(), conf.getPadding(),
            biasGradView, weightGradView, conf.getActivationFn(), conf.getCudnnAlgoMode(),
            conf.getCudnnBwdFilterAlgo(), conf.getCudnnBwdDataAlgo(), conf.getConvolutionMode(),
            conf.getDilation(), conf.getCnn2dDataFormat(), workspaceMgr);
    // The helper declines (null) only for dtypes it cannot run; DL4J's own path handles those.
    return result != null ? result : super.backpropGradient(epsilon, workspaceMgr);
  }

  /**
   * Whether the transposed convolution of this layer's output error has exactly the input's shape
   * (stride 1 with "same" padding, or a stride that tiles the input), with no bias or dilation.
   */
  private boolean transposedConvolutionFits(INDArray epsilon) {
    var conf = layerConf();
    int[] kernel = conf.getKernelSize();
    int[] stride = conf.getStride();
    int[] pad = conf.getPadding();
    int[] dilation = conf.getDilation();
    if (conf.hasBias() || dilation[0] != 1 || dilation[1] != 1) {
      return false;
    }
    for (int d = 0; d < 2; d++) {
      if (stride[d] * (epsilon.size(2 + d) - 1) + kernel[d] - 2L * pad[d] != input.size(2 + d)) {
        return false;
      }
    }
    return true;
  }

  /** At most this many channels in and out, and at least this many pixels, for {@link #winogradIsSlow}. */
  private static final int NARROW_CHANNELS = 16;

  private static final long WIDE_MAP_PIXELS = 32 * 32;

  /**
   * libnd4j's {@code conv2d_bp} lets oneDNN pick its algorithm, and for 3x3 stride-1 kernels that
   * is Winograd. On narrow layers over large maps Winograd is far slower than the direct
   * algorithm: 16 to 16 channels over 32x32, batch 128, takes 23.8 ms in {@code conv2d_bp} and
   * 10.1 ms as the two transposed convolutions below; at 24 or more channels, or 16x16 maps,
   * Winograd wins (bench/HISTORY.md). A fixed rule rather than a timing at run time, so that runs
   * stay bit-reproducible.
   */
  private boolean winogradIsSlow() {
    var conf = layerConf();
    return winogradIsSlow(conf.getKernelSize(), conf.getStride(), conf.getNIn(), conf.getNOut(), input.size(2) * input.size(3));
  }

  static boolean winogradIsSlow(int[] kernel, int[] stride, long channelsIn, long channelsOut, long pixels) {
    return kernel[0] == 3 && kernel[1] == 3 && stride[0] == 1 && stride[1] == 1
        && channelsIn <= NARROW_CHANNELS && channelsOut <= NARROW_CHANNELS && pixels >= WIDE_MAP_PIXELS;
  }

  /**
   * dLoss/dInput as the transposed convolution of the output error with the same weights
   * (libnd4j's {@code deconv2d}, which runs oneDNN's direct algorithm).
   */
  private INDArray inputGradientByTransposedConvolution(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
    INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, input.shape(), 'c');
    runTransposedConvolution("deconv2d", new INDArray[] {epsilon, getParam(ConvolutionParamInitializer.WEIGHT_KEY)},
        new INDArray[] {dx});
    return dx;
  }

  /**
   * dLoss/dWeights into the gradient view, without the input gradient that {@code conv2d_bp}
   * always computes (by Winograd for 3x3 kernels: 85 % of the stem's backward time). A
   * convolution's weight gradient is the weight gradient of the transposed convolution that maps
   * its output error back onto its input, which libnd4j's {@code deconv2d_bp} computes with
   * oneDNN's direct algorithm (its other output, a forward convolution of the input, is dropped).
   */
  private void weightGradientByTransposedConvolution(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
    INDArray dropped = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, DataType.FLOAT, epsilon.shape(), 'c');
    runTransposedConvolution("deconv2d_bp",
        new INDArray[] {epsilon, getParam(ConvolutionParamInitializer.WEIGHT_KEY), input},
        new INDArray[] {dropped, gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY)});
  }

  /** Runs a libnd4j transposed-convolution op with this layer's kernel, stride and padding. */
  private void runTransposedConvolution(String op, INDArray[] inputs, INDArray[] outputs) {
    var conf = layerConf();
    int[] kernel = conf.getKernelSize();
    int[] stride = conf.getStride();
    int[] pad = conf.getPadding();
    Nd4j.exec(
        DynamicCustomOp.builder(op)
            .addInputs(inputs)
            .addOutputs(outputs)
            // kH, kW, sH, sW, pH, pW, dH, dW, same mode off, NCHW, weights [iC, oC, kH, kW] of the transposed conv
            .addIntegerArguments(kernel[0], kernel[1], stride[0], stride[1], pad[0], pad[1], 1, 1, 0, 0, 1)
            .build());
  }
}
