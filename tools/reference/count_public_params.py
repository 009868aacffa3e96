#!/usr/bin/python3
"""Parameter counts of the public reference implementations' main networks (no exits, 100 classes),
next to this package's (`./beed summary --exits none --classes 100`). Comparison only.

    /usr/bin/python3 tools/reference/count_public_params.py --official BEED --kuangliu pytorch-cifar \\
        --wrn WideResNet-pytorch
(checkouts of github.com/hjdw2/BEED, kuangliu/pytorch-cifar and xternalz/WideResNet-pytorch)
"""
import argparse
import importlib.util
import os
import re
import subprocess
import sys

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("--official", required=True)
p.add_argument("--kuangliu", required=True)
p.add_argument("--wrn", required=True)
a = p.parse_args()


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def count(model, skip=()):
    return sum(v.numel() for k, v in model.named_parameters() if not k.startswith(skip))


official = load(os.path.join(a.official, "resnet.py"), "official_resnet")
sys.path.insert(0, a.kuangliu)
from models.mobilenetv2 import MobileNetV2  # noqa: E402
from models.efficientnet import EfficientNetB0  # noqa: E402
wrn = load(os.path.join(a.wrn, "wideresnet.py"), "wideresnet")
exits = ("ex1", "ex2", "ex3")


def efficientnet_b0_100():
    net = EfficientNetB0()
    net.linear = __import__("torch").nn.Linear(320, 100)
    return net


rows = [
    ("resnet18", "official BEED resnet.py, exits removed", count(official.ResNet(num_classes=100), exits)),
    ("resnet34", "official BEED resnet.py [3,4,6,3], exits removed",
     count(official.ResNet(official.BasicBlock, [3, 4, 6, 3], num_classes=100), exits)),
    ("wrn16_4", "xternalz WideResNet(16, 100, 4)", count(wrn.WideResNet(16, 100, 4))),
    ("wrn28_4", "xternalz WideResNet(28, 100, 4)", count(wrn.WideResNet(28, 100, 4))),
    ("mobilenetv2", "kuangliu MobileNetV2(100)", count(MobileNetV2(num_classes=100))),
    ("efficientnet_b0", "kuangliu EfficientNetB0, 100-class head", count(efficientnet_b0_100())),
]
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
print("| model | public implementation | its parameters | this package | difference |")
print("|---|---|---:|---:|---:|")
for model, source, theirs in rows:
    out = subprocess.run([os.path.join(root, "beed"), "summary", "--model", model, "--exits", "none", "--classes", "100"],
                         capture_output=True, text=True, check=True).stdout
    ours = int(re.search(r"total parameters: (\d+)", out).group(1))
    print(f"| {model} | {source} | {theirs:,} | {ours:,} | {ours - theirs:+,} |")
