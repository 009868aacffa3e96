package io.github.beedjava.model;

/**
 * The proposed exit block E(c_in, c, 2) of docs/method.md (official {@code Exit} module): conv1x1 -
 * BN - ReLU, conv3x3 stride 2 - BN - ReLU, conv1x1 - BN - ReLU; dense convs, no shortcut.
 */
final class BottleneckExit {
  private BottleneckExit() {}

  static String block(GraphAssembler g, String name, String in, int width) {
    return block(g, name, in, width, width);
  }

  /**
   * A block whose last 1x1 conv outputs {@code out} channels: the last block of a MobileNetV2 exit
   * ends at the main network's 1280 so feature distillation compares equal maps (docs/method.md).
   */
  static String block(GraphAssembler g, String name, String in, int width, int out) {
    String y = g.conv(name + ".conv1", in, width, 1, 1, 0, false);
    y = g.relu(name + ".relu1", g.batchNorm(name + ".bn1", y));
    y = g.conv(name + ".conv2", y, width, 3, 2, 1, false);
    y = g.relu(name + ".relu2", g.batchNorm(name + ".bn2", y));
    y = g.conv(name + ".conv3", y, out, 1, 1, 0, false);
    return g.relu(name + ".relu3", g.batchNorm(name + ".bn3", y));
  }
}
