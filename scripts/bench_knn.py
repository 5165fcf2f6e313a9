#!/usr/bin/env python3
"""The kNN detector's neighbour search against scikit-learn's `NearestNeighbors.kneighbors`.

    python scripts/bench_knn.py [--stored 100000] [--queries 100000] [--dim 30] [--k 10]
                                [--rounds 2] [--no-build]

Generates `stored` Gaussian training rows and `queries` query rows (d = `dim`, seed 0),
writes a `knn_detector` model (score `largest`, euclidean) and the queries as CSV, then in
`rounds` interleaved rounds times, in memory:
  - neuralize: `cargo bench --bench knn` (the detector's forward pass: the k nearest of every
    query by blocked matrix products with an exact recheck, then the score),
  - scikit-learn `NearestNeighbors(k, algorithm='brute').kneighbors(queries)` and
    `algorithm='auto'` (fitted on the stored rows; the fit is not timed),
and prints the best time of each and the ratios. It also checks that the scores agree
(the k-th distance, 1e-9 relative; exit 1 if not). All on the same machine in one run: the ratios are what
to compare.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from sklearn.neighbors import NearestNeighbors

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def ours(model, queries):
    out = subprocess.run(["cargo", "bench", "--quiet", "--bench", "knn", "--", model, queries, "1"],
                         cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])["forward_s"]


def sklearn_time(nn, q, k):
    start = time.perf_counter()
    dist, _ = nn.kneighbors(q, n_neighbors=k)
    return time.perf_counter() - start, dist


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--stored", type=int, default=100000)
    p.add_argument("--queries", type=int, default=100000)
    p.add_argument("--dim", type=int, default=30)
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--no-build", action="store_true")
    a = p.parse_args()
    rng = np.random.RandomState(0)
    x = rng.randn(a.stored, a.dim)
    q = rng.randn(a.queries, a.dim)
    if not a.no_build:
        subprocess.run(["cargo", "bench", "--no-run", "--quiet", "--bench", "knn"], cwd=ROOT,
                       check=True)
    brute = NearestNeighbors(n_neighbors=a.k, algorithm="brute").fit(x)
    auto = NearestNeighbors(n_neighbors=a.k, algorithm="auto").fit(x)
    with tempfile.TemporaryDirectory() as tmp:
        model = os.path.join(tmp, "knn.json")
        with open(model, "w") as f:
            json.dump({"format": "neuralize/1", "model": "knn_detector", "k": a.k,
                       "score": "largest", "metric": "euclidean", "points": x.tolist()}, f)
        queries = os.path.join(tmp, "queries.csv")
        np.savetxt(queries, q, delimiter=",", fmt="%.17g",
                   header=",".join("x%d" % i for i in range(a.dim)), comments="")
        times = {"neuralize": [], "brute": [], "auto": []}
        for _ in range(a.rounds):
            times["neuralize"].append(ours(model, queries))
            t, dist = sklearn_time(brute, q, a.k)
            times["brute"].append(t)
            times["auto"].append(sklearn_time(auto, q, a.k)[0])
        # Agreement of the scores: the library's score = the k-th distance.
        scores = os.path.join(tmp, "scores.csv")
        out = subprocess.run([os.path.join(ROOT, "target", "release", "neuralize"), "score",
                              "--model", model, "--input", queries, "--output", scores],
                             capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(out.stderr)
        with open(scores) as f:
            lines = f.read().strip().splitlines()
        col = lines[0].split(",").index("decision_function")
        score = np.array([float(l.split(",")[col]) for l in lines[1:]])
        rel = np.max(np.abs(score - dist[:, -1]) / np.maximum(dist[:, -1], 1e-300))
        if rel > 1e-9:
            sys.exit("the scores disagree with scikit-learn: %.2e" % rel)
        print("max relative difference of the k-th distance vs scikit-learn brute: %.2e" % rel)
    best = {name: min(t) for name, t in times.items()}
    print("stored %d x queries %d, d = %d, k = %d, best of %d interleaved rounds, %s threads"
          % (a.stored, a.queries, a.dim, a.k, a.rounds, os.cpu_count()))
    for name in ["neuralize", "brute", "auto"]:
        label = {"neuralize": "neuralize forward (knn_detector)",
                 "brute": "scikit-learn kneighbors brute",
                 "auto": "scikit-learn kneighbors auto"}[name]
        print("%-36s %8.2f s   (%s)" % (label, best[name], ", ".join("%.2f" % t for t in times[name])))
    print("ratio scikit-learn brute / neuralize: %.2f" % (best["brute"] / best["neuralize"]))
    print("ratio scikit-learn auto  / neuralize: %.2f" % (best["auto"] / best["neuralize"]))


if __name__ == "__main__":
    main()
