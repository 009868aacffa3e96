#!/usr/bin/env bash
# Early exit against its counted speed-up, many times over: `./beed predict --bench` on the committed
# `quick` ResNet18 BEED run at q 0.2 and 0.5, batches 256 and 128, the four settings interleaved so
# that the machine's slow spells fall on all of them alike. One log per run in OUT, then the summary
# of bench/early_exit_summary.py. Nothing else heavy should run meanwhile (2 cores).
#
# usage: bench/early_exit_campaign.sh [REPS (4)] [ROUNDS per run (9)] [OUT (results/bench/early-exit-<UTC stamp>)]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
reps=${1:-4}
rounds=${2:-9}
out=${3:-results/bench/early-exit-$(date -u +%Y%m%dT%H%M%SZ)}
run=results/runs/resnet18-bottleneck-beed-fashion-mnist-quick-s1-7d56fbda6881
mkdir -p "$out"
for rep in $(seq 1 "$reps"); do
  for setting in "0.2 256" "0.5 128" "0.2 128" "0.5 256"; do
    read -r q batch <<< "$setting"
    log="$out/q$q-b$batch-r$rep.log"
    echo "== $(date -u +%FT%TZ) commit $(git rev-parse --short HEAD) q $q batch $batch rep $rep" > "$log.tmp"
    ./beed predict --bench --rounds "$rounds" --batch "$batch" --run "$run" --q "$q" >> "$log.tmp" 2>&1
    mv "$log.tmp" "$log"
    echo "$log: $(grep -o '[0-9]* % of the counted' "$log" | head -1)"
  done
done
python3 bench/early_exit_summary.py "$out"/*.log
