package io.github.beedjava.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The CIFAR MobileNetV2 of docs/method.md (kuangliu's {@code pytorch-cifar}): 3x3 stem with 32
 * channels and stride 1, inverted-residual blocks (1x1 expand - BN - ReLU, 3x3 depthwise - BN -
 * ReLU, 1x1 project - BN; residual only at stride 1, a 1x1 conv + BN shortcut when the width
 * changes), a 1x1 conv to 1280 - BN - ReLU, AvgPool 4 and a Linear head. Exits after the stages
 * "24", "32" and "96" with block widths 144/192/320, 192/320 and 320; the last exit conv ends at
 * 1280 so every feature is 1280x4x4 (docs/method.md).
 */
final class MobileNetV2Family {
  private MobileNetV2Family() {}

  /** (expansion, out channels, blocks, stride) per stage. */
  static final int[][] STAGES = {{1, 16, 1, 1}, {6, 24, 2, 1}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};

  /** Stage index after which exit 1, 2, 3 attach ("24", "32", "96"). */
  static final int[] EXIT_STAGES = {1, 2, 4};

  /** Exit block widths per exit (Fig. 1). */
  static final int[][] EXIT_WIDTHS = {{144, 192, 320}, {192, 320}, {320}};

  static Blueprint build(ModelConfig config) {
    GraphAssembler g = new GraphAssembler(config);
    List<ArchitectureRow> rows = new ArrayList<>();
    String x = g.conv("conv1", GraphAssembler.INPUT, config.scaled(32), 3, 1, 1, false);
    x = g.relu("relu1", g.batchNorm("bn1", x));
    rows.add(new ArchitectureRow("Main", "Conv2d", config.scaled(32), 1, 1));
    String[] stageOut = new String[STAGES.length];
    int index = 0;
    for (int s = 0; s < STAGES.length; s++) {
      int[] st = STAGES[s];
      for (int b = 0; b < st[2]; b++) {
        x = block(g, "layers." + index++, x, st[0], config.scaled(st[1]), b == 0 ? st[3] : 1);
      }
      stageOut[s] = x;
      rows.add(new ArchitectureRow("Main", "MobileNet Block", config.scaled(st[1]), st[2], st[3], st[0]));
    }
    int head = config.scaled(1280);
    x = g.relu("relu2", g.batchNorm("bn2", g.conv("conv2", x, head, 1, 1, 0, false)));
    rows.add(new ArchitectureRow("Main", "Conv2d 1x1", head, 1, 1));
    rows.add(ArchitectureRow.plain("Main", "Avgpool " + g.shape(x).height() + "x" + g.shape(x).width()));
    rows.add(ArchitectureRow.plain("Main", "FC layer"));

    String[] exitInputs = java.util.Arrays.stream(EXIT_STAGES).mapToObj(i -> stageOut[i]).toArray(String[]::new);
    int[][] exitWidths = java.util.Arrays.stream(EXIT_WIDTHS).map(w -> java.util.Arrays.stream(w).map(config::scaled).toArray()).toArray(int[][]::new);
    return ExitBuilder.finish(g, config, exitInputs, exitWidths, x, rows);
  }

  /** kuangliu's inverted-residual {@code Block(in, out, expansion, stride)}. */
  private static String block(GraphAssembler g, String name, String in, int expansion, int out, int stride) {
    int cin = g.shape(in).channels();
    int planes = expansion * cin;
    String y = g.relu(name + ".relu1", g.batchNorm(name + ".bn1", g.conv(name + ".conv1", in, planes, 1, 1, 0, false)));
    y = g.relu(name + ".relu2", g.batchNorm(name + ".bn2", g.depthwiseConv(name + ".conv2", y, 3, stride, 1)));
    y = g.batchNorm(name + ".bn3", g.conv(name + ".conv3", y, out, 1, 1, 0, false));
    if (stride != 1) {
      return y;
    }
    String shortcut = in;
    if (cin != out) {
      shortcut = g.batchNorm(name + ".shortcut.1", g.conv(name + ".shortcut.0", in, out, 1, 1, 0, false));
    }
    return g.add(name + ".add", y, shortcut);
  }
}
