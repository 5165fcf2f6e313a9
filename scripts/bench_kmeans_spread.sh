#!/usr/bin/env bash
# `neon-spread@auto` against the forward pass and `neon-path@auto` on k-means, in memory,
# side by side (every round times forward, the default, `neon-path@auto` and
# `neon-spread@auto` in turn; best of REPEATS rounds), for k = 8, 30, 100 at d = 30 on
# 100,000 rows (issue 17's budget: explain <= 3x the forward pass):
#   scripts/bench_kmeans_spread.sh [REPEATS] [WORKDIR]
# WORKDIR holds kmeansK.json and rows100000.csv, as written by
#   python3 scripts/bench_vs_sklearn.py --only kmeans8,kmeans30,kmeans100
# (default /tmp/neuralize-bench-d30-n100000).
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-7}
dir=${2:-/tmp/neuralize-bench-d30-n100000}
for k in 8 30 100; do
    printf 'kmeans%s ' "$k"
    cargo bench --quiet --bench library -- "$dir/kmeans$k.json" "$dir/rows100000.csv" \
        "$repeats" neon-path@auto neon-spread@auto 2>/dev/null |
        python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
f = r["forward_s"]
m = r["methods"]
p, s = m["neon-path@auto"], m["neon-spread@auto"]
print("forward %.4f s | neon-path@auto %.2fx | neon-spread@auto %.2fx | spread / path %.2f"
      % (f, p / f, s / f, s / p))'
done
