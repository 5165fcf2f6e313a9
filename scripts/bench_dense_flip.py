#!/usr/bin/env python3
"""Cost of the opt-in dense-network rule set `neon-flip` side by side with the default
`neon-ref` and the forward pass, in ONE run of the library in memory (no CSV on the clock):
`cargo bench --bench library -- MODEL INPUT REPEATS neon-ref neon-flip` times forward,
default (neon-ref) and each named method in turn every round (interleaved), keeping each
one's best round.

    python3 scripts/bench_dense_flip.py [--rows 20000] [--features 30] [--hidden 64,32]
                                        [--classes 4] [--threads 2] [--repeats 7]

Prints a markdown table of best-of-N seconds and the ratios neon-flip / neon-ref and
each / forward. The MLP is trained as in scripts/bench_dense.py (make_classification,
StandardScaler + MLPClassifier, random_state 0).
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import export_sklearn as ex  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--features", type=int, default=30)
    ap.add_argument("--hidden", default="64,32")
    ap.add_argument("--classes", type=int, default=4)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--work", default=os.path.join(REPO, "target", "bench_dense_flip"))
    args = ap.parse_args()
    from sklearn.datasets import make_classification
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    os.makedirs(args.work, exist_ok=True)
    hidden = tuple(int(h) for h in args.hidden.split(","))
    X, y = make_classification(n_samples=args.rows + 2000, n_features=args.features,
                               n_informative=args.features // 2, n_classes=args.classes,
                               random_state=0)
    est = make_pipeline(StandardScaler(), MLPClassifier(hidden, max_iter=300, random_state=0))
    est.fit(X[:2000], y[:2000])
    cols = ["f%d" % i for i in range(X.shape[1])]
    model = ex.to_neuralize(est, X_train=X[:2000], feature_names=cols)
    model_path = os.path.join(args.work, "mlp.json")
    input_path = os.path.join(args.work, "rows.csv")
    ex.write_model(model_path, model)
    ex.write_csv(input_path, cols, list(X[2000:].T))

    env = dict(os.environ, RAYON_NUM_THREADS=str(args.threads))
    out = subprocess.run(["cargo", "bench", "--quiet", "--bench", "library", "--", model_path,
                          input_path, str(args.repeats), "neon-ref", "neon-flip"],
                         cwd=REPO, env=env, check=True, capture_output=True, text=True).stdout
    lib = json.loads(out.strip().splitlines()[-1])
    t = {
        "forward": lib["forward_s"],
        "neon-ref (default)": lib["explain_default_s"],
        "neon-ref (named)": lib["methods"]["neon-ref"],
        "neon-flip": lib["methods"]["neon-flip"],
    }
    ref = min(t["neon-ref (default)"], t["neon-ref (named)"])
    print("MLP %s, d = %d, %d classes, %d rows, %d threads, best of %d (interleaved)"
          % (hidden, args.features, args.classes, args.rows, lib["threads"], args.repeats))
    print()
    print("| what | seconds | / forward | / neon-ref |")
    print("|---|---:|---:|---:|")
    for k, v in t.items():
        print("| %s | %.4f | %.2f | %.2f |" % (k, v, v / t["forward"], v / ref))
    return 0


if __name__ == "__main__":
    sys.exit(main())
