#!/usr/bin/env python3
"""Python binding vs the Rust library on the same rows, in memory (no CSV on the clock).

    pip install bindings/python            # the package under test
    python3 scripts/bench_python.py [MODEL.json INPUT.csv] [--rows 1000000] [--repeats 3]

Writes N rows (scripts/make_rows.py: shipped input rows resampled with 5 % noise) to a
temporary CSV, times the library with `cargo bench --bench library` on it (best of
--repeats, published rules and default method), then `neuralize.Explainer.explain` from
Python on the same rows already loaded as a float64 array (best of --repeats), and prints
both with their ratio (python / rust; the issue asks for <= 1.2). Defaults:
models/ocsvm_breast_cancer.json (30 features) and 10^6 rows.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def best_of(repeats, f):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - start)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", nargs="?", default=os.path.join(ROOT, "models",
                                                             "ocsvm_breast_cancer.json"))
    ap.add_argument("input", nargs="?", default=os.path.join(ROOT, "models",
                                                             "ocsvm_breast_cancer.input.csv"))
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    import neuralize

    with tempfile.TemporaryDirectory() as tmp:
        rows = os.path.join(tmp, "rows.csv")
        with open(rows, "w") as fh:
            subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "make_rows.py"),
                            args.input, str(args.rows)], check=True, stdout=fh)
        rust = subprocess.run(["cargo", "bench", "--quiet", "--bench", "library", "--",
                               args.model, rows, str(args.repeats)], cwd=ROOT, check=True,
                              capture_output=True, text=True)
        rust = json.loads(rust.stdout.strip().splitlines()[-1])
        try:  # the same f64 values the library parses (round-trip parsing)
            import pandas as pd

            precise = {} if int(pd.__version__.split(".")[0]) >= 3 else {
                "float_precision": "round_trip"}
            X = pd.read_csv(rows, **precise).to_numpy(np.float64)
        except ImportError:
            X = np.loadtxt(rows, delimiter=",", skiprows=1, dtype=np.float64, ndmin=2)
    X = np.ascontiguousarray(X)  # row-major, as the library's bench holds its rows
    ex = neuralize.load(args.model)
    py_neon = best_of(args.repeats, lambda: ex.explain(X, "neon"))
    py_default = best_of(args.repeats, lambda: ex.explain(X))
    py_score = best_of(args.repeats, lambda: ex.score(X))
    print("rows %d x %d features, %d threads (rust), best of %d"
          % (X.shape[0], X.shape[1], rust["threads"], args.repeats))
    print("%-30s %10s %10s %8s" % ("", "rust [s]", "python [s]", "ratio"))
    for what, r, p in [("forward / score", rust["forward_s"], py_score),
                       ("explain (published rules)", rust["explain_s"], py_neon),
                       ("explain (default method)", rust["explain_default_s"], py_default)]:
        print("%-30s %10.3f %10.3f %8.3f" % (what, r, p, p / r))


if __name__ == "__main__":
    main()
