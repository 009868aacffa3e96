package io.github.beedjava.engine.onednn;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;

import io.github.beedjava.engine.layers.BatchNormFold;
import io.github.beedjava.engine.layers.LinearConvolutionLayer;
import io.github.beedjava.engine.layout.BlockedActivations;
import io.github.beedjava.engine.onednn.OneDnnScratch.Slot;
import org.bytedeco.dnnl.IntMemoryMap;
import io.github.beedjava.engine.simd.HostFloats;
import org.bytedeco.dnnl.convolution_backward_data;
import org.bytedeco.dnnl.convolution_backward_weights;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.global.dnnl.prop_kind;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One convolution geometry run by oneDNN directly: the primitives are created once and reused,
 * the operands are read from and written to the ND4J arrays in place, and the copies in oneDNN's
 * preferred layouts go to the shared {@link OneDnnScratch} buffers. Numerically it is the same
 * computation as libnd4j's {@code conv2d} / {@code conv2d_bp} (tests compare the two).
 */
public final class OneDnnConvolution {

  /**
   * Everything a set of primitives depends on.
   *
   * @param channelsLast NHWC data (the inference graph) instead of NCHW; forward only
   * @param training whether backward will follow (a forward-training primitive)
   * @param inputGradient whether backward computes dLoss/dInput (false for the stem)
   * @param directBackward oneDNN's direct algorithm for backward instead of its own choice (Winograd
   *     for 3x3), see {@link LinearConvolutionLayer#winogradIsSlow}
   * @param winogradForward an inference forward by Winograd in oneDNN's blocked layout (its operands
   *     are copied into it) instead of the direct algorithm, see {@link LinearConvolutionLayer#winogradForward}
   * @param foldedBatchNorm inference only: a {@link BatchNormFold} is applied (folded weights and a bias)
   * @param fusedRelu inference only: max(0, .) of the result, as a oneDNN post-op
   * @param blockedInput the input (and its gradient) in oneDNN's blocked layout ({@link BlockedActivations})
   * @param blockedOutput the output (and its error) in that layout
   * @param depthwise one group per input channel (a depthwise convolution, {@code channelsOut} a
   *     multiple of {@code channelsIn}); its weights in DL4J's depthwise layout [kH, kW, in, out / in]
   */
  public record Geometry(
      long batch, long channelsIn, long height, long width, long channelsOut, int kernelH, int kernelW,
      int strideH, int strideW, int padH, int padW, boolean channelsLast, boolean training,
      boolean inputGradient, boolean directBackward, boolean winogradForward, boolean foldedBatchNorm,
      boolean fusedRelu, boolean blockedInput, boolean blockedOutput, boolean depthwise) {

    /** Checks the combinations the primitives are not built for. */
    public Geometry {
      if (depthwise && (channelsOut % channelsIn != 0 || winogradForward)) {
        throw new IllegalArgumentException("OneDnnConvolution: a depthwise geometry needs output channels that are a "
            + "multiple of the input's, and no Winograd; got " + channelsIn + " in, " + channelsOut + " out");
      }
    }

    /** A geometry with NCHW input and output. */
    public Geometry(
        long batch, long channelsIn, long height, long width, long channelsOut, int kernelH, int kernelW,
        int strideH, int strideW, int padH, int padW, boolean channelsLast, boolean training,
        boolean inputGradient, boolean directBackward, boolean winogradForward, boolean foldedBatchNorm,
        boolean fusedRelu) {
      this(batch, channelsIn, height, width, channelsOut, kernelH, kernelW, strideH, strideW, padH, padW, channelsLast,
          training, inputGradient, directBackward, winogradForward, foldedBatchNorm, fusedRelu, false, false, false);
    }

    /** A depthwise geometry: NCHW (NHWC with {@code channelsLast}), direct algorithm. */
    public static Geometry depthwise(long batch, long channelsIn, long height, long width, long channelsOut, int kernelH,
        int kernelW, int strideH, int strideW, int padH, int padW, boolean channelsLast, boolean training,
        boolean inputGradient) {
      return depthwise(batch, channelsIn, height, width, channelsOut, kernelH, kernelW, strideH, strideW, padH, padW,
          channelsLast, training, inputGradient, false, false);
    }

    /** A depthwise geometry that may apply a folded BN and a ReLU after it (inference only). */
    public static Geometry depthwise(long batch, long channelsIn, long height, long width, long channelsOut, int kernelH,
        int kernelW, int strideH, int strideW, int padH, int padW, boolean channelsLast, boolean training,
        boolean inputGradient, boolean foldedBatchNorm, boolean fusedRelu) {
      return new Geometry(batch, channelsIn, height, width, channelsOut, kernelH, kernelW, strideH, strideW, padH, padW,
          channelsLast, training, inputGradient, false, false, foldedBatchNorm, fusedRelu, false, false, true);
    }

    /** The weights' dimensions as oneDNN sees them: [out, in, kH, kW], or [groups, out / group, 1, kH, kW]. */
    long[] weightDims() {
      return depthwise
          ? new long[] {channelsIn, channelsOut / channelsIn, 1, kernelH, kernelW}
          : new long[] {channelsOut, channelsIn, kernelH, kernelW};
    }

    /** The same geometry with the given layouts of input and output. */
    public Geometry withBlockedLayout(boolean input, boolean output) {
      if ((input && channelsIn % BlockedActivations.BLOCK != 0) || (output && channelsOut % BlockedActivations.BLOCK != 0)
          || ((input || output) && channelsLast)) {
        throw new IllegalArgumentException("OneDnnConvolution: the blocked layout needs NCHW maps with multiples of "
            + BlockedActivations.BLOCK + " channels, got " + channelsIn + " in, " + channelsOut + " out");
      }
      return new Geometry(batch, channelsIn, height, width, channelsOut, kernelH, kernelW, strideH, strideW, padH, padW,
          channelsLast, training, inputGradient, directBackward, winogradForward, foldedBatchNorm, fusedRelu, input, output,
          depthwise);
    }

    /** The same geometry with the direct forward algorithm. */
    public Geometry withoutWinograd() {
      return new Geometry(batch, channelsIn, height, width, channelsOut, kernelH, kernelW, strideH, strideW, padH, padW,
          channelsLast, training, inputGradient, directBackward, false, foldedBatchNorm, fusedRelu, blockedInput,
          blockedOutput, depthwise);
    }

    long outHeight() {
      return (height + 2L * padH - kernelH) / strideH + 1;
    }

    long outWidth() {
      return (width + 2L * padW - kernelW) / strideW + 1;
    }

    long[] inputShape() {
      return channelsLast ? new long[] {batch, height, width, channelsIn} : new long[] {batch, channelsIn, height, width};
    }

    /** The output shape [N, C, H, W] of this geometry. */
    public long[] outputShape() {
      return channelsLast
          ? new long[] {batch, outHeight(), outWidth(), channelsOut}
          : new long[] {batch, channelsOut, outHeight(), outWidth()};
    }
  }

  private final Geometry geometry;
  private final DirectOneDnn dnn;

  private final convolution_forward forward;
  private final Operand fwdSource;
  private final Operand fwdWeights;  // training; inference reads the kept copy in inferenceWeights
  private final InferenceWeights inferenceWeights;
  private final memory.desc plainWeights;
  private final memory.desc primitiveWeights;
  private final Operand fwdDestination;
  private final IntMemoryMap fwdArgs = new IntMemoryMap();

  private final convolution_backward_data backwardData;  // null without an input gradient
  private Operand bwdDataError;
  private Operand bwdDataWeights;
  private Operand bwdDataSourceGradient;
  private final IntMemoryMap bwdDataArgs = new IntMemoryMap();

  private final convolution_backward_weights backwardWeights;  // null for inference
  private Operand bwdWeightsSource;
  private Operand bwdWeightsError;
  private Operand bwdWeightsGradient;
  private final IntMemoryMap bwdWeightsArgs = new IntMemoryMap();

  /** A convolution whose inference weights are kept by this object alone. */
  public OneDnnConvolution(Geometry g, DirectOneDnn dnn) {
    this(g, dnn, new InferenceWeights(dnn));
  }

  /**
   * A convolution; an inference geometry reads its weights through {@code inferenceWeights}, which
   * the geometries of one layer share (one kept copy per layer, not per batch size).
   *
   * @throws RuntimeException from oneDNN when it has no kernel for the geometry (Winograd on a CPU
   *     without AVX-512, or for a kernel or stride it does not cover)
   */
  public OneDnnConvolution(Geometry g, DirectOneDnn dnn, InferenceWeights inferenceWeights) {
    this.geometry = g;
    this.dnn = dnn;
    this.inferenceWeights = inferenceWeights;
    if (g.training() && (g.foldedBatchNorm() || g.fusedRelu())) {
      throw new IllegalArgumentException("OneDnnConvolution: a folded BN or fused ReLU is built for inference only");
    }
    memory.format_tag dataTag = g.channelsLast() ? memory.format_tag.nhwc : memory.format_tag.nchw;
    // The arrays' own layouts; where one equals what the primitive picked, it reads or writes it directly.
    // One block of channels on both sides is NHWC byte for byte, and so described where that is faster.
    memory.format_tag blockedMaps = singleBlockAsChannelsLast(g) ? memory.format_tag.nhwc : blockedTag();
    memory.format_tag inputTag = g.blockedInput() ? blockedMaps : dataTag;
    memory.format_tag outputTag = g.blockedOutput() ? blockedMaps : dataTag;
    // NCHW, and Winograd: oneDNN picks its blocked layout and we reorder; NHWC: oneDNN's NHWC kernels, no copies.
    memory.format_tag chosen = g.channelsLast() && !g.winogradForward() ? memory.format_tag.nhwc : memory.format_tag.any;
    // A blocked map is read and written as it is: left to choose, oneDNN's inference kernels take NHWC.
    memory.format_tag sourceChosen = g.blockedInput() ? blockedMaps : chosen;
    memory.format_tag destinationChosen = g.blockedOutput() ? blockedMaps : chosen;
    long[] x = {g.batch(), g.channelsIn(), g.height(), g.width()};
    long[] w = g.weightDims();
    long[] y = {g.batch(), g.channelsOut(), g.outHeight(), g.outWidth()};
    long[] strides = {g.strideH(), g.strideW()};
    long[] padding = {g.padH(), g.padW()};

    prop_kind kind = g.training() ? prop_kind.forward_training : prop_kind.forward_inference;
    algorithm forwardAlgorithm = g.winogradForward() ? algorithm.convolution_winograd : algorithm.convolution_direct;
    var fwdDesc = g.foldedBatchNorm()
        ? new convolution_forward.desc(kind, forwardAlgorithm, desc(x, sourceChosen), desc(w, memory.format_tag.any),
            desc(new long[] {g.channelsOut()}, memory.format_tag.x), desc(y, destinationChosen), strides, padding, padding)
        : new convolution_forward.desc(kind, forwardAlgorithm, desc(x, sourceChosen), desc(w, memory.format_tag.any),
            desc(y, destinationChosen), strides, padding, padding);
    primitive_attr attributes = new primitive_attr();
    if (g.fusedRelu()) {
      post_ops relu = new post_ops();
      relu.append_eltwise(1.0f, algorithm.eltwise_relu, 0.0f, 0.0f);
      attributes.set_post_ops(relu);
    }
    var fwdPd = new convolution_forward.primitive_desc(fwdDesc, attributes, dnn.engine());
    forward = new convolution_forward(fwdPd);
    fwdSource = argument(fwdArgs, DNNL_ARG_SRC, new Operand(desc(x, inputTag), fwdPd.src_desc(), Slot.SOURCE, true));
    plainWeights = userWeights(g);
    primitiveWeights = fwdPd.weights_desc();
    fwdWeights = g.training()
        ? argument(fwdArgs, DNNL_ARG_WEIGHTS, new Operand(plainWeights, primitiveWeights, Slot.WEIGHTS, true))
        : null;
    fwdDestination = argument(fwdArgs, DNNL_ARG_DST,
        new Operand(desc(y, outputTag), fwdPd.dst_desc(), Slot.DESTINATION, false));

    if (!g.training()) {
      backwardData = null;
      backwardWeights = null;
      return;
    }
    if (g.channelsLast()) {
      // oneDNN 2.5 has only its reference kernels for NHWC f32 backward: 10.7 s vs 13 ms per call (bench/HISTORY.md)
      throw new IllegalArgumentException("OneDnnConvolution: backward is built for NCHW data only, got NHWC");
    }
    algorithm backwardAlgorithm = g.directBackward() ? algorithm.convolution_direct : algorithm.convolution_auto;
    memory.format_tag any = memory.format_tag.any;
    if (g.inputGradient()) {
      var dataPd = new convolution_backward_data.primitive_desc(
          new convolution_backward_data.desc(backwardAlgorithm, desc(x, any), desc(w, any), desc(y, any), strides, padding, padding),
          dnn.engine(), fwdPd);
      backwardData = new convolution_backward_data(dataPd);
      bwdDataError = argument(bwdDataArgs, DNNL_ARG_DIFF_DST,
          new Operand(desc(y, outputTag), dataPd.diff_dst_desc(), Slot.DESTINATION, true));
      bwdDataWeights = argument(bwdDataArgs, DNNL_ARG_WEIGHTS,
          new Operand(userWeights(g), dataPd.weights_desc(), Slot.WEIGHTS, true));
      bwdDataSourceGradient = argument(bwdDataArgs, DNNL_ARG_DIFF_SRC,
          new Operand(desc(x, inputTag), dataPd.diff_src_desc(), Slot.SOURCE_GRADIENT, false));
    } else {
      backwardData = null;
    }
    var weightsPd = new convolution_backward_weights.primitive_desc(
        new convolution_backward_weights.desc(backwardAlgorithm, desc(x, any), desc(w, any), desc(y, any), strides, padding, padding),
        dnn.engine(), fwdPd);
    backwardWeights = new convolution_backward_weights(weightsPd);
    bwdWeightsSource = argument(bwdWeightsArgs, DNNL_ARG_SRC,
        new Operand(desc(x, inputTag), weightsPd.src_desc(), Slot.SOURCE, true));
    bwdWeightsError = argument(bwdWeightsArgs, DNNL_ARG_DIFF_DST,
        new Operand(desc(y, outputTag), weightsPd.diff_dst_desc(), Slot.DESTINATION, true));
    bwdWeightsGradient = argument(bwdWeightsArgs, DNNL_ARG_DIFF_WEIGHTS,
        new Operand(userWeights(g), weightsPd.diff_weights_desc(), Slot.WEIGHTS_GRADIENT, false));
  }

  /** The geometry the primitives were created for. */
  public Geometry geometry() {
    return geometry;
  }

  /** y = conv(x, w); y must be a dense array of {@link Geometry#outputShape()}. */
  public void forward(INDArray x, INDArray w, INDArray y) {
    forward(x, w, null, y);
  }

  /**
   * y = conv(x, w), then the folded BN and the ReLU of an inference geometry that has them.
   *
   * @param fold the BN's parameters; required exactly when the geometry has a folded BN
   */
  public void forward(INDArray x, INDArray w, BatchNormFold fold, INDArray y) {
    if ((fold != null) != geometry.foldedBatchNorm()) {
      throw new IllegalArgumentException("OneDnnConvolution: this geometry " + (geometry.foldedBatchNorm() ? "needs" : "has no")
          + " folded batch norm");
    }
    checkDense("input", x, geometry.inputShape());
    checkDense("output", y, geometry.outputShape());
    var stream = dnn.stream();
    OneDnnScratch scratch = OneDnnScratch.get();
    fwdSource.read(x, scratch, stream);
    if (fwdWeights != null) {
      fwdWeights.read(w, scratch, stream);
    } else {
      fwdArgs.put(DNNL_ARG_WEIGHTS, inferenceWeights.of(w, fold, geometry.depthwise(), plainWeights, primitiveWeights, stream));
      if (fold != null) {
        fwdArgs.put(DNNL_ARG_BIAS, inferenceWeights.bias());
      }
    }
    fwdDestination.bind(y, scratch);
    forward.execute(stream, fwdArgs);
    fwdDestination.write(stream);
    stream._wait();
    HostFloats.keepAlive(x, w, y);  // oneDNN had raw addresses only
  }

  /**
   * Writes dLoss/dInput into {@code inputGradient} (skipped when the geometry has no input
   * gradient; pass null then) and dLoss/dWeights into {@code weightGradient}, overwriting both.
   */
  public void backward(INDArray x, INDArray w, INDArray outputError, INDArray inputGradient, INDArray weightGradient) {
    if (backwardWeights == null) {
      throw new IllegalStateException("OneDnnConvolution: built for inference, no backward pass");
    }
    checkDense("input", x, geometry.inputShape());
    checkDense("output error", outputError, geometry.outputShape());
    var stream = dnn.stream();
    OneDnnScratch scratch = OneDnnScratch.get();
    boolean errorReordered = false;
    if (backwardData != null) {
      checkDense("input gradient", inputGradient, geometry.inputShape());
      bwdDataError.read(outputError, scratch, stream);
      bwdDataWeights.read(w, scratch, stream);
      bwdDataSourceGradient.bind(inputGradient, scratch);
      backwardData.execute(stream, bwdDataArgs);
      bwdDataSourceGradient.write(stream);
      errorReordered = true;
    }
    bwdWeightsSource.read(x, scratch, stream);
    if (errorReordered && bwdWeightsError.sameLayoutAs(bwdDataError)) {
      bwdWeightsError.bind(outputError, scratch);  // the copy made for the data gradient is still in the slot
    } else {
      bwdWeightsError.read(outputError, scratch, stream);
    }
    bwdWeightsGradient.bind(weightGradient, scratch);
    backwardWeights.execute(stream, bwdWeightsArgs);
    bwdWeightsGradient.write(stream);
    stream._wait();
    HostFloats.keepAlive(x, w, outputError, inputGradient, weightGradient);  // oneDNN had raw addresses only
  }


  /** Registers {@code operand} as argument {@code argument} of a primitive and returns it. */
  private static Operand argument(IntMemoryMap args, int argument, Operand operand) {
    args.put(argument, operand.used());
    return operand;
  }

  /** A JavaCPP pointer at a raw address (ND4J buffers and scratch buffers are not JavaCPP-owned here). */
  static Pointer at(long rawAddress) {
    return new Pointer() {
      {
        address = rawAddress;  // (a parameter named "address" would be shadowed by Pointer's field here)
      }
    };
  }

  /**
   * Whether a blocked inference geometry with one block of channels in and out (16 to 16 with
   * AVX-512) is described to oneDNN as NHWC, which those bytes equally are: oneDNN 2.5 then runs its
   * brgemm kernel instead of the blocked direct one, 0.90 of the time for ResNet18's 16-channel 3x3
   * layers over 32x32 maps (bench/HISTORY.md, "Thirteenth pass"). Not with 8-channel blocks, whose
   * CPUs were not measured, nor Winograd, whose kernels want the blocked layout, nor in training.
   */
  static boolean singleBlockAsChannelsLast(Geometry g) {
    return !g.training() && !g.winogradForward() && !g.depthwise() && BlockedActivations.BLOCK == 16
        && g.blockedInput() && g.blockedOutput()
        && g.channelsIn() == BlockedActivations.BLOCK && g.channelsOut() == BlockedActivations.BLOCK;
  }

  /** oneDNN's tag of {@link BlockedActivations}' layout: {@code nChw16c} with AVX-512, {@code nChw8c} with AVX2. */
  private static memory.format_tag blockedTag() {
    return BlockedActivations.BLOCK == 16 ? memory.format_tag.nChw16c : memory.format_tag.nChw8c;
  }

  /**
   * Whether a pass over these arrays is one the primitives here are built for: every array dense
   * ({@link #dense}), and NCHW unless it is an inference pass.
   */
  public static boolean takes(boolean channelsLast, boolean training, INDArray... arrays) {
    for (INDArray a : arrays) {
      if (!dense(a)) {
        return false;
      }
    }
    return !(channelsLast && training);
  }

  /** Whether {@code a} is float data laid out densely in C order, as the plain oneDNN formats here assume. */
  public static boolean dense(INDArray a) {
    return HostFloats.isContiguous(a);
  }

  private static void checkDense(String what, INDArray a, long[] shape) {
    if (!dense(a) || !java.util.Arrays.equals(a.shape(), shape)) {
      throw new IllegalArgumentException("OneDnnConvolution: " + what + " must be a dense C-order float array of shape "
          + java.util.Arrays.toString(shape) + ", got " + (a == null ? "null" : a.shapeInfoToString()));
    }
  }

  /** Address of the array's first element: ND4J's {@code addressPointer()} already includes a view's offset. */
  static long address(INDArray a) {
    return a.data().addressPointer().address();
  }

  private static memory.desc desc(long[] dims, memory.format_tag tag) {
    return new memory.desc(dims, memory.data_type.f32, tag);
  }

  /**
   * The layout of the weights (and their gradient) in the ND4J array: DL4J's [out, in, kH, kW], or
   * for a depthwise convolution DL4J's [kH, kW, in, multiplier], which oneDNN reads through strides
   * as [groups = in, multiplier, 1, kH, kW].
   */
  private static memory.desc userWeights(Geometry g) {
    if (!g.depthwise()) {
      return desc(g.weightDims(), memory.format_tag.oihw);
    }
    long multiplier = g.channelsOut() / g.channelsIn();
    long perTap = g.channelsIn() * multiplier;
    long[] strides = {multiplier, 1, perTap, g.kernelW() * perTap, perTap};
    return new memory.desc(g.weightDims(), memory.data_type.f32, strides);
  }

  /**
   * One operand: the ND4J array in its plain layout, and, when the primitive wants another layout,
   * a copy in a scratch slot with the reorder between the two.
   */
  private final class Operand {
    private final memory user;
    private final memory internal;  // null when the primitive reads the plain layout itself
    private final reorder reorderOp;
    private final memory.desc internalDesc;
    private final Slot slot;
    private final boolean input;

    Operand(memory.desc userDesc, memory.desc primitiveDesc, Slot slot, boolean input) {
      this.user = new memory(userDesc, dnn.engine(), (Pointer) null);
      this.slot = slot;
      this.input = input;
      this.internalDesc = primitiveDesc;
      if (primitiveDesc.equals(userDesc)) {
        internal = null;
        reorderOp = null;
      } else {
        internal = new memory(primitiveDesc, dnn.engine(), (Pointer) null);
        reorderOp = input ? new reorder(user, internal) : new reorder(internal, user);
      }
    }

    /** The memory the primitive reads or writes. */
    memory used() {
      return internal != null ? internal : user;
    }

    boolean sameLayoutAs(Operand other) {
      return internalDesc.equals(other.internalDesc) && slot == other.slot;
    }

    /** Points at {@code a} and, for an input in another layout, copies it into the scratch slot. */
    void read(INDArray a, OneDnnScratch scratch, org.bytedeco.dnnl.stream stream) {
      bind(a, scratch);
      if (internal != null) {
        reorderOp.execute(stream, user, internal);
      }
    }

    /** Points at {@code a} and the scratch slot without copying. */
    void bind(INDArray a, OneDnnScratch scratch) {
      user.set_data_handle(at(address(a)));
      if (internal != null) {
        internal.set_data_handle(scratch.borrow(slot, internalDesc.get_size()));
      }
    }

    /** For an output in another layout, copies the scratch slot back into the array. */
    void write(org.bytedeco.dnnl.stream stream) {
      if (internal != null && !input) {
        reorderOp.execute(stream, internal, user);
      }
    }
  }
}
