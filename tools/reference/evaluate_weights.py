#!/usr/bin/python3
"""Load a finished run's weights.npz into the official BEED model code (github.com/hjdw2/BEED,
resnet.py) and measure its test accuracy on the run's test images: the trained weights of this
package are an ordinary PyTorch state_dict, and the official forward reproduces what the run
recorded. Comparison only: never used by the library.

    python3 tools/reference/evaluate_weights.py --official PATH/TO/BEED \\
        --run results/runs/resnet18-bottleneck-beed-fashion-mnist-quick-s1-7d56fbda6881

Runs of resnet18 or resnet34 with bottleneck exits (the official exits) or none (the Baseline:
only the main network is loaded and evaluated), on fashion-mnist (Debian's dataset-fashion-mnist,
or --data-dir). The narrower widths and the one-channel input are built as
make_reference_fixture.py does: the official module is constructed with channel-scaling
nn.Conv2d / nn.BatchNorm2d / nn.Linear, and its forward runs unchanged.

Exit status 1 when the file's SHA-256 differs from summary.json's weightsSha256, when a weight does
not fit, or when an accuracy differs from summary.json's by more than --max-images test images
(float32 summation order may move an image that sits on a decision boundary).
"""
import argparse
import gzip
import hashlib
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture_keys as fk  # noqa: E402

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("--official", required=True, help="checkout of github.com/hjdw2/BEED (holds resnet.py)")
p.add_argument("--run", required=True, help="a finished run directory holding weights.npz and summary.json")
p.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist", help="Fashion-MNIST's four *-ubyte.gz files")
p.add_argument("--max-images", type=int, default=2, help="allowed difference in correctly classified test images")
a = p.parse_args()

sys.path.insert(0, a.official)
import resnet  # noqa: E402  (the official model definition)

# Fashion-MNIST as this package reads it: 28x28 zero-padded to 32x32, (v/255 - mean) / std.
FASHION_MEAN, FASHION_STD = 0.2860, 0.3530


def fail(message):
    print(f"evaluate_weights: {message}", file=sys.stderr)
    sys.exit(1)


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        fail(f"{path}: unreadable ({e}); is --run a finished run directory?")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fashion_test(folder):
    images, labels = (os.path.join(folder, n) for n in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"))
    for f in (images, labels):
        if not os.path.isfile(f):
            fail(f"{f}: missing; apt-get install dataset-fashion-mnist or pass --data-dir")
    with gzip.open(images) as f:
        raw = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 28, 28)
    with gzip.open(labels) as f:
        y = np.frombuffer(f.read(), dtype=np.uint8, offset=8).astype(np.int64)
    padded = np.zeros((len(raw), 1, 32, 32), dtype=np.uint8)
    padded[:, 0, 2:30, 2:30] = raw
    table = ((np.arange(256) / 255.0 - FASHION_MEAN) / FASHION_STD).astype(np.float32)
    return table[padded], y


summary = read_json(os.path.join(a.run, "summary.json"))
config = summary["config"]
if config["model"] not in ("resnet18", "resnet34") or config["exits"] not in ("bottleneck", "none"):
    fail(f"{a.run}: {config['model']} with {config['exits']} exits is not in the official code "
         "(it has ResNet18/34 with the bottleneck exits)")
if config["dataset"] != "fashion-mnist":
    fail(f"{a.run}: dataset {config['dataset']}; this tool reads fashion-mnist runs")
if config.get("stemRelu") or config.get("imagenetStem"):
    fail(f"{a.run}: a stem the official CIFAR ResNet does not have (stemRelu / imagenetStem)")

weights = os.path.join(a.run, "weights.npz")
if not os.path.isfile(weights):
    fail(f"{weights}: missing; only finished runs write it")
recorded = summary.get("weightsSha256")
actual = sha256(weights)
if recorded is not None and recorded != actual:
    fail(f"{weights}: SHA-256 {actual} differs from summary.json's weightsSha256 {recorded}")

saved = resnet.nn
resnet.nn = fk.narrowed_nn(config["width"], 1)
try:
    blocks = [2, 2, 2, 2] if config["model"] == "resnet18" else [3, 4, 6, 3]
    model = resnet.ResNet(resnet.BasicBlock, blocks, num_classes=10)
finally:
    resnet.nn = saved
with np.load(weights) as z:
    state = {k: torch.from_numpy(z[k]) for k in z.files}
missing, unexpected = model.load_state_dict(state, strict=False)
missing = [m for m in missing if not m.endswith("num_batches_tracked")]
if config["exits"] == "none":
    missing = [m for m in missing if not m.startswith("ex")]  # the Baseline has no exits to load
if missing or unexpected:
    fail(f"{weights}: does not fit the official model: missing {missing[:5]}, unexpected {unexpected[:5]}")

x, y = fashion_test(a.data_dir)
model.eval()
logits = None
with torch.no_grad():
    for start in range(0, len(x), 500):
        out = model(torch.from_numpy(x[start:start + 500]))
        k = len(out) // 2
        batch = torch.stack([o for o in out[:k]]).numpy()
        logits = batch if logits is None else np.concatenate([logits, batch], axis=1)

names = ["Exit1", "Exit2", "Exit3", "Main"] if config["exits"] != "none" else ["Main"]
rows = [(n, logits[i if config["exits"] != "none" else -1]) for i, n in enumerate(names)]
if config["exits"] != "none":
    rows.append(("Ensemble", logits.sum(axis=0)))
final = summary["final"]
print(f"{summary['runId']}: weights.npz sha256 {actual[:16]}… "
      f"({'matches summary.json' if recorded else 'summary.json records none'}); official resnet.py, {len(y)} test images")
worst = 0
for name, l in rows:
    correct = int((l.argmax(axis=1) == y).sum())
    theirs = round(final[name] * len(y) / 100)
    worst = max(worst, abs(correct - theirs))
    print(f"  {name:<9} official code {100 * correct / len(y):6.2f} %   this package (summary.json) {final[name]:6.2f} %"
          f"   difference {correct - theirs:+d} images")
if worst > a.max_images:
    fail(f"an accuracy differs by {worst} images (> --max-images {a.max_images})")
print("evaluate_weights: the official code reproduces the run's test accuracies")
