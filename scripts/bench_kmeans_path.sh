#!/usr/bin/env bash
# k-means explanation cost against the forward pass, in memory, side by side (every round
# times forward, the default and each named method in turn; best of REPEATS rounds), for
# k = 8, 30, 100 at d = 30 on 100,000 rows:
#   scripts/bench_kmeans_path.sh [REPEATS] [WORKDIR] [METHOD...]
# METHODs default to `neon-spread@auto neon-path@auto neon-ref@auto neon`; e.g.
#   scripts/bench_kmeans_path.sh 15 "" neon-path@auto neon-spread@auto
# WORKDIR (empty: the default /tmp/neuralize-bench-d30-n100000) holds kmeansK.json and
# rows100000.csv, as written by
#   python3 scripts/bench_vs_sklearn.py --only kmeans8,kmeans30,kmeans100
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-7}
dir=${2:-/tmp/neuralize-bench-d30-n100000}
shift $(($# < 2 ? $# : 2))
methods=("$@")
[ ${#methods[@]} -gt 0 ] || methods=(neon-spread@auto neon-path@auto neon-ref@auto neon)
for k in 8 30 100; do
    printf 'kmeans%s ' "$k"
    cargo bench --quiet --bench library -- "$dir/kmeans$k.json" "$dir/rows100000.csv" \
        "$repeats" "${methods[@]}" 2>/dev/null |
        python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
f = r["forward_s"]
cells = ["forward %.4f s" % f, "default %.2fx" % (r["explain_default_s"] / f)]
cells += ["%s %.2fx" % (m, t / f) for m, t in r["methods"].items()]
print(" | ".join(cells))'
done
