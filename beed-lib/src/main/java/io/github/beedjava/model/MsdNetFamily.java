package io.github.beedjava.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * MSDNet (Huang et al., ICLR 2018) with four classifiers, in the original work's CIFAR
 * configuration for anytime prediction (docs/models.md): three scales with 16·{1, 2, 4} channels
 * after the first layer, four blocks of 4, 2, 2 and 2 layers, growth rate 6·{1, 2, 4}, bottleneck
 * width factors {1, 2, 4}, "max" pruning of the finest scale every 4 layers with a transition to
 * half the channels, and one classifier on the coarsest scale after each block: two conv3x3/s2 -
 * BN - ReLU with 128 channels, average pooling and a Linear layer. Every layer reads the
 * concatenation of all earlier maps of its scale (dense connectivity) and of the next finer scale
 * (strided). The width multiplier scales the 16, the 128 and half the growth rate (3, so that the
 * growth stays even: its two convolutions add half each).
 *
 * <p>Layer names are the original implementation's module names, so its state dicts map one to one.
 * BEED's distillation feature of each classifier is its second convolution's output (128 x 2 x 2
 * for 32x32 images), the last map before pooling, as for the other networks.
 */
final class MsdNetFamily {
  private MsdNetFamily() {}

  /** Layers per block (the original's {@code base} 4, then {@code step} 2, "even" mode). */
  static final int[] STEPS = {4, 2, 2, 2};

  /** Channel factor per scale, finest first ({@code grFactor}); also the bottleneck factors ({@code bnFactor}). */
  static final int[] SCALE_FACTORS = {1, 2, 4};

  private static final int SCALES = SCALE_FACTORS.length;
  private static final double REDUCTION = 0.5;

  static Blueprint build(ModelConfig config) {
    GraphAssembler g = new GraphAssembler(config);
    List<ArchitectureRow> rows = new ArrayList<>();
    List<ArchitectureRow> exitRows = new ArrayList<>();
    int channels = config.scaled(16);
    int growth = 2 * config.scaled(3);  // even: a strided and a normal conv add half each
    int head = config.scaled(128);
    int layersInAll = Arrays.stream(STEPS).sum();
    int pruneEvery = (layersInAll + SCALES - 1) / SCALES;

    // The first layer: one ConvBasic per scale, each from the scale above it.
    String[] maps = new String[SCALES];
    String in = GraphAssembler.INPUT;
    for (int s = 0; s < SCALES; s++) {
      in = maps[s] = convBasic(g, "blocks.0.0.layers." + s, in, channels * SCALE_FACTORS[s], 3, s == 0 ? 1 : 2);
      rows.add(new ArchitectureRow("Main", "ConvBasic 3x3", channels * SCALE_FACTORS[s], 1, s == 0 ? 1 : 2));
    }

    List<String> logits = new ArrayList<>();
    List<String> features = new ArrayList<>();
    List<List<String>> held = new ArrayList<>();
    int width = channels;
    int layer = 0;
    for (int b = 0; b < STEPS.length; b++) {
      int module = b == 0 ? 1 : 0;
      for (int i = 0; i < STEPS[b]; i++) {
        layer++;
        int inScales = SCALES - Math.max(0, layer - 2) / pruneEvery;
        int outScales = SCALES - (layer - 1) / pruneEvery;
        maps = msdLayer(g, "blocks." + b + "." + module++, maps, width, growth, inScales, outScales);
        width += growth;
        if (inScales > outScales) {
          int reduced = (int) Math.floor(REDUCTION * width);
          maps = transition(g, "blocks." + b + "." + module++, maps, SCALES - outScales, reduced);
          width = reduced;
          rows.add(new ArchitectureRow("Main", "Transition 1x1", reduced, 1, 1));
        }
      }
      rows.add(new ArchitectureRow("Main", "Block " + (b + 1) + " MSD layer", growth, STEPS[b], 1));
      boolean last = b == STEPS.length - 1;
      if (last || config.exits() != ExitStructure.NONE) {
        List<ArchitectureRow> section = last ? rows : exitRows;
        String part = last ? "Main" : "Exit" + (b + 1);
        String f = convBasic(g, "classifier." + b + ".m.0", maps[maps.length - 1], head, 3, 2);
        f = convBasic(g, "classifier." + b + ".m.1", f, head, 3, 2);
        section.add(new ArchitectureRow(part, "ConvBasic 3x3", head, 2, 2));
        section.add(ArchitectureRow.plain(part, "Avgpool " + g.shape(f).height() + "x" + g.shape(f).width()));
        section.add(ArchitectureRow.plain(part, "FC layer"));
        features.add(g.identity("feature" + (features.size() + 1), f));
        logits.add(g.linear("classifier." + b + ".linear", g.globalAvgPool("classifier." + b + ".pool", f), config.numClasses()));
        held.add(List.of(maps));
      }
    }
    rows.addAll(exitRows);
    List<String> outputs = new ArrayList<>(logits);
    outputs.addAll(features);
    return new Blueprint(config, g.build(outputs), logits, features, g.costs(), g.edges(), g.batchNormSpatial(), rows,
        Initialisation.PYTORCH_DEFAULT, held);
  }

  /** The original's {@code ConvBasic}: conv (no bias) - BN - ReLU, named {@code net.0/1/2}. */
  private static String convBasic(GraphAssembler g, String name, String in, int out, int kernel, int stride) {
    String y = g.conv(name + ".net.0", in, out, kernel, stride, kernel / 2, false);
    return g.relu(name + ".net.2", g.batchNorm(name + ".net.1", y));
  }

  /**
   * The original's {@code ConvBN} with its bottleneck: conv1x1 to min(in, factor·out) - BN - ReLU,
   * then conv3x3 (stride 1, or 2 for "down") - BN - ReLU.
   */
  private static String convBn(GraphAssembler g, String name, String in, int out, int stride, int factor) {
    int inner = Math.min(g.shape(in).channels(), factor * out);
    String y = g.relu(name + ".net.2", g.batchNorm(name + ".net.1", g.conv(name + ".net.0", in, inner, 1, 1, 0, false)));
    return g.relu(name + ".net.5", g.batchNorm(name + ".net.4", g.conv(name + ".net.3", y, out, 3, stride, 1, false)));
  }

  /**
   * One MSDNet layer: for each output scale, the scale's maps so far joined with new ones made
   * from them (and, strided, from the next finer scale). When the layer drops the finest scale,
   * every output scale reads its finer neighbour.
   *
   * @param maps the input maps, finest first ({@code inScales} of them)
   * @param width channels per scale factor of the input ({@code nIn})
   * @param growth channels per scale factor this layer adds ({@code nOut})
   */
  private static String[] msdLayer(GraphAssembler g, String name, String[] maps, int width, int growth, int inScales,
      int outScales) {
    int offset = SCALES - outScales;
    boolean discard = inScales > outScales;
    String[] out = new String[outScales];
    for (int j = 0; j < outScales; j++) {
      int scale = offset + j;
      String module = name + ".layers." + j;
      int factor = SCALE_FACTORS[scale];
      if (j == 0 && !discard) {
        // ConvNormal: [x, conv(x)]
        String x = maps[0];
        out[j] = g.concat(module + ".cat", x, convBn(g, module + ".conv_normal", x, growth * factor, 1, factor));
      } else {
        // ConvDownNormal: [x, conv_down(finer), conv_normal(x)], each conv half the growth
        String finer = discard ? maps[j] : maps[j - 1];
        String x = discard ? maps[j + 1] : maps[j];
        int half = growth * factor / 2;
        String down = convBn(g, module + ".conv_down", finer, half, 2, SCALE_FACTORS[scale - 1]);
        String normal = convBn(g, module + ".conv_normal", x, half, 1, factor);
        out[j] = g.concat(module + ".cat", x, down, normal);
      }
      if (g.shape(out[j]).channels() != (width + growth) * factor) {
        throw new IllegalStateException(module + ": " + g.shape(out[j]) + ", expected " + (width + growth) * factor + " channels");
      }
    }
    return out;
  }

  /** The original's transition: a ConvBasic 1x1 per remaining scale to {@code reduced}·factor channels. */
  private static String[] transition(GraphAssembler g, String name, String[] maps, int offset, int reduced) {
    String[] out = new String[maps.length];
    for (int i = 0; i < maps.length; i++) {
      out[i] = convBasic(g, name + ".m." + i, maps[i], reduced * SCALE_FACTORS[offset + i], 1, 1);
    }
    return out;
  }
}
