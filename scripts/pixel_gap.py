"""Why `neon-floor` trails the reference-rooted explainers on raw digit pixels
(docs/faithfulness.md, "Image-like data"). Data generated here, fixed seeds:

    python scripts/pixel_gap.py [--bin target/release/neuralize] [--draws 20]

For OC-SVMs (rbf, nu 0.1, gamma 'scale') trained on 130 raw images of digit 0, 3 or 7 (the
held-out study's sets), explaining 80 images of the other digits (the flagged ones, output
> 0): the share of (row, pixel) pairs whose reference-rooted contribution (`neon-ref@auto`,
beta 1 here) is negative (the pixel brings the row closer to the support vectors than the
reference's), where `neon-floor@auto` ranks those pixels (its shares are never negative), and
the mean marginal-imputation flipping curves of `neon-floor@auto` and the default
(`neuralize evaluate --curves`).
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_sklearn import to_neuralize, write_model  # noqa: E402
from heldout_study import write_csv  # noqa: E402

STEPS = [0, 4, 8, 16, 24, 32, 40, 48, 64]


def relevance(bin_, model, inp, method):
    out = subprocess.run([bin_, "explain", "-m", model, "-i", inp, "-o", "-", "--method", method],
                         check=True, capture_output=True, text=True).stdout.splitlines()
    rows = np.array([[float(v) for v in line.split(",")] for line in out[1:]])
    return rows[:, 1], rows[:, 2:]


def main():
    from sklearn.datasets import load_digits
    from sklearn.svm import OneClassSVM

    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/neuralize")
    ap.add_argument("--draws", type=int, default=20)
    args = ap.parse_args()
    dg = load_digits()
    names = ["pixel_%d_%d" % (r, c) for r in range(8) for c in range(8)]
    tmp = tempfile.mkdtemp(prefix="neuralize_pixel_gap_")
    print("| digit | rows | (row, pixel) with negative reference-rooted contribution | "
          "their mean rank under neon-floor@auto (of 64) | always-zero pixels |")
    print("|---|---:|---:|---:|---:|")
    curves = []
    for digit, seed in [(0, 1), (3, 2), (7, 3)]:
        rng = np.random.RandomState(seed)
        own = rng.permutation(np.where(dg.target == digit)[0])
        others = rng.permutation(np.where(dg.target != digit)[0])[:80]
        Xtr, Xte = dg.data[own[:130]], dg.data[others]
        model = os.path.join(tmp, "digit%d.json" % digit)
        train = os.path.join(tmp, "digit%d.train.csv" % digit)
        test = os.path.join(tmp, "digit%d.test.csv" % digit)
        write_csv(train, Xtr, names)
        write_csv(test, Xte, names)
        est = OneClassSVM(gamma="scale", nu=0.1).fit(Xtr)
        write_model(model, to_neuralize(est, X_train=Xtr, feature_names=names))
        o, ref = relevance(args.bin, model, test, "neon-ref@auto")
        _, floor = relevance(args.bin, model, test, "neon-floor@auto")
        kept = o > 0
        ref, floor = ref[kept], floor[kept]
        ranks = np.argsort(np.argsort(-floor, axis=1, kind="stable"), axis=1) + 1
        negative = ref < 0
        print("| %d | %d | %.2f | %.1f | %d |" % (
            digit, kept.sum(), negative.mean(), ranks[negative].mean(),
            int(np.sum(Xtr.std(axis=0) == 0))))
        path = os.path.join(tmp, "digit%d.curves.csv" % digit)
        subprocess.run([args.bin, "evaluate", "-m", model, "-i", test, "--reference", train,
                        "--methods", "neon-floor@auto,default", "--draws", str(args.draws),
                        "--seed", "0", "--curves", path], check=True, capture_output=True)
        with open(path) as f:
            rows = list(csv.DictReader(f))
        curves.append((digit, rows))
    print("\nMean relative output after k flips, marginal imputation (%d draws):\n" % args.draws)
    print("| digit | method | " + " | ".join("%d" % k for k in STEPS) + " |")
    print("|---|---|" + "---:|" * len(STEPS))
    for digit, rows in curves:
        keys = list(rows[0].keys())
        for method in ["neon-floor@auto", "default"]:
            values = {int(r[keys[2]]): float(r[keys[3]]) for r in rows
                      if r[keys[0]] == method and r[keys[1]] == "marginal"}
            print("| %d | %s | %s |" % (digit, method,
                                        " | ".join("%.3f" % values[k] for k in STEPS)))


if __name__ == "__main__":
    main()
