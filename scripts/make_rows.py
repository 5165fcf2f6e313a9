#!/usr/bin/env python3
"""Write a large CSV for streaming measurements: rows of a shipped input resampled with noise.

    python3 scripts/make_rows.py models/ocsvm_breast_cancer.input.csv 1000000 > rows_1e6.csv

Each output row is a random input row with every cell multiplied by (1 + 0.05 N(0, 1)).
Standard library only; seeded, so the same arguments give the same file.
"""
import csv
import random
import sys


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit("usage: make_rows.py INPUT.csv N_ROWS > OUTPUT.csv")
    with open(sys.argv[1], newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [[float(c) for c in row] for row in reader]
    n_rows = int(sys.argv[2])
    rng = random.Random(0)
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(header)
    for _ in range(n_rows):
        row = rng.choice(rows)
        out.writerow([repr(v * (1.0 + 0.05 * rng.gauss(0.0, 1.0))) for v in row])


if __name__ == "__main__":
    main()
