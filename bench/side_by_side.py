#!/usr/bin/python3
"""Side-by-side throughput of `./beed bench` (DL4J) and its PyTorch twin (bench/beed_torch.py).

Both run as fresh processes, interleaved A, B, A, B, on the same batch (one seeded .npz), same
model (parameter counts are checked equal), same threads. Prints each run, the medians, the
DL4J/PyTorch ratios and the fraction of the measured FP32 GEMM peak, and each run's share of CPU
time stolen by the hypervisor (/proc/stat) with medians over the quiet rounds; writes
results/bench/side-by-side-<UTC stamp>.csv (one row per run, with provenance) atomically.

  bench/side_by_side.py --install          # apt-get install python3-torch first (Debian)
  bench/side_by_side.py --widths 1,0.25 --batch 128 --rounds 2
  bench/side_by_side.py --models all --widths 0.25 --batch 128,32 --rounds 3
"""
import argparse
import csv
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = "/usr/bin/python3"  # Debian's python3-torch lives in the system interpreter


def install_torch():
    apt = ["apt-get", "install", "-y", "--no-install-recommends", "python3-torch", "python3-numpy", "libopenblas0-pthread"]
    if os.geteuid() != 0:
        if not shutil.which("sudo"):
            sys.exit("bench: installing python3-torch needs root; run as root or install sudo")
        apt = ["sudo"] + apt
    subprocess.run(apt, check=True)


def torch_available():
    return subprocess.run([PYTHON, "-c", "import torch"], capture_output=True).returncode == 0


def run_measured(cmd, env):
    """Runs cmd and returns the JSON object on its last JSON line (each side reports its own peak RSS:
    VmHWM for the JVM, ru_maxrss for Python, both the process's resident high-water mark)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT, text=True)
    out, err = proc.communicate()
    if proc.returncode != 0:
        sys.stderr.write(err[-4000:])
        sys.exit(f"bench: {' '.join(map(str, cmd))} failed with exit code {proc.returncode}")
    lines = [l for l in out.splitlines() if l.startswith("{")]
    if not lines:
        sys.exit(f"bench: no JSON line from {' '.join(map(str, cmd))}:\n{out[-2000:]}")
    return json.loads(lines[-1])


def cpu_times():
    """(steal, total) jiffies of all CPUs from /proc/stat; (0, 0) where there is none."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return 0, 0
    # user nice system idle iowait irq softirq steal [guest guest_nice]: guest time is already in user
    return (fields[7] if len(fields) > 7 else 0), sum(fields[:8])


def steal_percent(before, after):
    """Share of the machine's CPU time the hypervisor took between two cpu_times() readings."""
    total = after[1] - before[1]
    return 100.0 * (after[0] - before[0]) / total if total > 0 else 0.0


QUIET_STEAL_PCT = 10.0  # rounds where both runs lost less than this to the hypervisor count as quiet


def git(*args):
    r = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else "unknown"


def cpu_model():
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def write_atomically(path, header, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=header)
            w.writeheader()
            w.writerows(rows)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


ALL_MODELS = ["resnet18", "resnet34", "wrn16_4", "wrn28_4", "mobilenetv2", "efficientnet_b0", "msdnet"]


def measure_pair(a, env, provenance, gemm, model, width, batch, batch_file):
    """a.rounds interleaved DL4J, PyTorch runs of one network, width and batch; one row per run."""
    # The same images per phase at every batch size: --warmup and --iterations count batches of 128.
    # Both sides speed up over their first hundreds of images (the JVM's JIT, PyTorch's allocator
    # cache); 5 + 10 batches of 32 measured both far below their steady state (bench/HISTORY.md).
    scale = max(1, round(128 / batch))
    common = ["--width", str(width), "--batch", str(batch), "--warmup", str(a.warmup * scale),
              "--iterations", str(a.iterations * scale), "--inputs", str(batch_file)]
    rows = []
    macs = None
    for r in range(1, a.rounds + 1):
        for framework, cmd in (("dl4j", [str(ROOT / "beed"), "bench", "--json", "--model", model, *common]),
                               ("pytorch", [PYTHON, "bench/beed_torch.py", "--model", model, *common])):
            before = cpu_times()
            res = run_measured(cmd, env)
            steal = steal_percent(before, cpu_times())
            rows.append(dict(provenance, framework=framework, model=model, width=width, batch=batch, round=r,
                             steal_pct=f"{steal:.1f}",
                             train_img_s=f"{res['train_img_s']:.2f}", infer_img_s=f"{res['infer_img_s']:.2f}",
                             peak_rss_mib=f"{res['peak_rss_mib']:.0f}",
                             train_peak_rss_mib=f"{res['train_peak_rss_mib']:.0f}", parameters=res["parameters"],
                             version=res.get("dl4j", res.get("torch")), backend=res.get("backend", "torch cpu")))
            if framework == "pytorch":
                macs = res["forward_macs_per_image"]
            print(f"  {model} width {width:<5} batch {batch:<4} round {r} {framework:8} train {res['train_img_s']:8.1f} img/s  "
                  f"infer {res['infer_img_s']:8.1f} img/s  rss {res['peak_rss_mib']:6.0f} MiB  "
                  f"steal {steal:4.1f} %", flush=True)
    params = {row["parameters"] for row in rows}
    if len(params) != 1:
        sys.exit(f"bench: the two {model} models differ at width {width}: parameter counts {sorted(params)}")
    train_gflop = 3 * 2 * macs / 1e9  # training ~ 3x forward
    for row in rows:
        row["train_gflop_per_img"] = f"{train_gflop:.4f}"
        row["train_pct_gemm_peak"] = f"{100 * float(row['train_img_s']) * train_gflop / gemm:.1f}"
    return rows


def main():
    p = argparse.ArgumentParser(description="DL4J (./beed bench) vs PyTorch, interleaved, same batch and model.")
    p.add_argument("--install", action="store_true", help="apt-get install python3-torch (and OpenBLAS) first")
    p.add_argument("--widths", default="1,0.25", help="comma-separated width multipliers (default 1,0.25)")
    p.add_argument("--batch", default="128", help="comma-separated batch sizes (default 128)")
    p.add_argument("--models", default="resnet18",
                   help="comma-separated networks, or all (the six of Table 2 and msdnet; default resnet18)")
    p.add_argument("--rounds", type=int, default=2, help="A,B pairs per width (default 2)")
    p.add_argument("--warmup", type=int, default=5, help="untimed batches of 128 images (more at smaller batches: same images)")
    p.add_argument("--iterations", type=int, default=10, help="timed batches of 128 images (more at smaller batches: same images)")
    p.add_argument("--threads", default=os.environ.get("OMP_NUM_THREADS", str(os.cpu_count())))
    p.add_argument("--label", default="", help="free text stored in every row (e.g. the change being measured)")
    p.add_argument("--out", type=Path, default=ROOT / "results" / "bench")
    p.add_argument("--java-opts", default=None, help="BEED_JAVA_OPTS for the DL4J side (default: the launcher's)")
    a = p.parse_args()
    if a.install:
        install_torch()
    if not torch_available():
        sys.exit("bench: PyTorch is not importable by /usr/bin/python3; rerun with --install (Debian python3-torch)")
    import numpy as np

    env = dict(os.environ, OMP_NUM_THREADS=a.threads)
    if a.java_opts is not None:
        env["BEED_JAVA_OPTS"] = a.java_opts
    subprocess.run([str(ROOT / "beed"), "--version"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)  # build once, untimed
    gemm = run_measured([PYTHON, "bench/beed_torch.py", "--gemm"], env)["gemm_gflops"]
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    provenance = {
        "date_utc": stamp, "git_commit": git("rev-parse", "--short=12", "HEAD"),
        "git_dirty": str(bool(git("status", "--porcelain", "--untracked-files=no"))).lower(),
        "hardware": f"{cpu_model()}, {os.cpu_count()} cores", "os": platform.platform(),
        "omp_threads": a.threads, "gemm_peak_gflops": f"{gemm:.1f}", "label": a.label,
        "warmup": a.warmup, "iterations": a.iterations,
    }
    print(f"FP32 peak (fastest of torch.mm 2048^2 and two oneDNN convolutions, medians of 10): {gemm:.1f} GFLOP/s; threads {a.threads}")
    models = ALL_MODELS if a.models == "all" else a.models.split(",")
    batches = [int(b) for b in a.batch.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        rng = np.random.default_rng(1)
        for model in models:
            for width in [float(w) for w in a.widths.split(",")]:
                for batch in batches:
                    batch_file = Path(tmp) / f"batch{batch}.npz"
                    if not batch_file.exists():
                        np.savez(batch_file, x=(rng.random((batch, 3, 32, 32), dtype=np.float32) - 0.5),
                                 y=rng.integers(0, 100, batch))
                    rows += measure_pair(a, env, provenance, gemm, model, width, batch, batch_file)
    header = list(rows[0].keys())
    out = a.out / f"side-by-side-{stamp}.csv"
    write_atomically(out, header, rows)

    print(f"\n{'model':>16} {'width':>6} {'batch':>5} {'metric':>20} {'DL4J':>10} {'PyTorch':>10} {'DL4J/PT':>8}   "
          f"(medians over {a.rounds} rounds)")
    for key in dict.fromkeys((r["model"], r["width"], r["batch"]) for r in rows):
        mine = [r for r in rows if (r["model"], r["width"], r["batch"]) == key]
        for metric in ("train_img_s", "infer_img_s", "peak_rss_mib", "train_peak_rss_mib", "train_pct_gemm_peak"):
            med = {fw: statistics.median(float(r[metric]) for r in mine if r["framework"] == fw) for fw in ("dl4j", "pytorch")}
            print(f"{key[0]:>16} {key[1]:>6} {key[2]:>5} {metric:>20} {med['dl4j']:>10.1f} {med['pytorch']:>10.1f} "
                  f"{med['dl4j'] / med['pytorch']:>8.2f}")
        # On a shared VM the hypervisor's share (steal) moves the numbers most: medians over the rounds
        # in which neither run lost more than QUIET_STEAL_PCT of the CPU, where there are any.
        quiet = [rd for rd in range(1, a.rounds + 1)
                 if all(float(r["steal_pct"]) < QUIET_STEAL_PCT for r in mine if r["round"] == rd)]
        if len(quiet) == a.rounds:
            continue
        print(f"{key[0]:>16} {key[1]:>6} {key[2]:>5} quiet rounds (steal < {QUIET_STEAL_PCT:.0f} % in both runs): {quiet or 'none'}")
        for metric in ("train_img_s", "infer_img_s") if quiet else ():
            med = {fw: statistics.median(float(r[metric]) for r in mine if r["framework"] == fw and r["round"] in quiet)
                   for fw in ("dl4j", "pytorch")}
            print(f"{key[0]:>16} {key[1]:>6} {key[2]:>5} {metric:>20} {med['dl4j']:>10.1f} {med['pytorch']:>10.1f} "
                  f"{med['dl4j'] / med['pytorch']:>8.2f}   (quiet rounds)")
    print(f"\nwrote {os.path.relpath(out, ROOT)}")


if __name__ == "__main__":
    main()
