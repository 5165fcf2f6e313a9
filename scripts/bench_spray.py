#!/usr/bin/env python3
"""Time `neuralize spray` at several sizes (d = 30) with its max RSS, and CoRelAy's default
spectral pipeline (`pip install corelay`) on the same relevance matrix: wall-clock ratio and
agreement of the clusterings (adjusted Rand index).

    cargo build --release --bin neuralize
    python3 scripts/bench_spray.py [--sizes 1000,10000,50000] [--corelay-max 10000]

The rows are `k` Gaussian groups (centres N(0, 1) in 30 dimensions, spread 0.35), seeded, so
that both tools should find the planted groups. Both run with the same k, 10 neighbours and
32 eigenvalues, no row normalization (CoRelAy's default). CoRelAy's pipeline computes the
dense n x n distance matrix (SciPyPDist), so it is only run up to --corelay-max rows.
Each tool runs as its own process under /usr/bin/time -v (wall clock and max RSS include
reading the CSV; for CoRelAy, importing Python's libraries too, and the pipeline's own time
is printed separately).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
from sklearn.metrics import adjusted_rand_score

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, "target", "release", "neuralize")

CORELAY = r"""
import sys, time
import numpy as np, pandas as pd
from corelay.pipeline.spectral import SpectralClustering
from corelay.processor.clustering import KMeans
path, k, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
x = pd.read_csv(path).filter(like="R_").to_numpy()
start = time.perf_counter()
result = SpectralClustering(clustering=KMeans(n_clusters=k, is_output=True))(x)
print("pipeline_seconds", time.perf_counter() - start)
labels = result[-1] if isinstance(result, (tuple, list)) else result
np.save(out, np.asarray(labels))
"""


def timed(command):
    """Run under /usr/bin/time -v: (wall seconds, max RSS in MB, stdout)."""
    done = subprocess.run(["/usr/bin/time", "-v"] + command, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{command[0]} failed:\n{done.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", done.stderr)
    hours, minutes, seconds = wall.groups()
    seconds = int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1))
    return seconds, rss / 1024, done.stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--corelay-max", type=int, default=10000)
    parser.add_argument("--groups", type=int, default=6)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    k, d = args.groups, 30
    print("| n | neuralize s | neuralize max RSS MB | ARI vs truth | CoRelAy s (pipeline s) | CoRelAy max RSS MB | CoRelAy ARI vs truth | ratio CoRelAy/neuralize | ARI neuralize vs CoRelAy |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for n in [int(s) for s in args.sizes.split(",")]:
            rng = np.random.default_rng(n)
            centres = rng.normal(0.0, 1.0, (k, d))
            truth = rng.integers(0, k, n)
            x = centres[truth] + rng.normal(0.0, 0.35, (n, d))
            path = os.path.join(tmp, f"r{n}.csv")
            header = ",".join(f"R_f{j}" for j in range(d))
            np.savetxt(path, x, delimiter=",", header=header, comments="", fmt="%.17g")
            out = os.path.join(tmp, "clusters.csv")
            summary = os.path.join(tmp, "summary.json")
            command = [BINARY, "spray", "-r", path, "-o", out, "--normalize", "none",
                       "--clusters", str(k), "--summary", summary]
            if args.threads:
                command += ["--threads", str(args.threads)]
            ours_s, ours_mb, _ = timed(command)
            ours = np.loadtxt(out, delimiter=",", skiprows=1, usecols=0).astype(int)
            row = [n, f"{ours_s:.2f}", f"{ours_mb:.0f}", f"{adjusted_rand_score(truth, ours):.4f}"]
            if n <= args.corelay_max:
                labels_path = os.path.join(tmp, "corelay.npy")
                theirs_s, theirs_mb, stdout = timed(
                    [sys.executable, "-c", CORELAY, path, str(k), labels_path])
                pipeline = float(re.search(r"pipeline_seconds ([\d.e-]+)", stdout).group(1))
                theirs = np.load(labels_path)
                row += [f"{theirs_s:.2f} ({pipeline:.2f})", f"{theirs_mb:.0f}",
                        f"{adjusted_rand_score(truth, theirs):.4f}", f"{theirs_s / ours_s:.1f}",
                        f"{adjusted_rand_score(ours, theirs):.4f}"]
            else:
                row += ["not run (dense n x n distances)", "", "", "", ""]
            print("| " + " | ".join(str(c) for c in row) + " |", flush=True)


if __name__ == "__main__":
    main()
