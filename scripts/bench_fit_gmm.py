#!/usr/bin/env python3
"""Fit time of `neuralize fit gmm` against scikit-learn's GaussianMixture, side by side.

    python scripts/bench_fit_gmm.py [--rows 50000] [--cols 10] [--components 5]
                                    [--covariance full] [--n-init 3] [--rounds 2] [--no-build]

Generates a mixture of `components` Gaussian blobs (make_blobs, seed 0), writes it as CSV,
then in `rounds` interleaved rounds times the release binary (`neuralize fit gmm`, including
reading the CSV and writing the model) and scikit-learn's `GaussianMixture.fit` in this
process (same covariance type, n_init, reg_covar 1e-6, max_iter 100, tol 1e-3), and prints
the best times, their ratio and both mean log-likelihoods.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from sklearn.datasets import make_blobs
from sklearn.mixture import GaussianMixture

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=50000)
    p.add_argument("--cols", type=int, default=10)
    p.add_argument("--components", type=int, default=5)
    p.add_argument("--covariance", default="full")
    p.add_argument("--n-init", type=int, default=3)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--no-build", action="store_true")
    a = p.parse_args()
    x, _ = make_blobs(n_samples=a.rows, centers=a.components, n_features=a.cols, random_state=0)
    if not a.no_build:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    binary = os.path.join(ROOT, "target", "release", "neuralize")
    ours, theirs = [], []
    with tempfile.TemporaryDirectory() as tmp:
        train = os.path.join(tmp, "train.csv")
        np.savetxt(train, x, delimiter=",", fmt="%.17g",
                   header=",".join("f%d" % i for i in range(a.cols)), comments="")
        model = os.path.join(tmp, "gmm.json")
        cmd = [binary, "fit", "gmm", "--input", train, "--output", model,
               "--components", str(a.components), "--covariance", a.covariance,
               "--n-init", str(a.n_init)]
        for _ in range(a.rounds):
            start = time.perf_counter()
            run = subprocess.run(cmd, capture_output=True, text=True)
            ours.append(time.perf_counter() - start)
            if run.returncode != 0:
                sys.exit(run.stderr)
            start = time.perf_counter()
            gm = GaussianMixture(a.components, covariance_type=a.covariance, n_init=a.n_init,
                                 random_state=0).fit(x)
            theirs.append(time.perf_counter() - start)
        with open(model) as f:
            ll = json.load(f)["provenance"]["log_likelihood"]
    print("data: %d x %d, K %d, %s, n_init %d; best of %d interleaved rounds"
          % (a.rows, a.cols, a.components, a.covariance, a.n_init, a.rounds))
    print("neuralize fit gmm (incl. CSV read + model write): %.2f s  (%s), log-likelihood %.6f"
          % (min(ours), ", ".join("%.2f" % t for t in ours), ll))
    print("scikit-learn GaussianMixture.fit (in memory):      %.2f s  (%s), log-likelihood %.6f"
          % (min(theirs), ", ".join("%.2f" % t for t in theirs), gm.score(x)))
    print("ratio scikit-learn / neuralize: %.2f" % (min(theirs) / min(ours)))


if __name__ == "__main__":
    main()
