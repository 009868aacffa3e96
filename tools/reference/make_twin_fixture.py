#!/usr/bin/python3
"""Make a reference fixture for any network and exit structure of this package from its PyTorch
twin (twin_models.py): load the Java model's initial state_dict written by

    ./beed export --model M --exits X --width W --classes C --seed S --out init.npz

into the twin (strict: every name and shape must match), draw the BN statistics away from their
defaults, run a random batch through the four objectives and two BEED SGD steps in float32 and
float64, and write a fixture in the key layout of docs/equivalence.md. Comparison only.

    /usr/bin/python3 tools/reference/make_twin_fixture.py --init init.npz --out fixture.npz --batch 4
    ./beed reference-check --precision double fixture.npz
"""
import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture_keys as fk  # noqa: E402
import twin_models  # noqa: E402

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("--init", required=True, help="output of ./beed export")
p.add_argument("--out", required=True)
p.add_argument("--batch", type=int, default=4)
p.add_argument("--seed", type=int, default=None, help="seed of BN statistics, input and labels (default: the export's)")
fk.add_hyperparameter_args(p)
p.add_argument("--no-sgd", action="store_true", help="leave out the two SGD steps (smaller file; the optimizer "
               "does not depend on the network and the official fixture checks it)")
a = p.parse_args()

init = np.load(a.init)
model_name, exits = str(init["config/model"]), str(init["config/exits"])
width, classes = float(init["config/width"]), int(init["config/num_classes"])
seed = int(init["config/seed"]) if a.seed is None else a.seed


def make_model():
    return twin_models.build(model_name, exits, width, classes)


model = make_model()
exported = {k[len("param/"):]: torch.from_numpy(init[k]) for k in init.files if k.startswith("param/")}
own = fk.state(model)
problems = [f"{k}: missing in the export" for k in own if k not in exported]
problems += [f"{k}: the twin has no such tensor" for k in exported if k not in own]
problems += [f"{k}: export {tuple(exported[k].shape)} vs twin {tuple(own[k].shape)}"
             for k in own if k in exported and exported[k].shape != own[k].shape]
if problems:
    raise SystemExit(f"{a.init}: the Java model and the twin differ ({len(problems)}):\n  " + "\n  ".join(problems[:20]))
model.load_state_dict(exported, strict=False)
fk.randomise_batch_norm(model, seed)
s0 = fk.state(model)

torch.manual_seed(seed)
hp = dict(T=a.T, lam=a.lam, gamma=a.gamma, lr=a.lr, momentum=a.momentum, weight_decay=a.wd)
x = torch.randn(a.batch, 3, 32, 32)
y = torch.randint(0, classes, (a.batch,))
keys = fk.fixture(make_model, s0, x, y, hp, tuple(a.objectives.split(",")), sgd=not a.no_sgd)
out = {f"config/{k}": np.float64(v) for k, v in dict(
    width=width, num_classes=classes, T=a.T, lam=a.lam, gamma=a.gamma, lr=a.lr, momentum=a.momentum,
    weight_decay=a.wd, seed=seed, batch=a.batch).items()}
out["config/model"], out["config/exits"] = np.str_(model_name), np.str_(exits)
out["input"] = x.numpy()
out["target"] = y.numpy().astype(np.int64)
for k, v in s0.items():
    out[f"param/{k}"] = v.numpy()
out.update(keys)
fk.save(a.out, out)
print(f"wrote {a.out}: {model_name}/{exits} width {width}, {sum(v.numel() for v in model.parameters())} parameters, "
      f"{os.path.getsize(a.out) / 1e6:.1f} MB; official float32 vs float64: gradients {fk.self_error(out, 'grad/'):.2e}"
      + ("" if a.no_sgd else f", after two SGD steps {fk.self_error(out, 'sgd/after2/'):.2e}")
      + f"; {int(out['kink/ambiguous_relu_inputs'])} ReLU inputs within float32's reach of zero")
