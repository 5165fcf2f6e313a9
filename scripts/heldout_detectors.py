"""Held-out faithfulness study of the Gaussian-mixture and kNN-detector explanations
(data generated here, never in the repo; fixed seeds).

    python scripts/heldout_detectors.py [--bin target/release/neuralize] [--seed 2026]

Planted anomalies, as scripts/heldout_study.py: 12 correlated Gaussian features (Toeplitz
covariance 0.6^|i-j|), 800 training rows; 300 test rows with 3 random features pushed by
2.5 standard deviations (random sign). Models (each after a StandardScaler): GaussianMixture
(K=3, full and diag) and PyOD-style kNN detectors (scikit-learn NearestNeighbors, k=10,
largest and mean). Top-3 precision = |top-3 relevant features & planted| / 3, averaged over
the test rows; then `neuralize evaluate` on the same rows (flipping AUC, mean and marginal
imputation). Prints markdown tables.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_sklearn import to_neuralize, write_model  # noqa: E402

METHODS = ["default", "neon", "occlusion", "gradient-x-input", "integrated-gradients",
           "shapley-sampling", "random"]
KNN_METHODS = METHODS[:2] + ["neon-floor"] + METHODS[2:]


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
    from sklearn.mixture import GaussianMixture
    from sklearn.neighbors import NearestNeighbors
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/neuralize")
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()
    rng = np.random.RandomState(args.seed)
    d = 12
    names = ["f%d" % i for i in range(d)]
    Xtr = correlated(rng, 800, d)
    Xte = correlated(rng, 300, d)
    planted = np.array([rng.choice(d, 3, replace=False) for _ in range(len(Xte))])
    for r, idx in enumerate(planted):
        Xte[r, idx] += 2.5 * rng.choice([-1.0, 1.0], size=3)

    models = {
        "GMM full (K=3)": (make_pipeline(StandardScaler(), GaussianMixture(
            3, covariance_type="full", random_state=0)), None),
        "GMM diag (K=3)": (make_pipeline(StandardScaler(), GaussianMixture(
            3, covariance_type="diag", random_state=0)), None),
        "kNN largest (k=10)": (make_pipeline(StandardScaler(), NearestNeighbors(n_neighbors=10)),
                               "largest"),
        "kNN mean (k=10)": (make_pipeline(StandardScaler(), NearestNeighbors(n_neighbors=10)),
                            "mean"),
    }
    with tempfile.TemporaryDirectory() as tmp:
        train = os.path.join(tmp, "train.csv")
        test = os.path.join(tmp, "test.csv")
        write_csv(train, Xtr, names)
        write_csv(test, Xte, names)
        print("Top-3 precision on %d planted rows (3 of %d features pushed 2.5 std):\n"
              % (len(Xte), d))
        print("| model | " + " | ".join(KNN_METHODS[:-1]) + " |")
        print("|---|" + "---|" * (len(KNN_METHODS) - 1))
        tables = []
        for label, (est, score) in models.items():
            est.fit(Xtr)
            path = os.path.join(tmp, "model.json")
            write_model(path, to_neuralize(est, X_train=Xtr, feature_names=names,
                                           knn_score=score))
            cells = []
            methods = KNN_METHODS if score else METHODS
            for method in KNN_METHODS[:-1]:
                if method not in methods:
                    cells.append("-")
                    continue
                R = explain(args.bin, path, test, method)
                top = np.argsort(-R, axis=1)[:, :3]
                precision = np.mean([len(set(t) & set(p)) / 3.0
                                     for t, p in zip(top, planted)])
                cells.append("%.3f" % precision)
            print("| %s | %s |" % (label, " | ".join(cells)))
            tables.append((label, evaluate(args.bin, path, test, train, methods)))
        for label, table in tables:
            print("\n%s, `neuralize evaluate`:\n" % label)
            print(table)


if __name__ == "__main__":
    main()
