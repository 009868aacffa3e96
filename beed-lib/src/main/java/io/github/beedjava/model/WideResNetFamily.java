package io.github.beedjava.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The CIFAR Wide ResNet WRN-d-4 of docs/method.md (Zagoruyko and Komodakis, no dropout): a 3x3 stem
 * with 16 channels, three groups of pre-activation wide blocks (widths 64, 128, 256; strides 1, 2,
 * 2; (d-4)/6 blocks each), a final BN-ReLU, AvgPool 8 and a Linear head. Two exits, after groups 1
 * and 2, so K = 3; the main feature is the map after the final BN-ReLU (docs/method.md). Module names
 * follow the common PyTorch implementation ({@code block1.layer.0.bn1}, {@code convShortcut}).
 */
final class WideResNetFamily {
  private WideResNetFamily() {}

  static final int STEM_WIDTH = 16;
  static final int[] GROUP_WIDTHS = {64, 128, 256};
  static final int[] GROUP_STRIDES = {1, 2, 2};

  static Blueprint build(ModelConfig config, int depth) {
    if ((depth - 4) % 6 != 0) {
      throw new IllegalArgumentException("model: WRN depth must be 6n+4, got " + depth);
    }
    int n = (depth - 4) / 6;
    GraphAssembler g = new GraphAssembler(config);
    List<ArchitectureRow> rows = new ArrayList<>();
    int[] widths = Arrays.stream(GROUP_WIDTHS).map(config::scaled).toArray();

    String x = g.conv("conv1", GraphAssembler.INPUT, config.scaled(STEM_WIDTH), 3, 1, 1, false);
    rows.add(new ArchitectureRow("Main", "Conv2d", config.scaled(STEM_WIDTH), 1, 1));
    String[] groupOut = new String[3];
    for (int s = 0; s < 3; s++) {
      for (int b = 0; b < n; b++) {
        x = wideBlock(g, "block" + (s + 1) + ".layer." + b, x, widths[s], b == 0 ? GROUP_STRIDES[s] : 1);
      }
      groupOut[s] = x;
      // Fig. 1 prints WRN blocks as base width (16, 32, 64) with expansion 4.
      rows.add(new ArchitectureRow("Main", "WRN Block", Math.max(1, widths[s] / 4), n, GROUP_STRIDES[s], 4));
    }
    x = g.relu("relu", g.batchNorm("bn1", x));
    rows.add(ArchitectureRow.plain("Main", "Avgpool " + g.shape(x).height() + "x" + g.shape(x).width()));
    rows.add(ArchitectureRow.plain("Main", "FC layer"));

    int[][] exitWidths = {Arrays.copyOfRange(widths, 1, 3), Arrays.copyOfRange(widths, 2, 3)};
    return ExitBuilder.finish(g, config, new String[] {groupOut[0], groupOut[1]}, exitWidths, x, rows);
  }

  /**
   * Pre-activation wide block: BN-ReLU, conv3x3 (stride), BN-ReLU, conv3x3, plus the input, or a
   * 1x1 conv of the activated input when the width or stride changes.
   */
  private static String wideBlock(GraphAssembler g, String name, String in, int width, int stride) {
    boolean sameShape = stride == 1 && g.shape(in).channels() == width;
    String act = g.relu(name + ".relu1", g.batchNorm(name + ".bn1", in));
    String y = g.conv(name + ".conv1", act, width, 3, stride, 1, false);
    y = g.relu(name + ".relu2", g.batchNorm(name + ".bn2", y));
    y = g.conv(name + ".conv2", y, width, 3, 1, 1, false);
    String shortcut = sameShape ? in : g.conv(name + ".convShortcut", act, width, 1, stride, 0, false);
    return g.add(name + ".add", y, shortcut);
  }
}
