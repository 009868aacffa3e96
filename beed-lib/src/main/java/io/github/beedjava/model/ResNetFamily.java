package io.github.beedjava.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The CIFAR ResNet18/34 of the official BEED code (docs/method.md): 3x3 stem without max-pool (and,
 * by default, without ReLU after the stem BN), post-activation BasicBlocks, exits after stages
 * 1-3 (docs/method.md), AvgPool and Linear heads. Module names follow the official {@code resnet.py}.
 */
final class ResNetFamily {
  private ResNetFamily() {}

  static final int[] STAGE_WIDTHS = {64, 128, 256, 512};
  static final int[] STAGE_STRIDES = {1, 2, 2, 2};

  static Blueprint build(ModelConfig config, int[] blocksPerStage) {
    GraphAssembler g = new GraphAssembler(config);
    List<ArchitectureRow> rows = new ArrayList<>();
    int[] widths = new int[4];
    for (int i = 0; i < 4; i++) {
      widths[i] = config.scaled(STAGE_WIDTHS[i]);
    }

    String x;
    if (config.imagenetStem()) {
      // torchvision's ImageNet stem (docs/method.md): conv 7x7/s2/p3, BN, ReLU, max-pool 3x3/s2/p1.
      x = g.conv("conv1", GraphAssembler.INPUT, widths[0], 7, 2, 3, false);
      x = g.maxPool("maxpool", g.relu("relu", g.batchNorm("bn1", x)), 3, 2, 1);
      rows.add(new ArchitectureRow("Main", "Conv2d 7x7", widths[0], 1, 2));
      rows.add(new ArchitectureRow("Main", "Maxpool 3x3", widths[0], 1, 2));
    } else {
      x = g.conv("conv1", GraphAssembler.INPUT, widths[0], 3, 1, 1, false);
      x = g.batchNorm("bn1", x);
      if (config.stemRelu()) {
        x = g.relu("relu", x);
      }
      rows.add(new ArchitectureRow("Main", "Conv2d", widths[0], 1, 1));
    }

    String[] stageOut = new String[4];
    for (int s = 0; s < 4; s++) {
      for (int b = 0; b < blocksPerStage[s]; b++) {
        x = basicBlock(g, "layer" + (s + 1) + "." + b, x, widths[s], b == 0 ? STAGE_STRIDES[s] : 1);
      }
      stageOut[s] = x;
      rows.add(new ArchitectureRow("Main", "ResNet Block", widths[s], blocksPerStage[s], STAGE_STRIDES[s]));
    }
    rows.add(ArchitectureRow.plain("Main", "Avgpool " + g.shape(x).height() + "x" + g.shape(x).width()));
    rows.add(ArchitectureRow.plain("Main", "FC layer"));

    int[][] exitWidths = {
      java.util.Arrays.copyOfRange(widths, 1, 4), java.util.Arrays.copyOfRange(widths, 2, 4), java.util.Arrays.copyOfRange(widths, 3, 4)
    };
    return ExitBuilder.finish(g, config, new String[] {stageOut[0], stageOut[1], stageOut[2]}, exitWidths, x, rows);
  }

  /** Post-activation BasicBlock with a 1x1 conv + BN shortcut when stride or width changes. */
  private static String basicBlock(GraphAssembler g, String name, String in, int width, int stride) {
    String y = g.conv(name + ".conv1", in, width, 3, stride, 1, false);
    y = g.batchNorm(name + ".bn1", y);
    y = g.relu(name + ".relu1", y);
    y = g.conv(name + ".conv2", y, width, 3, 1, 1, false);
    y = g.batchNorm(name + ".bn2", y);
    String shortcut = in;
    if (stride != 1 || g.shape(in).channels() != width) {
      shortcut = g.conv(name + ".downsample.0", in, width, 1, stride, 0, false);
      shortcut = g.batchNorm(name + ".downsample.1", shortcut);
    }
    return g.relu(name + ".relu2", g.add(name + ".add", y, shortcut));
  }
}
