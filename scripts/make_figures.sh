#!/usr/bin/env bash
# The pictures of README.md ("Pictures"), from shipped files only:
#   scripts/make_figures.sh [path/to/neuralize]
# Explanations and curves go to a temporary folder; the pictures to docs/img/.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ge 1 ]; then
    bin=$1
else
    cargo build --release --quiet
    bin=target/release/neuralize
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p docs/img

# The 0-based data rows of an explain output with the largest outlierness, comma-separated.
top_rows() {  # file count
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "outlierness") c = i; next }
             { print NR - 2 "," $c }' "$1" | sort -t, -k2,2 -g -r | head -n "$2" | cut -d, -f1 | paste -sd, -
}

# 1. Heatmaps: the three 8x8 digits the RBF one-class SVM finds most anomalous.
"$bin" explain --model models/ocsvm_digits_rbf.json --input models/ocsvm_digits_rbf.input.csv \
    --output "$tmp/digits.csv"
rows=$(top_rows "$tmp/digits.csv" 3)
echo "digits rows: $rows"
"$bin" plot heatmap --relevance "$tmp/digits.csv" --input models/ocsvm_digits_rbf.input.csv \
    --shape 8x8 --rows "$rows" --output docs/img/digits_heatmap.png

# 2. Bars: the 10 most relevant features of the most anomalous breast-cancer row.
"$bin" explain --model models/ocsvm_breast_cancer.json \
    --input models/ocsvm_breast_cancer.input.csv --output "$tmp/breast_cancer.csv"
row=$(top_rows "$tmp/breast_cancer.csv" 1)
echo "breast cancer row: $row"
"$bin" plot bars --relevance "$tmp/breast_cancer.csv" --row "$row" --top 10 \
    --output docs/img/breast_cancer_bars.svg

# 3. Flipping curves of the digits OC-SVM (rows with outlierness > 0), four explainers.
"$bin" evaluate --model models/ocsvm_digits_rbf.json --input models/ocsvm_digits_rbf.input.csv \
    --reference models/ocsvm_digits_rbf.train.csv \
    --methods neon,occlusion,gradient-x-input,random --draws 5 --seed 0 \
    --curves "$tmp/digits_curves.csv" > /dev/null
"$bin" plot curves --curves "$tmp/digits_curves.csv" --output docs/img/digits_curves.svg
