#!/usr/bin/env python3
"""Fit time and memory of `neuralize fit ocsvm` against scikit-learn's OneClassSVM.

    python scripts/bench_fit.py [--rows 50000] [--cols 20] [--nu 0.5] [--gamma scale]

Generates rows x cols Gaussian data (seed 0), builds the release binary
(`cargo build --release`), runs it under `/usr/bin/time -v` with the default
cache (200 MB), then fits scikit-learn's OneClassSVM (default tol and cache) on the same data
in this process. Prints both fit times, their ratio and our peak RSS.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
from sklearn.svm import OneClassSVM

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=50000)
    p.add_argument("--cols", type=int, default=20)
    p.add_argument("--nu", default="0.5")
    p.add_argument("--gamma", default="scale")
    a = p.parse_args()

    x = np.random.RandomState(0).randn(a.rows, a.cols)
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    binary = os.path.join(ROOT, "target", "release", "neuralize")
    with tempfile.TemporaryDirectory() as tmp:
        train = os.path.join(tmp, "train.csv")
        np.savetxt(train, x, delimiter=",", fmt="%.17g",
                   header=",".join("f%d" % i for i in range(a.cols)), comments="")
        cmd = ["/usr/bin/time", "-v", binary, "fit", "ocsvm", "--input", train,
               "--output", os.path.join(tmp, "model.json"), "--nu", a.nu, "--gamma", a.gamma]
        start = time.perf_counter()
        run = subprocess.run(cmd, capture_output=True, text=True)
        ours = time.perf_counter() - start
        if run.returncode != 0:
            sys.exit(run.stderr)
        rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr).group(1))

    gamma = a.gamma if a.gamma in ("scale", "auto") else float(a.gamma)
    start = time.perf_counter()
    svm = OneClassSVM(nu=float(a.nu), gamma=gamma).fit(x)
    theirs = time.perf_counter() - start

    print("data: %d x %d, nu %s, gamma %s" % (a.rows, a.cols, a.nu, a.gamma))
    print("neuralize fit ocsvm (incl. CSV read + model write): %.2f s, peak RSS %.1f MB"
          % (ours, rss_kb / 1024))
    print("scikit-learn OneClassSVM.fit (in memory):            %.2f s, %d support vectors"
          % (theirs, len(svm.support_)))
    print("ratio neuralize / scikit-learn: %.2f" % (ours / theirs))


if __name__ == "__main__":
    main()
