"""The keys of a reference fixture (docs/equivalence.md), computed by running a PyTorch multi-exit
model: forwards, BN running statistics, the four objectives' losses, terms, teachers and gradients,
and two BEED SGD steps. Shared by make_reference_fixture.py (the official BEED code) and
make_twin_fixture.py (the PyTorch twins of the other networks); comparison only, never used by the
library.

A model here is a torch.nn.Module whose forward returns K logits followed by K feature maps, exit 1
first and the main network last.
"""
import math
import os
import tempfile

import numpy as np
import torch
import torch.nn.functional as F

OBJECTIVES = ("CE", "KD", "EED", "BEED")


def randomise_batch_norm(model, seed):
    """Draws BN affine parameters and running statistics away from their defaults (seeded), so that
    a mix-up of weight, bias, mean and variance shows in every comparison."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.copy_(torch.rand(m.weight.shape, generator=g) + 0.5)
                m.bias.copy_(torch.rand(m.bias.shape, generator=g) * 0.4 - 0.2)
                m.running_mean.copy_(torch.rand(m.running_mean.shape, generator=g) * 0.6 - 0.3)
                m.running_var.copy_(torch.rand(m.running_var.shape, generator=g) * 1.5 + 0.5)


def state(model):
    """The state_dict without BN's num_batches_tracked counters (this package keeps none)."""
    return {k: v.detach().clone() for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}


def objective(mode, outputs, y, hp):
    """Total loss, named terms and (for EED/BEED) the detached teacher, as the official train.py."""
    k = len(outputs) // 2
    z, f = outputs[:k], outputs[k:]
    T = hp["T"]

    def kd(zs, q):
        return F.kl_div(F.log_softmax(zs / T, dim=1), q, reduction="sum") * T ** 2 / zs.size(0)

    ce = [F.cross_entropy(zi, y) for zi in z]
    terms = {f"CE{i + 1}": ce[i] for i in range(k)}
    if mode == "CE":
        return sum(ce), terms, None
    if mode == "KD":
        q = F.softmax(z[-1].detach() / T, dim=1)
        for i in range(k - 1):
            terms[f"KD{i + 1}"] = kd(z[i], q)
            terms[f"FD{i + 1}"] = F.mse_loss(f[i], f[-1].detach())
        total = sum(ce) + 0.1 * sum(terms[f"KD{i + 1}"] for i in range(k - 1)) \
            + 0.025 * sum(terms[f"FD{i + 1}"] for i in range(k - 1))
        return total, terms, None
    w = [hp["lam"] ** i for i in range(k)]
    w = [wi / sum(w) for wi in w]
    ze = sum(wi * zi for wi, zi in zip(w, z)).detach()
    fe = sum(wi * fi for wi, fi in zip(w, f)).detach()
    q = F.softmax(ze / T, dim=1)
    for i in range(k):
        terms[f"KD{i + 1}"] = kd(z[i], q)
        terms[f"FD{i + 1}"] = F.mse_loss(f[i], fe)
    fd = 0.1 * sum(terms[f"FD{i + 1}"] for i in range(k))
    if mode == "EED":
        total = sum(ce) + sum(terms[f"KD{i + 1}"] for i in range(k)) + fd
    else:
        g = hp["gamma"]
        total = sum((2 - g ** (k - 1 - i)) * ce[i] + g ** (k - 1 - i) * terms[f"KD{i + 1}"] for i in range(k)) + fd
    return total, terms, (ze, fe)


def compute(model, s0, x, y, hp, grad_objectives=OBJECTIVES, sgd=True):
    """Every compared key of a fixture, from parameters s0 on input x (in the dtype of model and x)."""
    out = {}

    def reset():
        missing, unexpected = model.load_state_dict(s0, strict=False)
        missing = [m for m in missing if not m.endswith("num_batches_tracked")]
        if missing or unexpected:
            raise SystemExit(f"state dict does not fit the model: missing {missing[:5]}, unexpected {unexpected[:5]}")

    def npy(t):
        return t.detach().cpu().numpy().copy()

    reset()
    model.eval()
    with torch.no_grad():
        e = model(x)
    k = len(e) // 2
    for i in range(k):
        out[f"eval/logits{i + 1}"] = npy(e[i])
        out[f"eval/feature{i + 1}"] = npy(e[k + i])
    out["eval/ensemble_logits"] = npy(sum(e[:k]))

    model.train()
    for mode in OBJECTIVES:
        reset()
        model.zero_grad()
        o = model(x)
        if mode == "CE":
            for i in range(k):
                out[f"train/logits{i + 1}"] = npy(o[i])
                out[f"train/feature{i + 1}"] = npy(o[k + i])
            for name, v in model.state_dict().items():
                if "running" in name:
                    out[f"train/after_forward/{name}"] = npy(v)
        total, terms, teacher = objective(mode, o, y, hp)
        total.backward()
        out[f"loss/{mode}"] = np.float64(total.item())
        for name, v in terms.items():
            out[f"loss/{mode}/{name}"] = np.float64(v.item())
        if teacher is not None:
            out[f"{mode}/teacher_logits"] = npy(teacher[0])
            out[f"{mode}/teacher_feature"] = npy(teacher[1])
        if mode in grad_objectives:
            for name, prm in model.named_parameters():
                if prm.grad is None:
                    raise SystemExit(f"{name} has no gradient under {mode}: the module is not used by forward")
                out[f"grad/{mode}/{name}"] = npy(prm.grad)

    if not sgd:
        return out
    reset()
    opt = torch.optim.SGD(model.parameters(), lr=hp["lr"], momentum=hp["momentum"], weight_decay=hp["weight_decay"])
    for step in (1, 2):
        opt.zero_grad()
        total, _, _ = objective("BEED", model(x), y, hp)
        total.backward()
        opt.step()
        out[f"sgd/loss_step{step}"] = np.float64(total.item())
    for name, v in state(model).items():
        out[f"sgd/after2/{name}"] = npy(v)
    return out


class ReluInputs:
    """Records the input of every F.relu call made while gradients are on (the training forwards),
    in call order; with flips (one boolean mask per call, from an earlier pass), those inputs take
    the other side of the kink: a unit counted active becomes inactive and vice versa. nn.ReLU and
    the official code's F.relu both go through torch.nn.functional.relu."""

    def __init__(self, flips=None):
        self.inputs = []
        self.flips = flips
        self._relu = None

    def __enter__(self):
        self._relu = F.relu

        def relu(t, *args, **kw):
            if not torch.is_grad_enabled():
                return self._relu(t, *args, **kw)
            i = len(self.inputs)
            self.inputs.append(t.detach().clone())
            if self.flips is None:
                return self._relu(t, *args, **kw)
            active = (t > 0) ^ self.flips[i]
            return t * active.to(t.dtype)

        F.relu = relu
        return self

    def __exit__(self, *exc):
        F.relu = self._relu


# A ReLU input within this many times the official float32 computation's own error on it
# (|x32 - x64|, element by element) has a sign another float32 computation, summing in another
# order, may get wrong.
AMBIGUITY = 4.0


def fixture(make_model, s0, x, y, hp, grad_objectives=OBJECTIVES, sgd=True):
    """The float32 keys and their float64 twins (f64/...), both from the same s0 and input, and the
    kink keys: how far the float64 gradients (kink/grad/<objective>) and SGD results
    (kink/sgd/after2/params, kink/sgd/after2/running-stats) move when every ReLU input closer to zero than AMBIGUITY x its float32 error
    takes the other side of the kink (0 when there is none; count in kink/ambiguous_relu_inputs).
    A float32 implementation may differ from float64 by that much without any fault.

    make_model() returns a fresh float32 model of the right architecture."""
    def run(dtype, relus):
        with relus:
            return compute(make_model().to(dtype), {k: v.to(dtype) for k, v in s0.items()}, x.to(dtype), y, hp,
                           grad_objectives, sgd)
    r32, r64 = ReluInputs(), ReluInputs()
    f32 = run(torch.float32, r32)
    f64 = run(torch.float64, r64)
    if len(r32.inputs) != len(r64.inputs):
        raise SystemExit(f"ReLU calls differ between float32 ({len(r32.inputs)}) and float64 ({len(r64.inputs)})")
    flips = [b.abs() < AMBIGUITY * (a.double() - b).abs() for a, b in zip(r32.inputs, r64.inputs)]
    ambiguous = sum(int(f.sum()) for f in flips)
    flipped = run(torch.float64, ReluInputs(flips)) if ambiguous else f64
    out = dict(f32)
    out.update({f"f64/{k}": v for k, v in f64.items()})
    groups = {f"grad/{o}": [k for k in f64 if k.startswith(f"grad/{o}/")] for o in grad_objectives}
    if sgd:
        after2 = [k for k in f64 if k.startswith("sgd/after2/")]
        groups["sgd/after2/params"] = [k for k in after2 if "running_" not in k]
        groups["sgd/after2/running-stats"] = [k for k in after2 if "running_" in k]
    for group, keys in groups.items():
        out["kink/" + group] = np.float64(relative_error([(flipped[k], f64[k]) for k in keys]))
    out["kink/ambiguous_relu_inputs"] = np.float64(ambiguous)
    return out


def relative_error(pairs, floor=1e-3):
    """The largest relative difference over (value, reference) array pairs, each measured against
    max(its reference's magnitude, floor x the largest magnitude among them), as the reference check
    does (exactly-zero gradients hold only rounding noise)."""
    pairs = [(np.asarray(v, dtype=np.float64), np.asarray(r, dtype=np.float64)) for v, r in pairs]
    if not pairs:
        return 0.0
    top = max(np.abs(ref).max() for _, ref in pairs)
    worst = 0.0
    for v, ref in pairs:
        scale = max(np.abs(ref).max(), floor * top)
        diff = np.abs(v - ref).max()
        worst = max(worst, diff / scale if scale > 0 else diff)
    return worst


def self_error(out, prefix, floor=1e-3):
    """The float32 computation's largest relative error against float64 over keys starting with prefix
    (see relative_error)."""
    return relative_error([(v, out[f"f64/{k}"]) for k, v in out.items() if k.startswith(prefix) and f"f64/{k}" in out], floor)


def save(path, arrays):
    """np.savez_compressed through a temporary file and an atomic rename: no half-written fixture."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    tmp = tempfile.NamedTemporaryFile(dir=folder, suffix=".npz", delete=False)
    tmp.close()
    try:
        np.savez_compressed(tmp.name, **arrays)
        os.chmod(tmp.name, 0o644)
        os.replace(tmp.name, path)
    finally:
        if os.path.exists(tmp.name):
            os.remove(tmp.name)


def add_hyperparameter_args(parser):
    """The loss and optimiser options both fixture tools take (defaults: the official recipe)."""
    parser.add_argument("--lam", type=float, default=1.6, help="λ, ensemble importance coefficient")
    parser.add_argument("--gamma", type=float, default=1.15, help="γ, CE/KD balancing constant")
    parser.add_argument("--T", type=float, default=3.0, help="distillation temperature")
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--wd", type=float, default=5e-4, help="weight decay")
    parser.add_argument("--objectives", default="CE,KD,EED,BEED", help="objectives whose gradients are stored")


def scaled(channels, width):
    """This package's width rule: channels x width, rounded half up, at least 1."""
    return max(1, int(math.floor(channels * width + 0.5)))


def narrowed_nn(width, in_channels=3):
    """A stand-in for the torch.nn module whose Conv2d, BatchNorm2d and Linear multiply every channel
    count by width (this package's rounding); the stem's 3 input channels become in_channels and the
    class count stays. Swapped into a model module while it is constructed, so its forward runs unchanged."""
    import types
    s = lambda c: scaled(c, width)  # noqa: E731

    class Conv2d(torch.nn.Conv2d):
        def __init__(self, cin, cout, *args, **kw):
            super().__init__(in_channels if cin == 3 else s(cin), s(cout), *args, **kw)

    class BatchNorm2d(torch.nn.BatchNorm2d):
        def __init__(self, c, *args, **kw):
            super().__init__(s(c), *args, **kw)

    class Linear(torch.nn.Linear):
        def __init__(self, cin, cout, *args, **kw):
            super().__init__(s(cin), cout, *args, **kw)

    ns = types.SimpleNamespace(**{k: getattr(torch.nn, k) for k in dir(torch.nn) if not k.startswith("_")})
    ns.Conv2d, ns.BatchNorm2d, ns.Linear = Conv2d, BatchNorm2d, Linear
    return ns
