#!/usr/bin/env python3
"""Summarises `./beed predict --bench` logs by exit profile q and batch size.

Each log starts with a line `== <time> commit <c> q <q> batch <b> rep <r>` (as
bench/early_exit_campaign.sh writes it) followed by the command's output. For each setting it
prints every run's median (% of the counted speed-up), and the median of all the runs' rounds
pooled, with a 95 % bootstrap interval (resampling whole runs, since rounds within one run share
the machine's state), and how many runs read at least the goal.

usage: bench/early_exit_summary.py LOG...
"""
import random
import re
import statistics
import sys
from collections import defaultdict

GOAL = 90  # % of the counted speed-up (step 11)


def parse(path):
    text = open(path, encoding="utf-8").read()
    head = re.search(r"^== \S+ commit (\S+) q (\S+) batch (\d+)", text, re.M)
    median = re.search(r"\): (\d+) % of the counted", text)
    rounds = re.search(r"streamed rounds, sorted, % of the counted speed-up:((?: \d+)+)", text)
    first = re.search(r"timed segments: (\d+) /", text)
    if not (head and median and rounds):
        raise SystemExit(f"{path}: not a complete `predict --bench --rounds` log (rerun it)")
    return {
        "commit": head.group(1), "q": head.group(2), "batch": int(head.group(3)),
        "median": int(median.group(1)), "rounds": [int(v) for v in rounds.group(1).split()],
        "first": int(first.group(1)) if first else None,
    }


def pooled_median_interval(runs, draws=4000, seed=1):
    rng = random.Random(seed)
    medians = []
    for _ in range(draws):
        sample = [r for _ in runs for r in rng.choice(runs)["rounds"]]
        medians.append(statistics.median(sample))
    medians.sort()
    return medians[int(0.025 * draws)], medians[int(0.975 * draws) - 1]


def main(paths):
    if not paths:
        raise SystemExit(__doc__)
    by_setting = defaultdict(list)
    for p in paths:
        r = parse(p)
        by_setting[(r["q"], r["batch"])].append(r)
    print(f"{'q':>4} {'batch':>5} {'runs':>4}  run medians (%)                     pooled rounds: median [95 % interval]"
          f"  runs >= {GOAL} %  first segment (% of a pass)")
    for (q, batch), runs in sorted(by_setting.items()):
        pooled = statistics.median([v for r in runs for v in r["rounds"]])
        lo, hi = pooled_median_interval(runs)
        meds = " ".join(str(r["median"]) for r in runs)
        firsts = [r["first"] for r in runs if r["first"] is not None]
        first = f"{min(firsts)}-{max(firsts)}" if firsts else "-"
        met = sum(r["median"] >= GOAL for r in runs)
        print(f"{q:>4} {batch:>5} {len(runs):>4}  {meds:<35} {pooled:>5.1f} [{lo:.1f}, {hi:.1f}]"
              f"{met:>12}/{len(runs)}  {first}")
    commits = sorted({r["commit"] for rs in by_setting.values() for r in rs})
    print("commits:", ", ".join(commits))


if __name__ == "__main__":
    main(sys.argv[1:])
