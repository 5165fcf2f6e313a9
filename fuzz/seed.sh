#!/usr/bin/env bash
# Seed the fuzz corpora (fuzz/corpus/TARGET, not committed) from the shipped fixtures:
#   model_file   every models/*.json under 64 KB
#   csv_explain  every models/*.input.csv, models/fit/*.csv and a headerless copy, each behind
#                a few option bytes (the first byte of an input chooses model and options)
#   parse_names  every name of fuzz/seeds/parse_names.txt, one file each
set -euo pipefail
cd "$(dirname "$0")"
models=../models
mkdir -p corpus/model_file corpus/csv_explain corpus/parse_names
for f in "$models"/*.json; do
    [ "$(wc -c < "$f")" -le 65536 ] && cp "$f" corpus/model_file/
done
# Option bytes: bits 0-1 model (kmeans_iris, kde_iris, nameless k-means, ocsvm_blobs),
# 2-3 delimiter (, ; tab |), 4 --no-header, 5 --keep the first column, 6 --ignore-extra,
# 7 --rule neon.
n=0
for f in "$models"/kmeans_iris.input.csv "$models"/kde_iris.input.csv "$models"/ocsvm_blobs.input.csv \
         "$models"/fit/kmeans_iris.train.csv "$models"/fit/ocsvm_blobs5.heldout.csv; do
    for byte in 00 01 02 03 21 41 83; do
        { printf "\\x$byte"; head -c 8192 "$f"; } > "corpus/csv_explain/seed$n"
        n=$((n + 1))
    done
    # head stops reading at 8 KB, so tail may die of SIGPIPE on longer files (pipefail): allowed.
    { printf '\x12'; tail -n +2 "$f" | head -c 8192 || true; } > "corpus/csv_explain/seed$n"; n=$((n + 1))
    { printf '\x04'; head -c 8192 "$f" | tr , ';'; } > "corpus/csv_explain/seed$n"; n=$((n + 1))
    { printf '\x00'; head -c 8192 "$f" | sed 's/$/\r/'; } > "corpus/csv_explain/seed$n"; n=$((n + 1))
done
i=0
while IFS= read -r name; do
    printf '%s' "$name" > "corpus/parse_names/seed$i"
    i=$((i + 1))
done < seeds/parse_names.txt
echo "seeded: $(ls corpus/model_file | wc -l) model files, $n CSV inputs, $i names"
