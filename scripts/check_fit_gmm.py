#!/usr/bin/env python3
"""`neuralize fit gmm` against scikit-learn's GaussianMixture, side by side.

    python scripts/check_fit_gmm.py [--n-init 5] [--write] [--no-build]

Datasets (all standardized, StandardScaler = `--standardize`): iris (K=3), wine (K=3),
breast_cancer (K=2), blobs (make_blobs 400 x 4, 4 centers, seed 3; K=4). For each dataset
and covariance type (full, tied, diag, spherical) it fits scikit-learn's
`GaussianMixture(K, covariance_type, reg_covar=1e-6, n_init, random_state=0)` and runs the
release binary `neuralize fit gmm --standardize --components K --covariance TYPE
--n-init N --seed 0`, then prints both mean log-likelihoods on the standardized training
rows (scikit-learn's `score(z)`; ours from the model file's provenance) and their relative
difference. With `--write` it regenerates the fixture the Rust tests read (no Python in the
tests): models/fit/gmm_NAME.train.csv (iris and wine reuse kmeans_NAME.train.csv) and
models/fit/gmm.sklearn.json (scikit-learn's mean log-likelihood, lower_bound_, n_iter_ per
dataset x covariance type). Exit 1 if ours is more than 0.1% below scikit-learn's anywhere.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import sklearn
from sklearn.datasets import load_breast_cancer, make_blobs
from sklearn.mixture import GaussianMixture
from sklearn.preprocessing import StandardScaler

from export_fit_fixtures import write_csv, write_json
from export_sklearn import _sanitize as sanitize

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
FIT = os.path.join(ROOT, "models", "fit")
TYPES = ["full", "tied", "diag", "spherical"]
REG_COVAR = 1e-6


def read_csv(path):
    with open(path) as f:
        names = f.readline().strip().split(",")
    return names, np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)


def datasets(write):
    """name -> (training CSV, K); writes the CSVs that are not already in models/fit/."""
    bc = load_breast_cancer()
    blobs, _ = make_blobs(n_samples=400, centers=4, n_features=4, random_state=3)
    generated = {
        "breast_cancer": ([sanitize(n) for n in bc.feature_names], bc.data),
        "blobs": (["x%d" % i for i in range(4)], blobs),
    }
    out = {
        "iris": (os.path.join(FIT, "kmeans_iris.train.csv"), 3),
        "wine": (os.path.join(FIT, "kmeans_wine.train.csv"), 3),
        "breast_cancer": (os.path.join(FIT, "gmm_breast_cancer.train.csv"), 2),
        "blobs": (os.path.join(FIT, "gmm_blobs.train.csv"), 4),
    }
    for name, (names, x) in generated.items():
        if write or not os.path.exists(out[name][0]):
            write_csv(out[name][0], names, x)
    return out


def ours(binary, path, k, kind, n_init, tmp):
    model = os.path.join(tmp, "gmm.json")
    cmd = [binary, "fit", "gmm", "--input", path, "--output", model, "--standardize",
           "--components", str(k), "--covariance", kind, "--n-init", str(n_init),
           "--reg-covar", repr(REG_COVAR), "--seed", "0"]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit("%s failed: %s" % (" ".join(cmd), run.stderr))
    with open(model) as f:
        return json.load(f)["provenance"]["log_likelihood"]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n-init", type=int, default=5)
    p.add_argument("--write", action="store_true", help="regenerate models/fit/gmm*")
    p.add_argument("--no-build", action="store_true")
    a = p.parse_args()
    if not a.no_build:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    binary = os.path.join(ROOT, "target", "release", "neuralize")
    table = {"sklearn_version": sklearn.__version__, "n_init": a.n_init,
             "reg_covar": REG_COVAR, "standardize": True, "random_state": 0}
    worst = 0.0
    print("%-14s %-10s %14s %14s %10s" % ("dataset", "covariance", "scikit-learn", "neuralize",
                                          "rel. diff"))
    with tempfile.TemporaryDirectory() as tmp:
        for name, (path, k) in datasets(a.write).items():
            _, x = read_csv(path)
            z = StandardScaler().fit_transform(x)
            table[name] = {"train": os.path.basename(path), "components": k}
            for kind in TYPES:
                gm = GaussianMixture(k, covariance_type=kind, reg_covar=REG_COVAR,
                                     n_init=a.n_init, random_state=0).fit(z)
                theirs = float(gm.score(z))
                table[name][kind] = {"log_likelihood": theirs,
                                     "lower_bound": float(gm.lower_bound_),
                                     "n_iter": int(gm.n_iter_)}
                mine = ours(binary, path, k, kind, a.n_init, tmp)
                rel = (mine - theirs) / abs(theirs)
                worst = min(worst, rel)
                print("%-14s %-10s %14.6f %14.6f %+10.5f%%" % (name, kind, theirs, mine, 100 * rel))
    if a.write:
        write_json(os.path.join(FIT, "gmm.sklearn.json"), table)
    print("worst (ours below scikit-learn): %+.5f%%" % (100 * worst))
    sys.exit(1 if worst < -1e-3 else 0)


if __name__ == "__main__":
    main()
