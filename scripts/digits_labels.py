"""Write models/ocsvm_digits_rbf.digits.csv: the true digit (0-9) of each row of
models/ocsvm_digits_rbf.input.csv, for `examples/spray_digits.rs`.

The rows are chosen as in scripts/export_sklearn.py (held-out zeros, then 60 other digits,
RandomState(1)); the script checks that its pixels equal the committed input file's.
"""

import csv
import sys

import numpy as np
from sklearn.datasets import load_digits


def main(out="models/ocsvm_digits_rbf.digits.csv", check="models/ocsvm_digits_rbf.input.csv"):
    dg = load_digits()
    rng = np.random.RandomState(1)
    zeros = rng.permutation(np.where(dg.target == 0)[0])
    others = rng.permutation(np.where(dg.target != 0)[0])[:60]
    rows = np.concatenate([zeros[130:], others])
    committed = np.loadtxt(check, delimiter=",", skiprows=1)
    if not np.array_equal(committed, dg.data[rows]):
        sys.exit(f"{check} does not hold the rows this script expects")
    with open(out, "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["digit"])
        for t in dg.target[rows]:
            writer.writerow([int(t)])
    print(f"{len(rows)} labels -> {out}")


if __name__ == "__main__":
    main(*sys.argv[1:])
