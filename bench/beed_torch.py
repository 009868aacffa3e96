#!/usr/bin/python3
"""PyTorch twin of `./beed bench` (comparison only; not part of beed-lib).

The multi-exit CIFAR ResNet18 with bottleneck exits (docs/method.md, width multiplier applied to
every channel count and rounded like beed-lib's ModelConfig.scaled), or with --model any other
network of this package as its PyTorch twin (tools/reference/twin_models.py, the networks the
reference check compares with), the BEED objective (docs/method.md:
lambda 1.6, gamma 1.15, T 3, FD weight 0.1, detached ensemble teacher) and SGD with momentum 0.9,
weight decay 5e-4, no Nesterov. It times the same phases as beed-lib's ThroughputBenchmark:
warm-up then timed training steps (forward, loss, backward, SGD), then warm-up then timed eval-mode
forward passes through every classifier, on one fixed batch.

Prints one JSON object on the last line of stdout.
"""
import argparse
import json
import os
import resource
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def scaled(channels, width):
    # Java's Math.round: floor(x + 0.5)
    return max(1, int(np.floor(channels * width + 0.5)))


def conv_bn(c_in, c_out, k, stride, padding):
    return [nn.Conv2d(c_in, c_out, k, stride, padding, bias=False), nn.BatchNorm2d(c_out)]


class BasicBlock(nn.Module):
    def __init__(self, c_in, c_out, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.downsample = None
        if stride != 1 or c_in != c_out:
            self.downsample = nn.Sequential(*conv_bn(c_in, c_out, 1, stride, 0))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.downsample is None else self.downsample(x)))


def exit_block(c_in, c):
    """E(c_in, c, 2): 1x1 -> 3x3/s2 -> 1x1, each conv-BN-ReLU, no shortcut."""
    return [*conv_bn(c_in, c, 1, 1, 0), nn.ReLU(inplace=True),
            *conv_bn(c, c, 3, 2, 1), nn.ReLU(inplace=True),
            *conv_bn(c, c, 1, 1, 0), nn.ReLU(inplace=True)]


class MultiExitResNet18(nn.Module):
    def __init__(self, width, classes):
        super().__init__()
        w = [scaled(c, width) for c in (64, 128, 256, 512)]
        self.conv1 = nn.Conv2d(3, w[0], 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(w[0])  # no ReLU after the stem BN (official code, docs/method.md)
        stages, c_in = [], w[0]
        for s, c in enumerate(w):
            stride = 1 if s == 0 else 2
            stages.append(nn.Sequential(BasicBlock(c_in, c, stride), BasicBlock(c, c, 1)))
            c_in = c
        self.layers = nn.ModuleList(stages)
        self.exits = nn.ModuleList()
        for start in range(3):
            blocks, c = [], w[start]
            for nxt in w[start + 1:]:
                blocks += exit_block(c, nxt)
                c = nxt
            self.exits.append(nn.Sequential(*blocks))
        self.heads = nn.ModuleList(nn.Linear(w[3], classes) for _ in range(4))
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        x = self.bn1(self.conv1(x))
        features = []
        for s, layer in enumerate(self.layers):
            x = layer(x)
            if s < 3:
                features.append(self.exits[s](x))
        features.append(x)
        logits = [head(torch.flatten(F.adaptive_avg_pool2d(f, 1), 1)) for head, f in zip(self.heads, features)]
        return logits, features


class Twin(nn.Module):
    """A network of tools/reference/twin_models.py, returning (logits, features) like MultiExitResNet18."""

    def __init__(self, model, width, classes):
        super().__init__()
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "reference"))
        import twin_models
        self.net = twin_models.build(model, "msdnet" if model == "msdnet" else "bottleneck", width, classes)

    def forward(self, x):
        out = self.net(x)
        k = len(out) // 2
        return list(out[:k]), list(out[k:])


def beed_loss(logits, features, y, lam=1.6, gamma=1.15, temperature=3.0, fd_weight=0.1):
    k = len(logits)
    w = torch.tensor([lam ** i for i in range(k)])
    w = w / w.sum()
    teacher_z = sum(wi * z for wi, z in zip(w, logits)).detach()
    teacher_f = sum(wi * f for wi, f in zip(w, features)).detach()
    q = F.softmax(teacher_z / temperature, dim=1)
    n = y.shape[0]
    loss = 0.0
    for i, (z, f) in enumerate(zip(logits, features)):
        g = gamma ** (k - 1 - i)
        kd = F.kl_div(F.log_softmax(z / temperature, dim=1), q, reduction="sum") * temperature ** 2 / n
        loss = loss + (2 - g) * F.cross_entropy(z, y) + g * kd + fd_weight * F.mse_loss(f, teacher_f)
    return loss


def forward_macs(model, x):
    """Multiply-accumulates of one image through every Conv2d and Linear (forward)."""
    total = [0]

    def hook(m, inp, out):
        if isinstance(m, nn.Conv2d):
            total[0] += out.numel() // out.shape[0] * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]
        else:
            total[0] += m.in_features * m.out_features

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        model.eval()
        model(x[:1])
    for h in handles:
        h.remove()
    return total[0]


def gemm_gflops(n=2048, repeats=10):
    """Measured FP32 peak of this machine: the fastest of a 2048^2 torch.mm (BLAS) and two oneDNN
    convolutions that run near peak (1x1 over 1024 channels; 3x3 over 256 channels, 8x8, batch
    128, channels-last), each the median of `repeats` runs after one warm-up."""
    def median_seconds(fn):
        fn()
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return sorted(times)[len(times) // 2]

    a, b = torch.rand(n, n), torch.rand(n, n)
    rates = [2 * n ** 3 / median_seconds(lambda: torch.mm(a, b)) / 1e9]
    with torch.no_grad():
        x, conv = torch.rand(16, 1024, 32, 32), nn.Conv2d(1024, 1024, 1, bias=False)
        rates.append(2 * 16 * 1024 ** 3 / median_seconds(lambda: conv(x)) / 1e9)
        x = torch.rand(128, 256, 8, 8).to(memory_format=torch.channels_last)
        conv = nn.Conv2d(256, 256, 3, 1, 1, bias=False).to(memory_format=torch.channels_last)
        rates.append(2 * 128 * 64 * 256 * 256 * 9 / median_seconds(lambda: conv(x)) / 1e9)
    return max(rates)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="resnet18", help="resnet18 (this file's model) or any network of twin_models.py")
    p.add_argument("--width", type=float, default=1.0)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--classes", type=int, default=100)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--iterations", type=int, default=10)
    p.add_argument("--inputs", help="npz with x [N,3,32,32] float32 and y [N] int labels (default: seeded random)")
    p.add_argument("--gemm", action="store_true", help="only measure the 2048^2 FP32 GEMM peak and exit")
    a = p.parse_args()
    torch.manual_seed(1)
    if a.gemm:
        print(json.dumps({"gemm_gflops": gemm_gflops(), "threads": torch.get_num_threads()}))
        return
    if a.inputs:
        data = np.load(a.inputs)
        x, y = torch.from_numpy(data["x"]).float(), torch.from_numpy(data["y"]).long()
        if x.shape[0] != a.batch:
            sys.exit(f"{a.inputs}: x has {x.shape[0]} images, --batch is {a.batch}")
    else:
        x = torch.rand(a.batch, 3, 32, 32) - 0.5
        y = torch.randint(0, a.classes, (a.batch,))
    model = MultiExitResNet18(a.width, a.classes) if a.model == "resnet18" else Twin(a.model, a.width, a.classes)
    params = sum(p.numel() for p in model.parameters())
    macs = forward_macs(model, x)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)

    def train_step():
        opt.zero_grad(set_to_none=True)
        logits, features = model(x)
        beed_loss(logits, features, y).backward()
        opt.step()

    model.train()
    for _ in range(a.warmup):
        train_step()
    t = time.perf_counter()
    for _ in range(a.iterations):
        train_step()
    train_s = time.perf_counter() - t
    train_peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    model.eval()
    with torch.no_grad():
        for _ in range(a.warmup):
            model(x)
        t = time.perf_counter()
        for _ in range(a.iterations):
            model(x)
        infer_s = time.perf_counter() - t
    print(json.dumps({
        "train_img_s": a.batch * a.iterations / train_s,
        "infer_img_s": a.batch * a.iterations / infer_s,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "train_peak_rss_mib": train_peak_rss,
        "parameters": params,
        "forward_macs_per_image": macs,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "mkldnn": torch.backends.mkldnn.is_available(),
    }))


if __name__ == "__main__":
    main()
