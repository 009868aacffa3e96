package io.github.beedjava.model;

import io.github.beedjava.engine.layers.ChannelScaleVertex;
import io.github.beedjava.engine.layers.DirectDepthwiseConvolution;
import io.github.beedjava.engine.layers.GlobalAveragePooling;
import io.github.beedjava.engine.layers.LinearConvolution;
import io.github.beedjava.engine.layers.SinglePassRelu;
import io.github.beedjava.engine.layers.SinglePassSwish;
import io.github.beedjava.engine.layers.StableSwish;
import io.github.beedjava.engine.layers.SumVertex;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * Builds a DL4J {@link ComputationGraphConfiguration} one PyTorch-like module at a time, tracking
 * shapes, parameter counts, multiply-accumulates and the edges of the graph (for per-classifier
 * costs). Layer names are PyTorch module names so that state dicts map one to one.
 */
public final class GraphAssembler {
  /** Swish with a gradient that stays finite in float32 (ND4J's own returns NaN above x ≈ 44). */
  public static final org.nd4j.linalg.activations.IActivation SWISH = new StableSwish();

  /** The graph's input vertex. */
  public static final String INPUT = "input";

  private final GraphBuilder graph;
  private final Map<String, FeatureShape> shapes = new HashMap<>();
  private final Map<String, List<String>> inputsOf = new HashMap<>();
  private final Map<String, LayerCost> costs = new LinkedHashMap<>();
  private final Map<String, Integer> batchNormSpatial = new LinkedHashMap<>();

  /** Starts a graph for a config's input shape, data type and seed. */
  public GraphAssembler(ModelConfig config) {
    graph =
        new NeuralNetConfiguration.Builder()
            .dataType(config.dataType())
            .seed(config.seed())
            // Parameters are overwritten by PyTorchInit; the updater is never used (PyTorchSgd).
            .weightInit(WeightInit.ZERO)
            .updater(new NoOp())
            .convolutionMode(ConvolutionMode.Truncate)
            .trainingWorkspaceMode(WorkspaceMode.ENABLED)
            .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
            .graphBuilder()
            .addInputs(INPUT)
            .setInputTypes(
                InputType.convolutional(config.inputSize(), config.inputSize(), config.inputChannels()));
    shapes.put(INPUT, new FeatureShape(config.inputChannels(), config.inputSize(), config.inputSize()));
  }

  /** The output shape of a vertex added so far. */
  public FeatureShape shape(String vertex) {
    FeatureShape s = shapes.get(vertex);
    if (s == null) {
      throw new IllegalStateException("no vertex named " + vertex);
    }
    return s;
  }

  /** Square convolution without groups; PyTorch {@code Conv2d(cin, cout, k, stride, pad, bias)}. */
  public String conv(String name, String in, int cout, int kernel, int stride, int padding, boolean bias) {
    FeatureShape s = shape(in);
    int h = (s.height() + 2 * padding - kernel) / stride + 1;
    int w = (s.width() + 2 * padding - kernel) / stride + 1;
    graph.addLayer(
        name,
        new LinearConvolution(
            new ConvolutionLayer.Builder(kernel, kernel)
                .stride(stride, stride)
                .padding(padding, padding)
                .nIn(s.channels())
                .nOut(cout)
                .hasBias(bias)
                .activation(Activation.IDENTITY)),
        in);
    long params = (long) cout * s.channels() * kernel * kernel + (bias ? cout : 0);
    long macs = (long) cout * h * w * s.channels() * kernel * kernel;
    return record(name, in, new FeatureShape(cout, h, w), params, macs);
  }

  /** Depthwise convolution, PyTorch {@code Conv2d(c, c, k, stride, pad, groups=c, bias=False)}. */
  public String depthwiseConv(String name, String in, int kernel, int stride, int padding) {
    FeatureShape s = shape(in);
    int h = (s.height() + 2 * padding - kernel) / stride + 1;
    int w = (s.width() + 2 * padding - kernel) / stride + 1;
    graph.addLayer(
        name,
        new DirectDepthwiseConvolution(new org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D.Builder(kernel, kernel)
            .stride(stride, stride)
            .padding(padding, padding)
            .depthMultiplier(1)
            .nIn(s.channels())
            .nOut(s.channels())
            .hasBias(false)
            .activation(Activation.IDENTITY)),
        in);
    long params = (long) s.channels() * kernel * kernel;
    long macs = (long) s.channels() * h * w * kernel * kernel;
    return record(name, in, new FeatureShape(s.channels(), h, w), params, macs);
  }

  /** PyTorch {@code BatchNorm2d(c)}: eps 1e-5, momentum 0.1 (DL4J decay 0.9), variance stored as is. */
  public String batchNorm(String name, String in) {
    FeatureShape s = shape(in);
    graph.addLayer(
        name,
        new BatchNormalization.Builder()
            .nIn(s.channels())
            .nOut(s.channels())
            .eps(1e-5)
            .decay(0.9)
            .useLogStd(false)
            .build(),
        in);
    batchNormSpatial.put(name, s.height() * s.width());
    return record(name, in, s, 2L * s.channels(), 0);
  }

  /** PyTorch {@code ReLU(inplace=True)}. */
  public String relu(String name, String in) {
    graph.addLayer(name, new SinglePassRelu(), in);
    return record(name, in, shape(in), 0, 0, shape(in).size());
  }

  /** An identity copy, used to expose an internal map as a graph output. */
  public String identity(String name, String in) {
    graph.addLayer(name, new ActivationLayer.Builder().activation(Activation.IDENTITY).build(), in);
    return record(name, in, shape(in), 0, 0);
  }

  /** The element-wise sum of two maps of one shape (a residual connection). */
  public String add(String name, String a, String b) {
    graph.addVertex(name, new SumVertex(), a, b);
    shapes.put(name, shape(a));
    inputsOf.put(name, List.of(a, b));
    return name;
  }

  /** Maps of one height and width joined along the channels, in order ({@code torch.cat(maps, 1)}). */
  public String concat(String name, String... maps) {
    FeatureShape first = shape(maps[0]);
    int channels = 0;
    for (String m : maps) {
      FeatureShape s = shape(m);
      if (s.height() != first.height() || s.width() != first.width()) {
        throw new IllegalArgumentException(name + ": cannot join " + m + " " + s + " with " + maps[0] + " " + first);
      }
      channels += s.channels();
    }
    graph.addVertex(name, new MergeVertex(), maps);
    shapes.put(name, new FeatureShape(channels, first.height(), first.width()));
    inputsOf.put(name, List.of(maps));
    return name;
  }

  /**
   * Squeeze-and-excitation as kuangliu's EfficientNet: global average pool (kept 4-D), conv1x1 to
   * {@code squeeze} channels with bias, swish, conv1x1 back with bias, sigmoid, then the input
   * scaled channel-wise.
   */
  public String squeezeExcite(String name, String in, int squeeze) {
    FeatureShape s = shape(in);
    graph.addLayer(name + ".pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).collapseDimensions(false).build(), in);
    record(name + ".pool", in, new FeatureShape(s.channels(), 1, 1), 0, 0);
    String a = conv(name + ".se1", name + ".pool", squeeze, 1, 1, 0, true);
    a = activation(name + ".swish", a, SWISH);
    a = conv(name + ".se2", a, s.channels(), 1, 1, 0, true);
    a = activation(name + ".sigmoid", a, Activation.SIGMOID.getActivationFunction());
    graph.addVertex(name + ".scale", new ChannelScaleVertex(), in, a);
    shapes.put(name + ".scale", s);
    inputsOf.put(name + ".scale", List.of(in, a));
    return name + ".scale";
  }

  /** An activation layer (swish, sigmoid, ...); swish is a {@link SinglePassSwish}. */
  public String activation(String name, String in, org.nd4j.linalg.activations.IActivation fn) {
    graph.addLayer(name, fn instanceof StableSwish ? new SinglePassSwish() : new ActivationLayer.Builder().activation(fn).build(), in);
    return record(name, in, shape(in), 0, 0);
  }

  /** PyTorch {@code MaxPool2d(kernel, stride, padding)}. */
  public String maxPool(String name, String in, int kernel, int stride, int padding) {
    FeatureShape s = shape(in);
    graph.addLayer(name, new org.deeplearning4j.nn.conf.layers.SubsamplingLayer.Builder(
            org.deeplearning4j.nn.conf.layers.SubsamplingLayer.PoolingType.MAX)
        .kernelSize(kernel, kernel).stride(stride, stride).padding(padding, padding).build(), in);
    int h = (s.height() + 2 * padding - kernel) / stride + 1;
    int w = (s.width() + 2 * padding - kernel) / stride + 1;
    return record(name, in, new FeatureShape(s.channels(), h, w), 0, 0, (long) s.channels() * h * w * kernel * kernel);
  }

  /** Global average pooling to [N, C] (PyTorch AvgPool over the whole final map, then flatten). */
  public String globalAvgPool(String name, String in) {
    graph.addLayer(name, new GlobalAveragePooling(), in);
    return record(name, in, new FeatureShape(shape(in).channels(), 1, 1), 0, 0, shape(in).size());
  }

  /** PyTorch {@code Linear(in, out)} with bias and no activation. */
  public String linear(String name, String in, int out) {
    int nIn = shape(in).channels();
    graph.addLayer(
        name,
        new DenseLayer.Builder().nIn(nIn).nOut(out).hasBias(true).activation(Activation.IDENTITY).build(),
        in);
    return record(name, in, new FeatureShape(out, 1, 1), (long) nIn * out + out, (long) nIn * out, out);
  }

  private String record(String name, String in, FeatureShape out, long params, long macs) {
    return record(name, in, out, params, macs, 0);
  }

  private String record(String name, String in, FeatureShape out, long params, long macs, long elementOps) {
    shapes.put(name, out);
    inputsOf.put(name, List.of(in));
    costs.put(name, new LayerCost(name, params, macs, elementOps));
    return name;
  }


  /** Finishes the graph with the given outputs, in order. */
  ComputationGraphConfiguration build(List<String> outputs) {
    graph.setOutputs(outputs.toArray(new String[0]));
    ComputationGraphConfiguration conf = graph.build();
    // A ReLU may overwrite its input when nothing else (another vertex, a network output) reads it.
    Map<String, Integer> readers = new HashMap<>();
    conf.getVertexInputs().values().forEach(ins -> ins.forEach(in -> readers.merge(in, 1, Integer::sum)));
    conf.getNetworkOutputs().forEach(out -> readers.merge(out, 1, Integer::sum));
    conf.getVertices().forEach((name, vertex) -> {
      if (vertex instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv
          && lv.getLayerConf().getLayer() instanceof SinglePassRelu relu) {
        String in = conf.getVertexInputs().get(name).get(0);
        relu.setInPlace(!conf.getNetworkInputs().contains(in) && readers.getOrDefault(in, 0) == 1);
      }
      // A convolution reading the data itself (the stem) needs no input gradient, as in PyTorch.
      if (vertex instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv
          && lv.getLayerConf().getLayer() instanceof LinearConvolution linear) {
        linear.setInputGradient(!conf.getNetworkInputs().containsAll(conf.getVertexInputs().get(name)));
      }
    });
    return conf;
  }

  /** Layers in insertion order with their costs. */
  List<LayerCost> costs() {
    return new ArrayList<>(costs.values());
  }

  /** Every vertex (and its inputs' edges), for ancestry queries. */
  Map<String, List<String>> edges() {
    return Map.copyOf(inputsOf);
  }

  /** For every BN layer, H*W of its input (PyTorch's unbiased running variance needs N*H*W). */
  Map<String, Integer> batchNormSpatial() {
    return Map.copyOf(batchNormSpatial);
  }
}
