"""Side by side in ONE run: the library (benches/library.rs, in memory) against scikit-learn's
prediction, and the kernel models' explanation against the arithmetic floor on one thread.

k-means (d = 30, k = 8, 30, 100): library forward / `KMeans.predict`, explain / forward.
One-class SVM (d = 30, ~100, ~1,000, ~10,000 support vectors): library explain on ONE
thread / floor (the minimum GEMMs + one exp per row x unit pair, timed in the same process).

    cargo bench --no-run --bench library
    python3 benches/side_by_side.py [--rows 100000] [--ocsvm-rows 20000] [--repeats 3] [--only kmeans|ocsvm]

Every ratio printed is from this run; re-run on an idle machine for publishable figures.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "scripts"))
from export_sklearn import to_neuralize  # noqa: E402


def best_of(repeats, fn):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def write(tmp, name, estimator, train, X):
    model_path = os.path.join(tmp, f"{name}.json")
    input_path = os.path.join(tmp, f"{name}.csv")
    with open(model_path, "w") as f:
        json.dump(to_neuralize(estimator, train), f)
    header = ",".join(f"x{i}" for i in range(X.shape[1]))
    np.savetxt(input_path, X, delimiter=",", header=header, comments="", fmt="%.17g")
    return model_path, input_path


def library(model_path, input_path, repeats, floor=False):
    args = ["floor"] if floor else []
    out = subprocess.run(
        ["cargo", "bench", "--quiet", "--bench", "library", "--", *args, model_path, input_path, str(repeats)],
        cwd=REPO, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def kmeans(args, rng, tmp):
    from sklearn.cluster import KMeans

    d = 30
    print(f"\n## k-means, d = {d}, {args.rows} rows (library: {os.cpu_count()} threads)")
    print("| k | sklearn predict s | forward s | explain s | explain_default s | forward / predict | explain / forward | default / forward |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for k in (8, 30, 100):
        train = rng.normal(size=(max(20 * k, 2000), d))
        km = KMeans(n_clusters=k, n_init=1, max_iter=50, random_state=0).fit(train)
        X = rng.normal(size=(args.rows, d))
        model_path, input_path = write(tmp, f"kmeans{k}", km, train, X)
        # Interleaved rounds (scikit-learn, then the library), best round each.
        predict, lib = float("inf"), {}
        for _ in range(args.repeats):
            predict = min(predict, best_of(1, lambda: km.predict(X)))
            run = library(model_path, input_path, 1)
            lib = {k: min(v, lib.get(k, v)) for k, v in run.items()}
        print(f"| {k} | {predict:.4f} | {lib['forward_s']:.4f} | {lib['explain_s']:.4f} | {lib['explain_default_s']:.4f} "
              f"| {lib['forward_s'] / predict:.2f} | {lib['explain_s'] / lib['forward_s']:.2f} "
              f"| {lib['explain_default_s'] / lib['forward_s']:.2f} |", flush=True)


def ocsvm(args, rng, tmp):
    from sklearn.svm import OneClassSVM

    d = 30
    print(f"\n## one-class SVM, d = {d}, {args.ocsvm_rows} rows, ONE thread (floor: see floor_what)")
    print("| SVs | sklearn decision_function s | floor s | forward s | explain s | explain_default s | explain / floor | default / floor | explain s / SV |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n_train, nu in ((400, 0.25), (2000, 0.5), (20000, 0.5)):
        train = rng.normal(size=(n_train, d))
        svm = OneClassSVM(nu=nu, gamma="scale").fit(train)
        X = rng.normal(size=(args.ocsvm_rows, d)) * 1.2
        model_path, input_path = write(tmp, f"ocsvm{n_train}", svm, train, X)
        sk = best_of(args.repeats, lambda: svm.decision_function(X))
        lib = library(model_path, input_path, args.repeats, floor=True)
        n_sv = len(svm.support_)
        print(f"| {n_sv} | {sk:.3f} | {lib['floor_s']:.3f} | {lib['forward_s']:.3f} | {lib['explain_s']:.3f} "
              f"| {lib['explain_default_s']:.3f} | {lib['explain_s'] / lib['floor_s']:.2f} "
              f"| {lib['explain_default_s'] / lib['floor_s']:.2f} | {lib['explain_s'] / n_sv:.2e} |", flush=True)
    print(f"\nfloor_what: {lib.get('floor_what', '')}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--ocsvm-rows", type=int, default=20_000,
                        help="rows of the one-class SVM runs (one thread, up to 10,000 SVs)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", choices=["kmeans", "ocsvm"])
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    tmp = tempfile.mkdtemp(prefix="neuralize-side-by-side-")
    if args.only in (None, "kmeans"):
        kmeans(args, rng, tmp)
    if args.only in (None, "ocsvm"):
        ocsvm(args, rng, tmp)


if __name__ == "__main__":
    main()
