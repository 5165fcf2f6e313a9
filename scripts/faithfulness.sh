#!/usr/bin/env bash
# Feature-flipping faithfulness tables of docs/faithfulness.md, from shipped files only:
#   scripts/faithfulness.sh [path/to/neuralize]
# ocsvm_breast_cancer: the 60 malignant input rows (the last 60; those flagged as outliers
# are explained); ocsvm_digits_rbf and kmeans_wine: every input row with output > 0.
# Reference rows: models/NAME.train.csv (scripts/training_rows.py). Marginal imputation:
# DRAWS draws per row (default 40; with 5 the marginal column of breast cancer is noise).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/neuralize}
[ -x "$bin" ] || cargo build --release --quiet
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{ head -n 1 models/ocsvm_breast_cancer.input.csv; tail -n 60 models/ocsvm_breast_cancer.input.csv; } \
    > "$tmp/malignant.csv"
kernel="default,neon-lean@1,neon-path@1,neon,neon@0.25,neon@auto,neon-floor@auto,neon-path@auto,neon-ref,neon-ref@auto,hybrid,hybrid@auto"
baselines="occlusion,gradient-x-input,sensitivity,integrated-gradients,taylor,meaningful-perturbation,shapley-sampling,random"
run() {  # name input methods
    echo "### $1"
    echo
    "$bin" evaluate --model "models/$1.json" --input "$2" --reference "models/$1.train.csv" \
        --methods "$3" --draws "${DRAWS:-40}" --seed 0 --curves "${CURVES_DIR:-$tmp}/$1.curves.csv"
    echo
}
run ocsvm_breast_cancer "$tmp/malignant.csv" "$kernel,$baselines"
run ocsvm_digits_rbf models/ocsvm_digits_rbf.input.csv "$kernel,$baselines"
run kmeans_wine models/kmeans_wine.input.csv "default,neon,neon@auto,neon-ref,neon-ref@auto,neon-path@auto,$baselines"
