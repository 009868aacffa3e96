package io.github.beedjava.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The CIFAR EfficientNetB0 of docs/method.md (kuangliu-style MBConv blocks): 3x3 stem with 32 channels
 * and stride 1, BN and swish; MBConv blocks (1x1 expand - BN - swish unless the expansion is 1,
 * k x k depthwise - BN - swish, squeeze-excitation with ratio 0.25 of the block input, 1x1 project -
 * BN; identity residual at stride 1 with equal widths); no head conv, AvgPool 4 and a Linear head
 * on the 320-channel map. Third stage 40 channels (Fig. 1's "60" is a typo, docs/method.md); no
 * dropout or drop-connect. Exits after stages "24", "40" and "112" with widths 144/240/320,
 * 240/320 and 320; every feature is 320x4x4.
 */
final class EfficientNetB0Family {
  private EfficientNetB0Family() {}

  /** (expansion, out channels, blocks, stride, kernel) per stage. */
  static final int[][] STAGES = {
    {1, 16, 1, 1, 3}, {6, 24, 2, 1, 3}, {6, 40, 2, 2, 5}, {6, 80, 3, 2, 3}, {6, 112, 3, 1, 5}, {6, 192, 4, 2, 5}, {6, 320, 1, 1, 3}
  };

  static final int[] EXIT_STAGES = {1, 2, 4};
  static final int[][] EXIT_WIDTHS = {{144, 240, 320}, {240, 320}, {320}};

  static Blueprint build(ModelConfig config) {
    GraphAssembler g = new GraphAssembler(config);
    List<ArchitectureRow> rows = new ArrayList<>();
    String x = g.conv("conv1", GraphAssembler.INPUT, config.scaled(32), 3, 1, 1, false);
    x = g.activation("swish1", g.batchNorm("bn1", x), GraphAssembler.SWISH);
    rows.add(new ArchitectureRow("Main", "Conv2d", config.scaled(32), 1, 1));
    String[] stageOut = new String[STAGES.length];
    int index = 0;
    for (int s = 0; s < STAGES.length; s++) {
      int[] st = STAGES[s];
      for (int b = 0; b < st[2]; b++) {
        x = mbConv(g, "layers." + index++, x, st[0], config.scaled(st[1]), b == 0 ? st[3] : 1, st[4]);
      }
      stageOut[s] = x;
      rows.add(new ArchitectureRow("Main", "EfficientNet Block", config.scaled(st[1]), st[2], st[3], st[0]));
    }
    rows.add(ArchitectureRow.plain("Main", "Avgpool " + g.shape(x).height() + "x" + g.shape(x).width()));
    rows.add(ArchitectureRow.plain("Main", "FC layer"));
    String[] exitInputs = java.util.Arrays.stream(EXIT_STAGES).mapToObj(i -> stageOut[i]).toArray(String[]::new);
    int[][] exitWidths = java.util.Arrays.stream(EXIT_WIDTHS).map(w -> java.util.Arrays.stream(w).map(config::scaled).toArray()).toArray(int[][]::new);
    return ExitBuilder.finish(g, config, exitInputs, exitWidths, x, rows);
  }

  private static String mbConv(GraphAssembler g, String name, String in, int expansion, int out, int stride, int kernel) {
    int cin = g.shape(in).channels();
    int planes = expansion * cin;
    String y = in;
    if (expansion != 1) {
      y = g.activation(name + ".swish1", g.batchNorm(name + ".bn1", g.conv(name + ".conv1", y, planes, 1, 1, 0, false)), GraphAssembler.SWISH);
    }
    y = g.activation(name + ".swish2", g.batchNorm(name + ".bn2", g.depthwiseConv(name + ".conv2", y, kernel, stride, kernel / 2)), GraphAssembler.SWISH);
    y = g.squeezeExcite(name + ".se", y, Math.max(1, (int) (cin * 0.25)));
    y = g.batchNorm(name + ".bn3", g.conv(name + ".conv3", y, out, 1, 1, 0, false));
    return stride == 1 && cin == out ? g.add(name + ".add", y, in) : y;
  }
}
