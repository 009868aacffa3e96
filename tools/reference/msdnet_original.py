#!/usr/bin/python3
"""Hold this package's MSDNet against the original implementation (a clone of
kalviny/MSDNet-PyTorch, which this repository does not carry). Comparison only.

    git clone https://github.com/kalviny/MSDNet-PyTorch /tmp/MSDNet-PyTorch
    ./beed export --model msdnet --width 1 --classes 100 --seed 3 --out /tmp/msdnet-init.npz
    /usr/bin/python3 tools/reference/msdnet_original.py --original /tmp/MSDNet-PyTorch --init /tmp/msdnet-init.npz

1. Builds the original MSDNet in its CIFAR anytime configuration and loads the Java export into it
   with strict=True (every module name and shape must agree).
2. Gives the original and the twin (twin_models.py) the same state, BN statistics drawn away from
   their defaults, and prints the largest difference of their four logits in float64 (eval and
   training mode).
3. Prints the original's own counts per exit (op_counter.measure_model, 32x32): parameters and
   "FLOPs", and the same counter restricted to conv and Linear weights (multiply-accumulates), to
   compare with `./beed summary --model msdnet` ("leaving at" table).
"""
import argparse
import contextlib
import io
import os
import sys
import types

import numpy as np
import torch

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("--original", required=True, help="a clone of kalviny/MSDNet-PyTorch")
p.add_argument("--init", required=True, help="output of ./beed export --model msdnet --width 1")
a = p.parse_args()

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(1, a.original)
import twin_models  # noqa: E402
import op_counter  # noqa: E402
from models.msdnet import MSDNet  # noqa: E402

init = np.load(a.init)
classes, width = int(init["config/num_classes"]), float(init["config/width"])
if width != 1.0 or str(init["config/model"]) != "msdnet" or classes not in (10, 100):
    raise SystemExit(f"{a.init}: export msdnet at --width 1 with --classes 10 or 100 (the original's configurations)")
state = {k[len("param/"):]: torch.from_numpy(init[k]) for k in init.files if k.startswith("param/")}


def original():
    args = types.SimpleNamespace(data="cifar100" if classes == 100 else "cifar10", nBlocks=4, stepmode="even", step=2,
                                 base=4, nChannels=16, growthRate=6, grFactor=[1, 2, 4], bnFactor=[1, 2, 4], nScales=3,
                                 prune="max", reduction=0.5, bottleneck=True)
    with contextlib.redirect_stdout(io.StringIO()):  # the original prints its layers
        return MSDNet(args)


net = original()
print("strict load of the Java export into the original:", net.load_state_dict(state, strict=True))
torch.manual_seed(0)
for k, v in net.state_dict().items():
    if k.endswith("running_var"):
        v.uniform_(0.5, 2.0)
    elif k.endswith("running_mean"):
        v.normal_(0.0, 0.5)
twin = twin_models.build("msdnet", "msdnet", 1.0, classes)
twin.load_state_dict(net.state_dict(), strict=True)
net.double()
twin.double()
x = torch.randn(4, 3, 32, 32, dtype=torch.float64)
for mode in ("eval", "train"):
    net.train(mode == "train")
    twin.train(mode == "train")
    with torch.no_grad():
        diffs = [float((o - t).abs().max()) for o, t in zip(net(x), twin(x)[:4])]
    print(f"largest |original - twin| of the four logits, float64, {mode} mode:", diffs)

with contextlib.redirect_stdout(io.StringIO()):
    ops, params = op_counter.measure_model(original().eval(), 32, 32)
print("original op_counter, per exit: parameters", params, "FLOPs", [int(o) for o in ops])

counted = op_counter.measure_layer


def weights_only(layer, x):
    """The same counter without ReLU, pooling and Linear-bias operations."""
    kind = op_counter.get_layer_info(layer)
    before = op_counter.count_ops
    counted(layer, x)
    if kind in ("ReLU", "AvgPool2d", "MaxPool2d", "AdaptiveAvgPool2d"):
        op_counter.count_ops = before
    elif kind == "Linear":
        op_counter.count_ops -= layer.bias.numel()
        op_counter.cls_ops[-1] = op_counter.count_ops


op_counter.measure_layer = weights_only
op_counter.cls_ops.clear()
op_counter.cls_params.clear()
with contextlib.redirect_stdout(io.StringIO()):
    macs, _ = op_counter.measure_model(original().eval(), 32, 32)
print("original op_counter, conv and Linear weights only (multiply-accumulates):", [int(m) for m in macs])
