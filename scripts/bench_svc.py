#!/usr/bin/env python3
"""Speed of the SVC default (`neon-path`) side by side, interleaved in ONE run: neuralize's
library in memory (`cargo bench --bench library`: forward pass, the published `neon` rules
and the default explanation) against scikit-learn's own `decision_function`.

    cargo build --release
    python3 scripts/bench_svc.py [--rows 20000] [--features 30] [--classes 2] [--train 2000]
                                 [--threads 2] [--repeats 3] [--rounds 3]

Fits Pipeline(StandardScaler, SVC()) (rbf, gamma='scale') on `--train` rows of
make_classification, exports it, and times the other rows. Each round runs the library
benchmark (best of `--repeats`) and then scikit-learn (best of `--repeats`); the table keeps
each side's best over the rounds (a shared machine's noise only ever adds time). Ratios are
against neuralize's default explanation; `explain / forward` is the cost of an explanation
in forward passes. scikit-learn's libsvm `decision_function` runs on one thread.

    python3 scripts/bench_svc.py --cli [--baseline OTHER_NEURALIZE_BINARY]

times the command line instead (no cargo bench build): `neuralize score` (the forward
pass) and `neuralize explain` (the default) of the built binary, and of a second binary
(e.g. an older build) when given, interleaved, best over rounds x repeats; CSV reading and
writing are included.
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402

import export_sklearn as ex  # noqa: E402


def best_of(repeats, fn):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--features", type=int, default=30)
    ap.add_argument("--classes", type=int, default=2)
    ap.add_argument("--train", type=int, default=2000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--work", default=os.path.join(REPO, "target", "bench_svc"))
    ap.add_argument("--cli", action="store_true",
                    help="time the binary's score and explain instead of the library")
    ap.add_argument("--binary", default=os.path.join(REPO, "target", "release", "neuralize"))
    ap.add_argument("--baseline", help="a second neuralize binary to time beside it (--cli)")
    args = ap.parse_args()
    from sklearn.datasets import make_classification
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    os.makedirs(args.work, exist_ok=True)
    X, y = make_classification(n_samples=args.rows + args.train, n_features=args.features,
                               n_informative=args.features // 2, n_classes=args.classes,
                               random_state=0)
    est = make_pipeline(StandardScaler(), SVC(decision_function_shape="ovo"))
    est.fit(X[:args.train], y[:args.train])
    Xq = X[args.train:]
    cols = ["f%d" % i for i in range(X.shape[1])]
    model = ex.to_neuralize(est, X_train=X[:args.train], feature_names=cols)
    model_path = os.path.join(args.work, "svc.json")
    input_path = os.path.join(args.work, "rows.csv")
    ex.write_model(model_path, model)
    ex.write_csv(input_path, cols, list(Xq.T))

    env = dict(os.environ, RAYON_NUM_THREADS=str(args.threads))
    t = {}
    if args.cli:
        return cli(args, model_path, input_path, len(model["support_vectors"]), len(Xq))

    def keep(name, seconds):
        t[name] = min(t.get(name, float("inf")), seconds)

    for _ in range(args.rounds):
        out = subprocess.run(["cargo", "bench", "--quiet", "--bench", "library", "--",
                              model_path, input_path, str(args.repeats)], cwd=REPO, env=env,
                             check=True, capture_output=True, text=True).stdout
        lib = json.loads(out.strip().splitlines()[-1])
        keep("neuralize forward (library)", lib["forward_s"])
        keep("neuralize explain, default neon-path (library)", lib["explain_default_s"])
        if lib.get("explain_s") is not None:
            keep("neuralize explain, published neon (library)", lib["explain_s"])
        keep("scikit-learn decision_function",
             best_of(args.repeats, lambda: est.decision_function(Xq)))
    base = t["neuralize explain, default neon-path (library)"]
    print("SVC rbf, d = %d, %d classes, %d support vectors, %d rows, %d threads (neuralize); "
          "best of %d x %d rounds"
          % (args.features, args.classes, len(model["support_vectors"]), len(Xq),
             args.threads, args.repeats, args.rounds))
    print()
    print("| what | seconds | / neuralize explain |")
    print("|---|---:|---:|")
    for k, v in t.items():
        print("| %s | %.4f | %.2f |" % (k, v, v / base))
    print()
    print("explain / forward (neuralize): %.2f" % (base / t["neuralize forward (library)"]))
    return 0


def cli(args, model_path, input_path, n_sv, n_rows):
    """Interleaved best-of timing of `score` and `explain` of one or two binaries."""
    binaries = [("built", args.binary)] + ([("baseline", args.baseline)] if args.baseline else [])
    out = os.path.join(args.work, "out.csv")
    t = {}
    for _ in range(args.rounds):
        for name, binary in binaries:
            for command in ("score", "explain"):
                run = [binary, command, "-m", model_path, "-i", input_path, "-o", out,
                       "--threads", str(args.threads)]
                seconds = best_of(args.repeats, lambda: subprocess.run(run, check=True,
                                                                       capture_output=True))
                key = "%s %s" % (name, command)
                t[key] = min(t.get(key, float("inf")), seconds)
    print("SVC rbf, d = %d, %d classes, %d support vectors, %d rows, %d threads (CLI); "
          "best of %d x %d rounds" % (args.features, args.classes, n_sv, n_rows, args.threads,
                                       args.repeats, args.rounds))
    print()
    print("| what | seconds |")
    print("|---|---:|")
    for k, v in t.items():
        print("| %s | %.3f |" % (k, v))
    print()
    for name, _ in binaries:
        print("%s explain / score: %.2f" % (name, t[name + " explain"] / t[name + " score"]))
    if args.baseline:
        print("built explain / baseline explain: %.2f"
              % (t["built explain"] / t["baseline explain"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
