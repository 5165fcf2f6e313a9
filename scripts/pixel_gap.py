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

Then, for the scaled-pixel OC-SVMs (StandardScaler first; the held-out study's 300 images
of the other digits), why gradient x input beats the default there: the smallest pixel
scales of the training digit, how often the two methods' first and top-3 pixels agree,
their mean-imputation curves, and in which flips the default's extra area arises.
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
SCALED_STEPS = [0, 1, 2, 4, 8, 12, 16, 24, 32]
RANGES = [(0, 4), (4, 8), (8, 16), (16, 32), (32, 64)]


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
    scaled(args, dg, names, tmp)


def mean_curves(bin_, model, test, train, methods, draws, path):
    """{(method, imputation): mean relative curve} of `neuralize evaluate --curves`."""
    subprocess.run([bin_, "evaluate", "-m", model, "-i", test, "--reference", train,
                    "--methods", ",".join(methods), "--draws", str(draws), "--seed", "0",
                    "--curves", path], check=True, capture_output=True)
    with open(path) as f:
        rows = list(csv.DictReader(f))
    keys = list(rows[0].keys())
    out = {}
    for r in rows:
        out.setdefault((r[keys[0]], r[keys[1]]), {})[int(r[keys[2]])] = float(r[keys[3]])
    return {k: np.array([v[i] for i in range(len(v))]) for k, v in out.items()}


def scaled(args, dg, names, tmp):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import OneClassSVM

    methods = ["default", "gradient-x-input"]
    print("\nScaled pixels (StandardScaler, then OC-SVM rbf), 300 images of the other digits, "
          "mean imputation: default against gradient x input.\n")
    print("| digit | rows | pixel scales < 1 (smallest) | same first pixel | same top-3 set | "
          "AUC default / GxI | extra area of the default in flips (% of GxI's AUC) " +
          " / ".join("%d-%d" % r for r in RANGES) + " |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    table = []
    for digit, seed in [(0, 1), (3, 2), (7, 3)]:
        rng = np.random.RandomState(seed)
        own = rng.permutation(np.where(dg.target == digit)[0])
        others = rng.permutation(np.where(dg.target != digit)[0])[:300]
        Xtr, Xte = dg.data[own[:130]], dg.data[others]
        stem = os.path.join(tmp, "scaled%d" % digit)
        write_csv(stem + ".train.csv", Xtr, names)
        write_csv(stem + ".test.csv", Xte, names)
        est = make_pipeline(StandardScaler(), OneClassSVM(gamma="scale", nu=0.1)).fit(Xtr)
        write_model(stem + ".json", to_neuralize(est, X_train=Xtr, feature_names=names))
        o, rd = relevance(args.bin, stem + ".json", stem + ".test.csv", "default")
        _, rg = relevance(args.bin, stem + ".json", stem + ".test.csv", "gradient-x-input")
        kept = o > 0
        rd, rg = rd[kept], rg[kept]
        od = np.argsort(-rd, axis=1, kind="stable")
        og = np.argsort(-rg, axis=1, kind="stable")
        top3 = np.mean([set(a[:3]) == set(b[:3]) for a, b in zip(od, og)])
        scale = est[0].scale_
        c = mean_curves(args.bin, stem + ".json", stem + ".test.csv", stem + ".train.csv",
                        methods, args.draws, stem + ".curves.csv")
        cd, cg = c[("default", "mean")], c[("gradient-x-input", "mean")]
        d = len(cd) - 1
        auc_g = np.sum(0.5 * (cg[:-1] + cg[1:])) / d
        step = 100 * 0.5 * ((cd[:-1] + cd[1:]) - (cg[:-1] + cg[1:])) / d / auc_g
        print("| %d | %d | %d (%.2f) | %.2f | %.2f | %.4f / %.4f | %s |" % (
            digit, kept.sum(), int(np.sum(scale < 1)), scale.min(),
            np.mean(od[:, 0] == og[:, 0]), top3, np.sum(0.5 * (cd[:-1] + cd[1:])) / d,
            auc_g, " / ".join("%+.1f" % step[a:b].sum() for a, b in RANGES)))
        table.append((digit, cd, cg))
    print("\n| digit | method | " + " | ".join("%d" % k for k in SCALED_STEPS) + " |")
    print("|---|---|" + "---:|" * len(SCALED_STEPS))
    for digit, cd, cg in table:
        for name, cv in (("default", cd), ("gradient-x-input", cg)):
            print("| %d | %s | %s |" % (digit, name,
                                        " | ".join("%.4f" % cv[k] for k in SCALED_STEPS)))


if __name__ == "__main__":
    main()
