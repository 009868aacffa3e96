#!/usr/bin/python3
"""Where a `./beed bench` spends its time, from a Java Flight Recorder file.

ND4J work runs in native code, which JFR samples as jdk.NativeMethodSample with the Java stack
that called it; Java work is jdk.ExecutionSample. Each sample is attributed to the DL4J or
beed-lib frame nearest the top of its stack, and to the graph-level phase below it (forward,
backward, loss, SGD, ...). Record with:

  BEED_JAVA_OPTS="-Xmx2g -XX:StartFlightRecording=filename=/tmp/bench.jfr,settings=profile" \\
      ./beed bench --width 1 --warmup 3 --iterations 6
  bench/jfr_breakdown.py /tmp/bench.jfr [--top 30]
"""
import argparse
import collections
import subprocess
import sys

OWNERS = ("org.deeplearning4j.nn.layers.", "org.deeplearning4j.nn.graph.vertex.impl.", "io.github.beedjava.",
          "org.deeplearning4j.nn.updater.")
PHASES = (("calcBackpropGradients", "backward"), ("ffToLayerActivationsInWS", "forward (train)"),
          ("outputOfLayersDetached", "forward (eval)"), ("Objective", "loss"), ("LossMath", "loss"),
          ("PyTorchSgd", "sgd"), ("RunningStatistics", "bn running stats"), ("output", "forward (eval)"))


def samples(text):
    """(event type, [(class, method), ...] top frame first) for each sample in `jfr print` text."""
    kind, frames, in_stack = None, [], False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.endswith("{") and stripped.split()[0] in ("jdk.NativeMethodSample", "jdk.ExecutionSample"):
            kind, frames, in_stack = stripped.split()[0], [], False
        elif stripped.startswith("stackTrace = ["):
            in_stack = True
        elif in_stack and stripped == "]":
            in_stack = False
            yield kind, frames
        elif in_stack and "(" in stripped:
            cls, _, method = stripped[:stripped.index("(")].rpartition(".")
            frames.append((cls, method))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("jfr")
    p.add_argument("--top", type=int, default=30)
    a = p.parse_args()
    out = subprocess.run(["jfr", "print", "--stack-depth", "256", "--events",
                          "jdk.NativeMethodSample,jdk.ExecutionSample", a.jfr], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"jfr print failed: {out.stderr.strip()}")
    by_owner, by_phase = collections.Counter(), collections.Counter()
    total = 0
    for event_type, fr in samples(out.stdout):
        if not any(c.endswith("ThroughputBenchmark") for c, _ in fr):
            continue  # start-up, JIT and other threads
        total += 1
        owner = next((f"{c.rsplit('.', 1)[-1]}.{m}" for c, m in fr if c.startswith(OWNERS)), "other")
        phase = "other"
        for c, m in fr:
            hit = next((name for key, name in PHASES if key == m or c.endswith(key)), None)
            if hit:
                phase = hit
                break
        kind = "native" if event_type == "jdk.NativeMethodSample" else "java"
        by_owner[(phase, owner, kind)] += 1
        by_phase[phase] += 1
    if total == 0:
        sys.exit("no samples from beed-lib threads in " + a.jfr)
    print(f"{total} samples from the benchmark thread\n\nby phase:")
    for phase, n in by_phase.most_common():
        print(f"  {100 * n / total:5.1f}%  {phase}")
    print(f"\ntop {a.top} (phase, innermost DL4J/beed frame, native or java):")
    for (phase, owner, kind), n in by_owner.most_common(a.top):
        print(f"  {100 * n / total:5.1f}%  {phase:18} {owner:60} {kind}")


if __name__ == "__main__":
    main()
