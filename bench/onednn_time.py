#!/usr/bin/python3
"""How much of a benchmark's wall time oneDNN's primitives take, by primitive kind, from
ONEDNN_VERBOSE=1 output (both DL4J, which calls oneDNN for its convolutions, and PyTorch, whose CPU
convolutions are oneDNN's, print it). The rest of the wall time is everything else: other native
ops, Java or Python, framework bookkeeping, memory.

  ONEDNN_VERBOSE=1 ./beed bench --width 0.25 --batch 32 --warmup 5 --iterations 20 > dl4j.log
  ONEDNN_VERBOSE=1 /usr/bin/python3 bench/beed_torch.py --width 0.25 --batch 32 --warmup 5 --iterations 20 > torch.log
  bench/onednn_time.py dl4j.log torch.log

Lines from the warm-up count too; compare totals of runs with the same warm-up and iterations.
"""
import argparse
import collections
import re


def primitive_times(path):
    """{(kind, propagation): (calls, milliseconds)} of the `exec` lines of one log."""
    out = collections.defaultdict(lambda: [0, 0.0])
    with open(path, errors="replace") as f:
        for line in f:
            if not line.startswith(("onednn_verbose,", "dnnl_verbose,")) or ",exec," not in line:
                continue
            fields = line.rstrip().split(",")
            try:
                ms = float(fields[-1])
            except ValueError:
                continue
            i = fields.index("exec")
            # newer oneDNN: exec,cpu,<kind>,<impl>,<prop>,...; older: exec,cpu,<kind>,<impl>,<prop>,...
            kind = fields[i + 2]
            prop = next((p for p in fields[i + 3:i + 6] if re.match(r"(forward|backward)", p)), "")
            entry = out[(kind, prop)]
            entry[0] += 1
            entry[1] += ms
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("logs", nargs="+")
    a = p.parse_args()
    for path in a.logs:
        times = primitive_times(path)
        total = sum(ms for _, ms in times.values())
        print(f"{path}: {total:.1f} ms in oneDNN primitives")
        for (kind, prop), (calls, ms) in sorted(times.items(), key=lambda kv: -kv[1][1]):
            print(f"  {kind:>14} {prop:>18} {calls:7d} calls {ms:10.1f} ms  {100 * ms / max(total, 1e-9):5.1f} %")


if __name__ == "__main__":
    main()
