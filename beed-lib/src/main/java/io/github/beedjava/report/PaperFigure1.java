package io.github.beedjava.report;

import io.github.beedjava.model.ArchitectureRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The rows of the supplement's Fig. 1 (operator, channel, repeat, stride, expansion for the main
 * network and each exit of every backbone), to compare with the generated architectures.
 */
public final class PaperFigure1 {
  private PaperFigure1() {}

  /** network|section|operator|channel|repeat|stride|expansion, "-" where the figure has none. */
  private static final List<String> ROWS = List.of(
      "resnet18|Main|Conv2d|64|1|1|-",
      "resnet18|Main|ResNet Block|64|2|1|-",
      "resnet18|Main|ResNet Block|128|2|2|-",
      "resnet18|Main|ResNet Block|256|2|2|-",
      "resnet18|Main|ResNet Block|512|2|2|-",
      "resnet18|Main|Avgpool 4x4|-|-|-|-",
      "resnet18|Main|FC layer|-|-|-|-",
      "resnet18|Exit1|Bottleneck Block|128|1|2|-",
      "resnet18|Exit1|Bottleneck Block|256|1|2|-",
      "resnet18|Exit1|Bottleneck Block|512|1|2|-",
      "resnet18|Exit1|Avgpool 4x4|-|-|-|-",
      "resnet18|Exit1|FC layer|-|-|-|-",
      "resnet18|Exit2|Bottleneck Block|256|1|2|-",
      "resnet18|Exit2|Bottleneck Block|512|1|2|-",
      "resnet18|Exit2|Avgpool 4x4|-|-|-|-",
      "resnet18|Exit2|FC layer|-|-|-|-",
      "resnet18|Exit3|Bottleneck Block|512|1|2|-",
      "resnet18|Exit3|Avgpool 4x4|-|-|-|-",
      "resnet18|Exit3|FC layer|-|-|-|-",
      "resnet34|Main|Conv2d|64|1|1|-",
      "resnet34|Main|ResNet Block|64|3|1|-",
      "resnet34|Main|ResNet Block|128|4|2|-",
      "resnet34|Main|ResNet Block|256|6|2|-",
      "resnet34|Main|ResNet Block|512|3|2|-",
      "resnet34|Main|Avgpool 4x4|-|-|-|-",
      "resnet34|Main|FC layer|-|-|-|-",
      "resnet34|Exit1|Bottleneck Block|128|1|2|-",
      "resnet34|Exit1|Bottleneck Block|256|1|2|-",
      "resnet34|Exit1|Bottleneck Block|512|1|2|-",
      "resnet34|Exit1|Avgpool 4x4|-|-|-|-",
      "resnet34|Exit1|FC layer|-|-|-|-",
      "resnet34|Exit2|Bottleneck Block|256|1|2|-",
      "resnet34|Exit2|Bottleneck Block|512|1|2|-",
      "resnet34|Exit2|Avgpool 4x4|-|-|-|-",
      "resnet34|Exit2|FC layer|-|-|-|-",
      "resnet34|Exit3|Bottleneck Block|512|1|2|-",
      "resnet34|Exit3|Avgpool 4x4|-|-|-|-",
      "resnet34|Exit3|FC layer|-|-|-|-",
      "wrn16_4|Main|Conv2d|16|1|1|-",
      "wrn16_4|Main|WRN Block|16|2|1|4",
      "wrn16_4|Main|WRN Block|32|2|2|4",
      "wrn16_4|Main|WRN Block|64|2|2|4",
      "wrn16_4|Main|Avgpool 8x8|-|-|-|-",
      "wrn16_4|Main|FC layer|-|-|-|-",
      "wrn16_4|Exit1|Bottleneck Block|128|1|2|-",
      "wrn16_4|Exit1|Bottleneck Block|256|1|2|-",
      "wrn16_4|Exit1|Avgpool 8x8|-|-|-|-",
      "wrn16_4|Exit1|FC layer|-|-|-|-",
      "wrn16_4|Exit2|Bottleneck Block|256|1|2|-",
      "wrn16_4|Exit2|Avgpool 8x8|-|-|-|-",
      "wrn16_4|Exit2|FC layer|-|-|-|-",
      "wrn28_4|Main|Conv2d|16|1|1|-",
      "wrn28_4|Main|WRN Block|16|4|1|4",
      "wrn28_4|Main|WRN Block|32|4|2|4",
      "wrn28_4|Main|WRN Block|64|4|2|4",
      "wrn28_4|Main|Avgpool 8x8|-|-|-|-",
      "wrn28_4|Main|FC layer|-|-|-|-",
      "wrn28_4|Exit1|Bottleneck Block|128|1|2|-",
      "wrn28_4|Exit1|Bottleneck Block|256|1|2|-",
      "wrn28_4|Exit1|Avgpool 8x8|-|-|-|-",
      "wrn28_4|Exit1|FC layer|-|-|-|-",
      "wrn28_4|Exit2|Bottleneck Block|256|1|2|-",
      "wrn28_4|Exit2|Avgpool 8x8|-|-|-|-",
      "wrn28_4|Exit2|FC layer|-|-|-|-",
      "mobilenetv2|Main|Conv2d|32|1|1|-",
      "mobilenetv2|Main|MobileNet Block|16|1|1|1",
      "mobilenetv2|Main|MobileNet Block|24|2|1|6",
      "mobilenetv2|Main|MobileNet Block|32|3|2|6",
      "mobilenetv2|Main|MobileNet Block|64|4|2|6",
      "mobilenetv2|Main|MobileNet Block|96|3|1|6",
      "mobilenetv2|Main|MobileNet Block|160|3|2|6",
      "mobilenetv2|Main|MobileNet Block|320|1|1|6",
      "mobilenetv2|Main|Conv2d 1x1|1280|1|1|-",
      "mobilenetv2|Main|Avgpool 4x4|-|-|-|-",
      "mobilenetv2|Main|FC layer|-|-|-|-",
      "mobilenetv2|Exit1|Bottleneck Block|144|1|2|-",
      "mobilenetv2|Exit1|Bottleneck Block|192|1|2|-",
      "mobilenetv2|Exit1|Bottleneck Block|320|1|2|-",
      "mobilenetv2|Exit1|Avgpool 4x4|-|-|-|-",
      "mobilenetv2|Exit1|FC layer|-|-|-|-",
      "mobilenetv2|Exit2|Bottleneck Block|192|1|2|-",
      "mobilenetv2|Exit2|Bottleneck Block|320|1|2|-",
      "mobilenetv2|Exit2|Avgpool 4x4|-|-|-|-",
      "mobilenetv2|Exit2|FC layer|-|-|-|-",
      "mobilenetv2|Exit3|Bottleneck Block|320|1|2|-",
      "mobilenetv2|Exit3|Avgpool 4x4|-|-|-|-",
      "mobilenetv2|Exit3|FC layer|-|-|-|-",
      "efficientnet_b0|Main|Conv2d|32|1|1|-",
      "efficientnet_b0|Main|EfficientNet Block|16|1|1|1",
      "efficientnet_b0|Main|EfficientNet Block|24|2|1|6",
      "efficientnet_b0|Main|EfficientNet Block|60|2|2|6",
      "efficientnet_b0|Main|EfficientNet Block|80|3|2|6",
      "efficientnet_b0|Main|EfficientNet Block|112|3|1|6",
      "efficientnet_b0|Main|EfficientNet Block|192|4|2|6",
      "efficientnet_b0|Main|EfficientNet Block|320|1|1|6",
      "efficientnet_b0|Main|Avgpool 4x4|-|-|-|-",
      "efficientnet_b0|Main|FC layer|-|-|-|-",
      "efficientnet_b0|Exit1|Bottleneck Block|144|1|2|-",
      "efficientnet_b0|Exit1|Bottleneck Block|240|1|2|-",
      "efficientnet_b0|Exit1|Bottleneck Block|320|1|2|-",
      "efficientnet_b0|Exit1|Avgpool 4x4|-|-|-|-",
      "efficientnet_b0|Exit1|FC layer|-|-|-|-",
      "efficientnet_b0|Exit2|Bottleneck Block|240|1|2|-",
      "efficientnet_b0|Exit2|Bottleneck Block|320|1|2|-",
      "efficientnet_b0|Exit2|Avgpool 4x4|-|-|-|-",
      "efficientnet_b0|Exit2|FC layer|-|-|-|-",
      "efficientnet_b0|Exit3|Bottleneck Block|320|1|2|-",
      "efficientnet_b0|Exit3|Avgpool 4x4|-|-|-|-",
      "efficientnet_b0|Exit3|FC layer|-|-|-|-");

  /** The figure's rows of a network (registry name), in order; empty when the figure lacks it. */
  public static List<ArchitectureRow> rows(String network) {
    List<ArchitectureRow> out = new ArrayList<>();
    for (String line : ROWS) {
      String[] f = line.split("\\|");
      if (f[0].equals(network.toLowerCase(Locale.ROOT))) {
        out.add(new ArchitectureRow(f[1], f[2], num(f[3]), num(f[4]), num(f[5]), num(f[6])));
      }
    }
    return out;
  }

  /**
   * Explanations of rows where this implementation deliberately differs from the figure, keyed
   * by the figure's row ({@code network|section|operator|channel}).
   */
  public static java.util.Optional<String> knownDifference(String network, ArchitectureRow paperRow) {
    String key = network + "|" + paperRow.section() + "|" + paperRow.operator() + "|" + paperRow.channels();
    if (key.equals("efficientnet_b0|Main|EfficientNet Block|60")) {
      return java.util.Optional.of("Fig. 1's 60 is a typo for 40: the exit width 240 = 40 x 6 and EfficientNetB0's third stage has 40 (docs/method.md)");
    }
    return java.util.Optional.empty();
  }

  /** Networks the figure describes. */
  public static List<String> networks() {
    return ROWS.stream().map(l -> l.substring(0, l.indexOf('|'))).distinct().toList();
  }

  private static int num(String s) {
    return s.equals("-") ? -1 : Integer.parseInt(s);
  }
}
