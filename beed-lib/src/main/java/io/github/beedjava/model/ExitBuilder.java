package io.github.beedjava.model;

import java.util.List;

/**
 * Builds one exit (early classifier) of a multi-exit network from a backbone stage's output: the
 * exit's blocks up to the main network's final feature shape (so feature distillation compares
 * equal shapes), then global average pooling and a Linear head. One implementation per {@link
 * ExitStructure}, as docs/method.md (choice 3) describes.
 */
public final class ExitBuilder {
  private ExitBuilder() {}

  /**
   * Attaches the exits (unless the config has none), then the main network's head, and returns
   * the blueprint: outputs are the K logits then the K features, exit 1 first, main network last.
   *
   * @param exitInputs the backbone vertex each exit reads, exit 1 first
   * @param exitWidths each exit's block widths (already width-scaled)
   * @param main the main network's final feature map
   */
  public static Blueprint finish(GraphAssembler g, ModelConfig config, String[] exitInputs, int[][] exitWidths, String main,
      List<ArchitectureRow> rows) {
    List<String> logits = new java.util.ArrayList<>();
    List<String> features = new java.util.ArrayList<>();
    if (config.exits() != ExitStructure.NONE) {
      int finalWidth = g.shape(main).channels();
      for (int e = 1; e <= exitInputs.length; e++) {
        String[] out = attach(g, config.exits(), e, exitInputs[e - 1], exitWidths[e - 1], finalWidth, rows, config.numClasses());
        features.add(out[0]);
        logits.add(out[1]);
      }
    }
    features.add(g.identity("feature" + (logits.size() + 1), main));
    logits.add(g.linear("linear", g.globalAvgPool("pool", main), config.numClasses()));
    List<String> outputs = new java.util.ArrayList<>(logits);
    outputs.addAll(features);
    return new Blueprint(config, g.build(outputs), logits, features, g.costs(), g.edges(), g.batchNormSpatial(), rows);
  }

  /** The last block ends at the main feature's width; the others at their stage width. */
  private static int outWidth(int[] widths, int b, int finalWidth) {
    return b == widths.length - 1 ? finalWidth : widths[b];
  }

  /**
   * Attaches exit {@code e} (1-based) and returns {@code {feature, logits}} vertex names.
   *
   * @param in the stage output the exit reads
   * @param widths widths of the backbone's remaining stride-2 stages (one downsampling block each)
   * @param finalWidth channels of the main network's final feature map
   * @param rows Fig. 1 rows to append to
   */
  private static String[] attach(GraphAssembler g, ExitStructure structure, int e, String in, int[] widths, int finalWidth,
      List<ArchitectureRow> rows, int numClasses) {
    String section = "Exit" + e;
    String f = in;
    switch (structure) {
      case BOTTLENECK -> {
        for (int b = 0; b < widths.length; b++) {
          f = BottleneckExit.block(g, "ex" + e + "conv" + (b + 1), f, widths[b], outWidth(widths, b, finalWidth));
          rows.add(new ArchitectureRow(section, "Bottleneck Block", widths[b], 1, 2));
        }
      }
      case LCT -> {
        // EED/LCT-style exit: [ReLU - conv3x3/s2 - BN] per remaining stage, then ReLU (docs/method.md).
        for (int b = 0; b < widths.length; b++) {
          String name = "ex" + e + "conv" + (b + 1);
          f = g.relu(name + ".relu", f);
          f = g.batchNorm(name + ".bn", g.conv(name + ".conv", f, outWidth(widths, b, finalWidth), 3, 2, 1, false));
          rows.add(new ArchitectureRow(section, "ReLU-Conv3x3-BN", widths[b], 1, 2));
        }
        f = g.relu("ex" + e + "relu", f);
      }
      case BYOT -> {
        // BYOT "branch bottleneck": 1x1 to finalWidth/4, k x k with stride k down to the final
        // size, 1x1 to finalWidth; biases on, each conv followed by BN and ReLU (docs/method.md).
        int mid = Math.max(1, finalWidth / 4);
        int k = 1 << widths.length;
        String name = "ex" + e + "branch";
        f = g.relu(name + ".relu1", g.batchNorm(name + ".bn1", g.conv(name + ".conv1", f, mid, 1, 1, 0, true)));
        f = g.relu(name + ".relu2", g.batchNorm(name + ".bn2", g.conv(name + ".conv2", f, mid, k, k, 0, true)));
        f = g.relu(name + ".relu3", g.batchNorm(name + ".bn3", g.conv(name + ".conv3", f, finalWidth, 1, 1, 0, true)));
        rows.add(new ArchitectureRow(section, "Conv1x1", mid, 1, 1));
        rows.add(new ArchitectureRow(section, "Conv" + k + "x" + k, mid, 1, k));
        rows.add(new ArchitectureRow(section, "Conv1x1", finalWidth, 1, 1));
      }
      case TOFD -> {
        // TOFD's SepConv per remaining stage: dw3x3/s2, pw1x1 (C_in), BN-ReLU, dw3x3, pw1x1 (C_out), BN-ReLU.
        for (int b = 0; b < widths.length; b++) {
          String name = "ex" + e + "sep" + (b + 1);
          int cin = g.shape(f).channels();
          f = g.depthwiseConv(name + ".dw1", f, 3, 2, 1);
          f = g.relu(name + ".relu1", g.batchNorm(name + ".bn1", g.conv(name + ".pw1", f, cin, 1, 1, 0, false)));
          f = g.depthwiseConv(name + ".dw2", f, 3, 1, 1);
          f = g.relu(name + ".relu2", g.batchNorm(name + ".bn2", g.conv(name + ".pw2", f, outWidth(widths, b, finalWidth), 1, 1, 0, false)));
          rows.add(new ArchitectureRow(section, "SepConv Block", widths[b], 1, 2));
        }
      }
      default -> throw new IllegalArgumentException("exits: " + structure.cliName() + " cannot be attached to this backbone; "
          + "use bottleneck, lct, byot or tofd (msdnet heads belong to --model msdnet)");
    }
    rows.add(ArchitectureRow.plain(section, "Avgpool " + g.shape(f).height() + "x" + g.shape(f).width()));
    rows.add(ArchitectureRow.plain(section, "FC layer"));
    String feature = g.identity("feature" + e, f);
    String logits = g.linear("ex" + e + "linear", g.globalAvgPool("ex" + e + "pool", f), numClasses);
    return new String[] {feature, logits};
  }
}
