#!/usr/bin/python3
"""Make a golden reference fixture by running the official BEED model code (github.com/hjdw2/BEED,
resnet.py) with PyTorch on the CPU: float32 keys and their float64 ground truth (f64/...), in the key
layout of docs/equivalence.md. Comparison only: never used by the library.

The official model is full width (64..512 channels). --width builds it narrower without editing it:
while the model is constructed, the module's nn.Conv2d, nn.BatchNorm2d and nn.Linear are replaced by
subclasses that multiply every channel count by the width (this package's rule: rounded half up, at
least 1; the 3 input channels and the class count stay). Its forward runs unchanged.

    python3 tools/reference/make_reference_fixture.py --official PATH/TO/BEED --out fixture.npz \\
        --width 0.0625 --classes 10 --seed 5 --batch 8 --lam 1.6 --gamma 1.15 --T 3

then check it:  ./beed reference-check --precision double fixture.npz
"""
import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture_keys as fk  # noqa: E402

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("--official", required=True, help="checkout of github.com/hjdw2/BEED (holds resnet.py)")
p.add_argument("--out", required=True)
p.add_argument("--depth", type=int, choices=(18, 34), default=18)
p.add_argument("--width", type=float, default=1.0)
p.add_argument("--classes", type=int, default=100)
p.add_argument("--seed", type=int, default=1)
p.add_argument("--batch", type=int, default=8)
fk.add_hyperparameter_args(p)
a = p.parse_args()

sys.path.insert(0, a.official)
import resnet  # noqa: E402  (the official model definition)


blocks = [2, 2, 2, 2] if a.depth == 18 else [3, 4, 6, 3]


def make_model():
    saved = resnet.nn
    resnet.nn = fk.narrowed_nn(a.width) if a.width != 1.0 else saved
    try:
        return resnet.ResNet(resnet.BasicBlock, blocks, num_classes=a.classes)
    finally:
        resnet.nn = saved


torch.manual_seed(a.seed)
np.random.seed(a.seed)
model = make_model()
fk.randomise_batch_norm(model, a.seed)
s0 = fk.state(model)
hp = dict(T=a.T, lam=a.lam, gamma=a.gamma, lr=a.lr, momentum=a.momentum, weight_decay=a.wd)
x = torch.randn(a.batch, 3, 32, 32)
y = torch.randint(0, a.classes, (a.batch,))
keys = fk.fixture(make_model, s0, x, y, hp, tuple(a.objectives.split(",")))

out = {f"config/{k}": np.float64(v) for k, v in dict(
    width=a.width, num_classes=a.classes, T=a.T, lam=a.lam, gamma=a.gamma, lr=a.lr, momentum=a.momentum,
    weight_decay=a.wd, seed=a.seed, batch=a.batch).items()}
out["input"] = x.numpy()
out["target"] = y.numpy().astype(np.int64)
for k, v in s0.items():
    out[f"param/{k}"] = v.numpy()
out.update(keys)
fk.save(a.out, out)
print(f"wrote {a.out}: {len(out)} arrays, {sum(v.numel() for v in model.parameters())} parameters; "
      f"official float32 vs float64: gradients {fk.self_error(out, 'grad/'):.2e}, "
      f"after two SGD steps {fk.self_error(out, 'sgd/after2/'):.2e}; "
      f"{int(out['kink/ambiguous_relu_inputs'])} ReLU inputs within float32's reach of zero")
