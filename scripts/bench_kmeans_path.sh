#!/usr/bin/env bash
# k-means explanation cost against the forward pass, in memory, side by side (every round
# times forward, the default `neon-path@auto`, `neon-ref@auto` and the published `neon` in
# turn; best of REPEATS rounds), for k = 8, 30, 100 at d = 30 on 100,000 rows:
#   scripts/bench_kmeans_path.sh [REPEATS] [WORKDIR]
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
        "$repeats" neon-path@auto neon-ref@auto neon 2>/dev/null |
        python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
f = r["forward_s"]
m = r["methods"]
print("forward %.4f s | default %.2fx | neon-path@auto %.2fx | neon-ref@auto %.2fx | neon %.2fx"
      % (f, r["explain_default_s"] / f, m["neon-path@auto"] / f, m["neon-ref@auto"] / f,
         m["neon"] / f))'
done
