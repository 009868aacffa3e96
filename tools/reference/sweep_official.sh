#!/usr/bin/env bash
# Makes fixtures from the official BEED code at several widths, class counts, batches, seeds and
# hyper-parameters, and runs ./beed reference-check on each in double and float precision.
#   tools/reference/sweep_official.sh PATH/TO/BEED [OUT_DIR]
# PATH/TO/BEED: a checkout of github.com/hjdw2/BEED. Needs /usr/bin/python3 with python3-torch.
set -euo pipefail
official="${1:?usage: sweep_official.sh PATH/TO/BEED [OUT_DIR]}"
out="${2:-$(mktemp -d)}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
status=0
#     name                 args
while read -r name args; do
  [ -z "$name" ] && continue
  f="$out/$name.npz"
  /usr/bin/python3 "$root/tools/reference/make_reference_fixture.py" --official "$official" --out "$f" $args | sed 's/^/  /'
  for p in double float; do
    line="$("$root/beed" reference-check --precision $p "$f" 2>/dev/null | tail -1)" || status=1
    printf '%-28s %-7s %s\n' "$name" "$p" "$line"
  done
done <<'LIST'
r18-w0.0625-c10-b8        --width 0.0625 --classes 10 --batch 8 --seed 5
r18-w0.125-c100-b4        --width 0.125 --classes 100 --batch 4 --seed 2 --lam 1.3 --gamma 1.1 --T 4
r18-w0.1875-c37-b16       --width 0.1875 --classes 37 --batch 16 --seed 11 --lr 0.05 --momentum 0.8 --wd 1e-4
r18-w0.375-c10-b4         --width 0.375 --classes 10 --batch 4 --seed 7 --lam 2.2 --gamma 1.25 --T 2
r34-w0.0625-c100-b8       --depth 34 --width 0.0625 --classes 100 --batch 8 --seed 3 --gamma 1.0
r18-w0.25-c100-b32        --width 0.25 --classes 100 --batch 32 --seed 1 --objectives KD,BEED
LIST
exit $status
