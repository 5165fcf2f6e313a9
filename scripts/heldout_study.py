"""Held-out faithfulness study (data generated here, never in the repo; fixed seeds).

    python scripts/heldout_study.py [--bin target/release/neuralize] [--out DIR] [--seed 2025]

1. Planted anomalies: 12 correlated Gaussian features (Toeplitz covariance 0.6^|i-j|),
   800 training rows; 300 test rows with 3 random features pushed by 2.5 standard
   deviations (random sign). Models: scaled rbf OC-SVM (nu=0.05, gamma='scale') and scaled
   KDE (bandwidth 0.8). Top-3 precision = |top-3 relevant features & planted| / 3, averaged
   over the test rows (and, beside it, the fraction of rows whose top 3 are exactly the
   planted ones); then `neuralize evaluate` on the
   same rows (flipping AUC, mean and marginal imputation, and the cost per row).
2. k-means (K=5, scaled) on 10-feature make_blobs with unequal spreads, 400 held-out rows:
   `neuralize evaluate`.
Prints markdown tables.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_sklearn import to_neuralize, write_model  # noqa: E402

METHODS = ["default", "neon", "neon@auto", "neon-ref@auto", "hybrid@auto", "occlusion",
           "gradient-x-input", "integrated-gradients", "taylor", "meaningful-perturbation",
           "shapley-sampling", "random"]
KMEANS_METHODS = ["default", "neon", "neon@auto", "neon-ref", "neon-ref@auto", "occlusion",
                  "gradient-x-input", "integrated-gradients", "shapley-sampling", "random"]


def write_csv(path, X, names):
    with open(path, "w") as f:
        f.write(",".join(names) + "\n")
        for row in X:
            f.write(",".join(repr(float(v)) for v in row) + "\n")


def correlated(rng, n, d, rho=0.6):
    cov = rho ** np.abs(np.subtract.outer(np.arange(d), np.arange(d)))
    return rng.multivariate_normal(np.zeros(d), cov, size=n)


def explain(bin_, model, inp, method):
    out = subprocess.run([bin_, "explain", "-m", model, "-i", inp, "-o", "-",
                          "--method", method, "--seed", "0"],
                         check=True, capture_output=True, text=True).stdout.splitlines()
    return np.array([[float(v) for v in line.split(",")[2:]] for line in out[1:]])


def evaluate(bin_, model, inp, train, methods):
    return subprocess.run([bin_, "evaluate", "-m", model, "-i", inp, "--reference", train,
                           "--methods", ",".join(methods), "--seed", "0", "--draws", "5"],
                          check=True, capture_output=True, text=True).stdout


def main():
    from sklearn.cluster import KMeans
    from sklearn.datasets import make_blobs
    from sklearn.neighbors import KernelDensity
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import OneClassSVM

    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/neuralize")
    ap.add_argument("--out", default=None)
    ap.add_argument("--seed", type=int, default=2025, help="seed of the planted-anomaly data")
    args = ap.parse_args()
    out = args.out or tempfile.mkdtemp(prefix="neuralize_heldout_")
    os.makedirs(out, exist_ok=True)

    d = 12
    names = ["f%d" % i for i in range(d)]
    rng = np.random.RandomState(args.seed)
    X_train = correlated(rng, 800, d)
    X_test = correlated(rng, 300, d)
    planted = np.array([rng.choice(d, 3, replace=False) for _ in range(len(X_test))])
    std = X_train.std(axis=0)
    for row, feats in zip(X_test, planted):
        row[feats] += 2.5 * std[feats] * rng.choice([-1.0, 1.0], size=3)
    write_csv(os.path.join(out, "planted.train.csv"), X_train, names)
    write_csv(os.path.join(out, "planted.test.csv"), X_test, names)
    estimators = {
        "ocsvm": make_pipeline(StandardScaler(), OneClassSVM(gamma="scale", nu=0.05)),
        "kde": make_pipeline(StandardScaler(), KernelDensity(bandwidth=0.8)),
    }
    print("## Planted anomalies (12 correlated features, 3 pushed 2.5 std, 300 rows)\n")
    print("| model | method | top-3 precision | top-3 exact |")
    print("|---|---|---:|---:|")
    flips = []
    for key, est in estimators.items():
        est.fit(X_train)
        path = os.path.join(out, "planted_%s.json" % key)
        write_model(path, to_neuralize(est, X_train=X_train, feature_names=names))
        inp = os.path.join(out, "planted.test.csv")
        for method in METHODS:
            R = explain(args.bin, path, inp, method)
            top = np.argsort(-R, axis=1, kind="stable")[:, :3]
            precision = np.mean([len(set(t) & set(p)) / 3 for t, p in zip(top, planted)])
            exact = np.mean([set(t) == set(p) for t, p in zip(top, planted)])
            print("| %s | %s | %.3f | %.3f |" % (key, method, precision, exact))
        flips.append((key, evaluate(args.bin, path, inp,
                                    os.path.join(out, "planted.train.csv"), METHODS)))
    for key, table in flips:
        print("\n## Flipping, planted-anomaly rows, %s\n" % key)
        print(table)

    X, _ = make_blobs(n_samples=1200, n_features=10, centers=5,
                      cluster_std=[0.6, 1.0, 1.5, 2.0, 1.2], random_state=7)
    perm = np.random.RandomState(8).permutation(len(X))
    X_tr, X_te = X[perm[:800]], X[perm[800:]]
    bnames = ["b%d" % i for i in range(10)]
    write_csv(os.path.join(out, "blobs.train.csv"), X_tr, bnames)
    write_csv(os.path.join(out, "blobs.test.csv"), X_te, bnames)
    est = make_pipeline(StandardScaler(), KMeans(n_clusters=5, n_init=10, random_state=0))
    est.fit(X_tr)
    path = os.path.join(out, "blobs_kmeans.json")
    write_model(path, to_neuralize(est, X_train=X_tr, feature_names=bnames))
    print("\n## Flipping, k-means (K=5) on held-out make_blobs rows (10 features)\n")
    print(evaluate(args.bin, path, os.path.join(out, "blobs.test.csv"),
                   os.path.join(out, "blobs.train.csv"), KMEANS_METHODS))


if __name__ == "__main__":
    main()
