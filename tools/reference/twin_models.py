"""PyTorch twins of this package's multi-exit networks, for comparison only (never used by the
library). Written from the supplement's Fig. 1 and the public reference implementations of each
family: the official BEED resnet.py (ResNet and the proposed exit), xternalz/WideResNet-pytorch
(WRN), kuangliu/pytorch-cifar (MobileNetV2, EfficientNetB0), kalviny/MSDNet-PyTorch (MSDNet), the BYOT re-implementation of
luanyunteng (branch bottleneck) and the official TOFD code (SepConv). Module names are the PyTorch
names `beed export` writes, so a twin loads the Java model's state_dict with strict=True.

Every model's forward returns K logits then K feature maps (exit 1 first, main network last).
Choices of this package that the references leave open (docs/models.md) are marked "choice".
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from fixture_keys import scaled


def swish(x):
    return x * torch.sigmoid(x)


def conv(cin, cout, k, stride=1, padding=0, bias=False, groups=1):
    return nn.Conv2d(cin, cout, kernel_size=k, stride=stride, padding=padding, bias=bias, groups=groups)


# ---------------------------------------------------------------- exits (one module per block)

class ProposedExitBlock(nn.Module):
    """BEED's Exit: 1x1 - BN - ReLU, 3x3 stride 2 - BN - ReLU, 1x1 - BN - ReLU; no shortcut."""

    def __init__(self, cin, width, cout):
        super().__init__()
        self.conv1, self.bn1 = conv(cin, width, 1), nn.BatchNorm2d(width)
        self.conv2, self.bn2 = conv(width, width, 3, 2, 1), nn.BatchNorm2d(width)
        self.conv3, self.bn3 = conv(width, cout, 1), nn.BatchNorm2d(cout)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        return F.relu(self.bn3(self.conv3(x)))


class LctExitBlock(nn.Module):
    """The authors' EED-code exit stage: ReLU - conv 3x3 stride 2 - BN (a final ReLU follows the chain)."""

    def __init__(self, cin, cout):
        super().__init__()
        self.conv, self.bn = conv(cin, cout, 3, 2, 1), nn.BatchNorm2d(cout)

    def forward(self, x):
        return self.bn(self.conv(F.relu(x)))


class ByotBranch(nn.Module):
    """BYOT's branch bottleneck: 1x1 to C/4, k x k stride k, 1x1 to C; biases on, BN - ReLU after each."""

    def __init__(self, cin, cout, k):
        super().__init__()
        mid = max(1, cout // 4)
        self.conv1, self.bn1 = conv(cin, mid, 1, bias=True), nn.BatchNorm2d(mid)
        self.conv2, self.bn2 = conv(mid, mid, k, k, bias=True), nn.BatchNorm2d(mid)
        self.conv3, self.bn3 = conv(mid, cout, 1, bias=True), nn.BatchNorm2d(cout)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        return F.relu(self.bn3(self.conv3(x)))


class TofdSepConv(nn.Module):
    """TOFD's SepConv: depthwise 3x3 stride 2, 1x1 (C_in), BN - ReLU, depthwise 3x3, 1x1 (C_out), BN - ReLU."""

    def __init__(self, cin, cout):
        super().__init__()
        self.dw1, self.pw1, self.bn1 = conv(cin, cin, 3, 2, 1, groups=cin), conv(cin, cin, 1), nn.BatchNorm2d(cin)
        self.dw2, self.pw2, self.bn2 = conv(cin, cin, 3, 1, 1, groups=cin), conv(cin, cout, 1), nn.BatchNorm2d(cout)

    def forward(self, x):
        x = F.relu(self.bn1(self.pw1(self.dw1(x))))
        return F.relu(self.bn2(self.pw2(self.dw2(x))))


class MultiExit(nn.Module):
    """A backbone plus exits: registers exit e's modules as ex{e}... and ex{e}linear at the top level
    (the official code's flat naming), and turns stage outputs into K logits and K features."""

    def __init__(self, structure, num_classes, exit_inputs, exit_widths, final_width):
        """exit_inputs: channels of the stage output each exit reads; exit_widths: per exit, the widths of
        the remaining stride-2 stages (one downsampling block each); final_width: the main feature's channels."""
        super().__init__()
        self.structure = structure
        self.exits = []
        for e, (cin, widths) in enumerate(zip(exit_inputs, exit_widths), start=1):
            names = []
            if structure == "bottleneck":
                c = cin
                for b, w in enumerate(widths, start=1):
                    out = final_width if b == len(widths) else w  # choice: the last block ends at the main width
                    setattr(self, f"ex{e}conv{b}", ProposedExitBlock(c, w, out))
                    names.append(f"ex{e}conv{b}")
                    c = out
            elif structure == "lct":
                c = cin
                for b, w in enumerate(widths, start=1):
                    out = final_width if b == len(widths) else w
                    setattr(self, f"ex{e}conv{b}", LctExitBlock(c, out))
                    names.append(f"ex{e}conv{b}")
                    c = out
            elif structure == "byot":
                setattr(self, f"ex{e}branch", ByotBranch(cin, final_width, 2 ** len(widths)))
                names.append(f"ex{e}branch")
            elif structure == "tofd":
                c = cin
                for b, w in enumerate(widths, start=1):
                    out = final_width if b == len(widths) else w
                    setattr(self, f"ex{e}sep{b}", TofdSepConv(c, out))
                    names.append(f"ex{e}sep{b}")
                    c = out
            else:
                raise SystemExit(f"unknown exit structure {structure}")
            setattr(self, f"ex{e}linear", nn.Linear(final_width, num_classes))
            self.exits.append(names)

    def heads(self, stage_outputs, main_feature):
        logits, features = [], []
        for e, (x, names) in enumerate(zip(stage_outputs, self.exits), start=1):
            for n in names:
                x = getattr(self, n)(x)
            if self.structure == "lct":
                x = F.relu(x)
            features.append(x)
            logits.append(getattr(self, f"ex{e}linear")(F.adaptive_avg_pool2d(x, 1).flatten(1)))
        features.append(main_feature)
        logits.append(self.linear(F.adaptive_avg_pool2d(main_feature, 1).flatten(1)))
        return tuple(logits) + tuple(features)


# ---------------------------------------------------------------- backbones

class BasicBlock(nn.Module):
    """Post-activation ResNet block of the official resnet.py."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1, self.bn1 = conv(cin, cout, 3, stride, 1), nn.BatchNorm2d(cout)
        self.conv2, self.bn2 = conv(cout, cout, 3, 1, 1), nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(conv(cin, cout, 1, stride), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + (x if self.downsample is None else self.downsample(x)))


class ResNet(MultiExit):
    """CIFAR ResNet18/34 of the official code: 3x3 stem, BN without ReLU, no max-pool; exits after layers 1-3."""

    def __init__(self, blocks, exits, width, num_classes):
        w = [scaled(c, width) for c in (64, 128, 256, 512)]
        super().__init__(exits, num_classes, w[:3], [w[1:], w[2:], w[3:]], w[3])
        self.conv1, self.bn1 = conv(3, w[0], 3, 1, 1), nn.BatchNorm2d(w[0])
        cin = w[0]
        for s, (n, stride) in enumerate(zip(blocks, (1, 2, 2, 2))):
            layer = []
            for b in range(n):
                layer.append(BasicBlock(cin, w[s], stride if b == 0 else 1))
                cin = w[s]
            setattr(self, f"layer{s + 1}", nn.Sequential(*layer))
        self.linear = nn.Linear(w[3], num_classes)

    def forward(self, x):
        x = self.bn1(self.conv1(x))  # the official forward has no ReLU here
        stages = []
        for s in range(1, 5):
            x = getattr(self, f"layer{s}")(x)
            stages.append(x)
        return self.heads(stages[:3], x)


class WideBlock(nn.Module):
    """xternalz's pre-activation wide block: with equal widths the shortcut is the raw input; otherwise
    a 1x1 conv of the activated input."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.bn1, self.conv1 = nn.BatchNorm2d(cin), conv(cin, cout, 3, stride, 1)
        self.bn2, self.conv2 = nn.BatchNorm2d(cout), conv(cout, cout, 3, 1, 1)
        self.equal = cin == cout
        self.convShortcut = None if self.equal else conv(cin, cout, 1, stride)

    def forward(self, x):
        act = F.relu(self.bn1(x))
        out = self.conv2(F.relu(self.bn2(self.conv1(act))))
        return out + (x if self.equal else self.convShortcut(act))


class Group(nn.Module):
    def __init__(self, n, cin, cout, stride):
        super().__init__()
        self.layer = nn.Sequential(*[WideBlock(cin if i == 0 else cout, cout, stride if i == 0 else 1) for i in range(n)])

    def forward(self, x):
        return self.layer(x)


class WideResNet(MultiExit):
    """WRN-d-4 without dropout; two exits (after groups 1 and 2); main feature after the final BN-ReLU."""

    def __init__(self, depth, exits, width, num_classes):
        n = (depth - 4) // 6
        w = [scaled(c, width) for c in (64, 128, 256)]
        super().__init__(exits, num_classes, w[:2], [w[1:], w[2:]], w[2])
        self.conv1 = conv(3, scaled(16, width), 3, 1, 1)
        self.block1 = Group(n, scaled(16, width), w[0], 1)
        self.block2 = Group(n, w[0], w[1], 2)
        self.block3 = Group(n, w[1], w[2], 2)
        self.bn1 = nn.BatchNorm2d(w[2])
        self.linear = nn.Linear(w[2], num_classes)  # xternalz calls it fc

    def forward(self, x):
        x = self.conv1(x)
        g1 = self.block1(x)
        g2 = self.block2(g1)
        main = F.relu(self.bn1(self.block3(g2)))
        return self.heads([g1, g2], main)


class InvertedResidual(nn.Module):
    """kuangliu's MobileNetV2 block; residual only at stride 1, a 1x1 conv + BN shortcut when widths differ."""

    def __init__(self, cin, cout, expansion, stride):
        super().__init__()
        planes = expansion * cin
        self.stride = stride
        self.conv1, self.bn1 = conv(cin, planes, 1), nn.BatchNorm2d(planes)
        self.conv2, self.bn2 = conv(planes, planes, 3, stride, 1, groups=planes), nn.BatchNorm2d(planes)
        self.conv3, self.bn3 = conv(planes, cout, 1), nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride == 1 and cin != cout:
            self.shortcut = nn.Sequential(conv(cin, cout, 1), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return out + self.shortcut(x) if self.stride == 1 else out


class MobileNetV2(MultiExit):
    """kuangliu's CIFAR MobileNetV2; exits after stages "24", "32", "96" with Fig. 1's widths, each
    ending at the 1280-channel main feature (choice)."""

    CFG = [(1, 16, 1, 1), (6, 24, 2, 1), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]

    def __init__(self, exits, width, num_classes):
        s = lambda c: scaled(c, width)  # noqa: E731
        super().__init__(exits, num_classes, [s(24), s(32), s(96)],
                         [[s(144), s(192), s(320)], [s(192), s(320)], [s(320)]], s(1280))
        self.conv1, self.bn1 = conv(3, s(32), 3, 1, 1), nn.BatchNorm2d(s(32))
        layers, cin, self.taps = [], s(32), []
        for t, c, n, stride in self.CFG:
            for i in range(n):
                layers.append(InvertedResidual(cin, s(c), t, stride if i == 0 else 1))
                cin = s(c)
            self.taps.append(len(layers) - 1)
        self.layers = nn.Sequential(*layers)
        self.conv2, self.bn2 = conv(cin, s(1280), 1), nn.BatchNorm2d(s(1280))
        self.linear = nn.Linear(s(1280), num_classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        outs = []
        for i, layer in enumerate(self.layers):
            x = layer(x)
            outs.append(x)
        main = F.relu(self.bn2(self.conv2(x)))
        return self.heads([outs[self.taps[1]], outs[self.taps[2]], outs[self.taps[4]]], main)


class SqueezeExcite(nn.Module):
    def __init__(self, channels, squeeze):
        super().__init__()
        self.se1, self.se2 = conv(channels, squeeze, 1, bias=True), conv(squeeze, channels, 1, bias=True)

    def forward(self, x):
        a = swish(self.se1(F.adaptive_avg_pool2d(x, 1)))
        return x * torch.sigmoid(self.se2(a))


class MBConv(nn.Module):
    """kuangliu's EfficientNet block without drop-connect; no expansion conv when the expansion is 1
    (kuangliu creates one and leaves it unused)."""

    def __init__(self, cin, cout, kernel, stride, expansion):
        super().__init__()
        planes = expansion * cin
        self.expand = expansion != 1
        if self.expand:
            self.conv1, self.bn1 = conv(cin, planes, 1), nn.BatchNorm2d(planes)
        self.conv2 = conv(planes, planes, kernel, stride, kernel // 2, groups=planes)
        self.bn2 = nn.BatchNorm2d(planes)
        # kuangliu: int(cin * 0.25); at least 1 so that narrow test widths stay buildable (choice)
        self.se = SqueezeExcite(planes, max(1, int(cin * 0.25)))
        self.conv3, self.bn3 = conv(planes, cout, 1), nn.BatchNorm2d(cout)
        self.skip = stride == 1 and cin == cout

    def forward(self, x):
        out = swish(self.bn1(self.conv1(x))) if self.expand else x
        out = swish(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(self.se(out)))
        return out + x if self.skip else out


class EfficientNetB0(MultiExit):
    """CIFAR EfficientNetB0 after kuangliu, with Fig. 1's strides (stage "24" at stride 1) and no
    dropout; exits after stages "24", "40", "112"."""

    CFG = [(1, 16, 1, 1, 3), (6, 24, 2, 1, 3), (6, 40, 2, 2, 5), (6, 80, 3, 2, 3), (6, 112, 3, 1, 5),
           (6, 192, 4, 2, 5), (6, 320, 1, 1, 3)]

    def __init__(self, exits, width, num_classes):
        s = lambda c: scaled(c, width)  # noqa: E731
        super().__init__(exits, num_classes, [s(24), s(40), s(112)],
                         [[s(144), s(240), s(320)], [s(240), s(320)], [s(320)]], s(320))
        self.conv1, self.bn1 = conv(3, s(32), 3, 1, 1), nn.BatchNorm2d(s(32))
        layers, cin, self.taps = [], s(32), []
        for t, c, n, stride, k in self.CFG:
            for i in range(n):
                layers.append(MBConv(cin, s(c), k, stride if i == 0 else 1, t))
                cin = s(c)
            self.taps.append(len(layers) - 1)
        self.layers = nn.Sequential(*layers)
        self.linear = nn.Linear(s(320), num_classes)

    def forward(self, x):
        x = swish(self.bn1(self.conv1(x)))
        outs = []
        for layer in self.layers:
            x = layer(x)
            outs.append(x)
        return self.heads([outs[self.taps[1]], outs[self.taps[2]], outs[self.taps[4]]], x)


# ---------------------------------------------------------------- MSDNet (its own classifiers)

MSD_STEPS, MSD_FACTORS = (4, 2, 2, 2), (1, 2, 4)


class ConvBasic(nn.Module):
    """conv (no bias) - BN - ReLU as net.0/1/2 (the original's module names)."""

    def __init__(self, cin, cout, k, stride):
        super().__init__()
        self.net = nn.Sequential(conv(cin, cout, k, stride, k // 2), nn.BatchNorm2d(cout), nn.ReLU())

    def forward(self, x):
        return self.net(x)


class ConvBN(nn.Module):
    """Bottleneck 1x1 to min(cin, factor * cout) - BN - ReLU, then 3x3 (stride 1 or 2) - BN - ReLU, as net.0-5."""

    def __init__(self, cin, cout, stride, factor):
        super().__init__()
        inner = min(cin, factor * cout)
        self.net = nn.Sequential(conv(cin, inner, 1), nn.BatchNorm2d(inner), nn.ReLU(),
                                 conv(inner, cout, 3, stride, 1), nn.BatchNorm2d(cout), nn.ReLU())

    def forward(self, x):
        return self.net(x)


class MsdLayer(nn.Module):
    """One layer over the scales it keeps: each output scale is its input joined with new maps from it
    and (strided, half the growth each) from the next finer scale; dropping the finest scale shifts the pairs."""

    def __init__(self, width, growth, in_scales, out_scales):
        super().__init__()
        self.discard = in_scales > out_scales
        offset = len(MSD_FACTORS) - out_scales
        self.layers = nn.ModuleList()
        for j in range(out_scales):
            f = MSD_FACTORS[offset + j]
            m = nn.Module()
            if j == 0 and not self.discard:
                m.conv_normal = ConvBN(width * f, growth * f, 1, f)
            else:
                finer = MSD_FACTORS[offset + j - 1]
                m.conv_down = ConvBN(width * finer, growth * f // 2, 2, finer)
                m.conv_normal = ConvBN(width * f, growth * f // 2, 1, f)
            self.layers.append(m)

    def forward(self, maps):
        out = []
        for j, m in enumerate(self.layers):
            if not hasattr(m, "conv_down"):
                out.append(torch.cat([maps[0], m.conv_normal(maps[0])], 1))
            else:
                finer, x = (maps[j], maps[j + 1]) if self.discard else (maps[j - 1], maps[j])
                out.append(torch.cat([x, m.conv_down(finer), m.conv_normal(x)], 1))
        return out


class FirstLayer(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.layers = nn.ModuleList()
        cin = 3
        for s, f in enumerate(MSD_FACTORS):
            self.layers.append(ConvBasic(cin, channels * f, 3, 1 if s == 0 else 2))
            cin = channels * f

    def forward(self, x):
        maps = []
        for layer in self.layers:
            x = layer(x)
            maps.append(x)
        return maps


class Transition(nn.Module):
    def __init__(self, width, reduced, offset, scales):
        super().__init__()
        self.m = nn.ModuleList(ConvBasic(width * MSD_FACTORS[offset + i], reduced * MSD_FACTORS[offset + i], 1, 1)
                               for i in range(scales))

    def forward(self, maps):
        return [t(x) for t, x in zip(self.m, maps)]


class MsdNet(nn.Module):
    """MSDNet's CIFAR anytime configuration with four classifiers (one after each block, on the coarsest
    scale: two ConvBasic 3x3/s2 with 128 channels, average pooling, Linear); with exits "none" only the
    last classifier. Width scales the 16 channels, the 128 and half the growth rate (3, so it stays even)."""

    def __init__(self, exits, width, num_classes):
        super().__init__()
        channels, growth, head = scaled(16, width), 2 * scaled(3, width), scaled(128, width)
        scales, total = len(MSD_FACTORS), sum(MSD_STEPS)
        every = -(-total // scales)
        self.blocks = nn.ModuleList()
        self.classifier = nn.ModuleDict()
        w, layer = channels, 0
        for b, steps in enumerate(MSD_STEPS):
            block = nn.ModuleList([FirstLayer(channels)] if b == 0 else [])
            for _ in range(steps):
                layer += 1
                in_scales = scales - max(0, layer - 2) // every
                out_scales = scales - (layer - 1) // every
                block.append(MsdLayer(w, growth, in_scales, out_scales))
                w += growth
                if in_scales > out_scales:
                    reduced = int(0.5 * w)
                    block.append(Transition(w, reduced, scales - out_scales, out_scales))
                    w = reduced
            self.blocks.append(block)
            if exits != "none" or b == len(MSD_STEPS) - 1:
                c = nn.Module()
                c.m = nn.Sequential(ConvBasic(w * MSD_FACTORS[-1], head, 3, 2), ConvBasic(head, head, 3, 2))
                c.linear = nn.Linear(head, num_classes)
                self.classifier[str(b)] = c

    def forward(self, x):
        logits, features = [], []
        maps = x
        for b, block in enumerate(self.blocks):
            for module in block:
                maps = module(maps)
            if str(b) in self.classifier:
                c = self.classifier[str(b)]
                f = c.m(maps[-1])
                features.append(f)
                logits.append(c.linear(F.adaptive_avg_pool2d(f, 1).flatten(1)))
        return tuple(logits) + tuple(features)


def build(model, exits, width, num_classes):
    """The twin of `beed export --model M --exits X`."""
    if model in ("resnet18", "resnet34"):
        return ResNet([2, 2, 2, 2] if model == "resnet18" else [3, 4, 6, 3], exits, width, num_classes)
    if model in ("wrn16_4", "wrn28_4"):
        return WideResNet(16 if model == "wrn16_4" else 28, exits, width, num_classes)
    if model == "mobilenetv2":
        return MobileNetV2(exits, width, num_classes)
    if model == "efficientnet_b0":
        return EfficientNetB0(exits, width, num_classes)
    if model == "msdnet":
        return MsdNet(exits, width, num_classes)
    raise SystemExit(f"no twin for model {model}")
