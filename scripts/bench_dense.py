#!/usr/bin/env python3
"""Speed of the dense-network default (`neon-drop`) and of `neon-ref` side by side in ONE run:
neuralize's library in memory (forward pass and explanations, `cargo bench --bench library`)
against a lean batched NumPy implementation of the same rules and of the forward pass (BLAS
GEMMs, no loop over rows), and against scikit-learn's own `predict_proba`.

    cargo build --release
    python3 scripts/bench_dense.py [--rows 100000] [--features 30] [--hidden 64,32] [--threads 2]

Prints a markdown table of best-of-N times and ratios, and checks that the NumPy relevances
of the default equal `neuralize explain`'s (max abs difference).
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

if __name__ == "__main__":  # BLAS reads its thread count when NumPy is first imported
    _threads = sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else "2"
    os.environ.setdefault("OMP_NUM_THREADS", _threads)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", _threads)

import numpy as np  # noqa: E402

import export_sklearn as ex  # noqa: E402


def best_of(repeats, fn):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


class NumpyRooted:
    """Forward pass and the neon-ref relevance of the predicted class's logit, batched."""

    def __init__(self, model):
        self.layers = [(np.asarray(l["weights"]), np.asarray(l["biases"])) for l in model["layers"]]
        sc = model["scaler"]
        self.mean, self.scale = np.asarray(sc["mean"]), np.asarray(sc["scale"])
        self.ref = (np.asarray(model["reference"]) - self.mean) / self.scale

    def _pass(self, Z):
        a, pre = Z, []
        for W, b in self.layers[:-1]:
            p = a @ W + b
            pre.append(p)
            a = np.maximum(p, 0.0)
        return a, pre

    def forward(self, X):
        a, _ = self._pass((X - self.mean) / self.scale)
        W, b = self.layers[-1]
        return a @ W + b

    def _multipliers(self, pre, pre_ref, M):
        """Rescale multipliers from the top weights M down to the input (rows x features)."""
        for (Wl, _), p, q in zip(reversed(self.layers[:-1]), reversed(pre), reversed(pre_ref)):
            dp = p - q
            same = dp == 0
            slope = np.where(same, (p > 0).astype(float),
                             (np.maximum(p, 0) - np.maximum(q, 0)) / np.where(same, 1.0, dp))
            M = (M * slope) @ Wl.T
        return M

    def _start(self, X):
        Z = (X - self.mean) / self.scale
        a, pre = self._pass(Z)
        _, pre_ref = self._pass(self.ref[None, :])
        W, b = self.layers[-1]
        logits = a @ W + b
        c = logits.argmax(axis=1)
        target = logits[np.arange(len(Z)), c]
        nr = self._multipliers(pre, pre_ref, W.T[c]) * (Z - self.ref)
        return Z, pre_ref, c, target, nr

    @staticmethod
    def _floor(R, target):
        return R + ((target - R.sum(axis=1)) / R.shape[1])[:, None]

    def explain(self, X):
        """neon-ref: (target, R)."""
        _, _, _, target, nr = self._start(X)
        return target, self._floor(nr, target)

    def explain_drop(self, X, top=3):
        """neon-drop: neon-ref averaged with the path on which its top g features carry
        their joint drop f(z) - f(z1) and the rest the rescale rule on r -> z1."""
        Z, pre_ref, c, target, nr = self._start(X)
        n, d = Z.shape
        g = min(top, d - 1)
        if g == 0:
            return target, self._floor(nr, target)
        G = np.zeros((n, d), dtype=bool)
        G[np.arange(n)[:, None], np.argsort(-nr, axis=1, kind="stable")[:, :g]] = True
        Z1 = np.where(G, self.ref[None, :], Z)
        a1, pre1 = self._pass(Z1)
        W, b = self.layers[-1]
        at_z1 = (a1 @ W + b)[np.arange(n), c]
        rest = self._multipliers(pre1, pre_ref, W.T[c]) * (Z - self.ref)
        held = np.where(G, nr, 0.0).sum(axis=1)
        drop = np.where(G, nr + ((target - at_z1 - held) / g)[:, None], rest)
        return target, 0.5 * (self._floor(nr, target) + self._floor(drop, target))


def bench_args(doc, rows, repeats, work, methods=None):
    """The benchmark's options (one MLP classifier on make_classification rows; `--methods`
    with its default where `methods` is given)."""
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    if methods is not None:
        ap.add_argument("--methods", default=methods)
    ap.add_argument("--rows", type=int, default=rows)
    ap.add_argument("--features", type=int, default=30)
    ap.add_argument("--hidden", default="64,32")
    ap.add_argument("--classes", type=int, default=4)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=repeats)
    ap.add_argument("--work", default=os.path.join(REPO, "target", work))
    return ap.parse_args()


def fit_mlp(args):
    """(estimator, model, hidden sizes, timed rows, model path, input path): a scaler + MLP fitted
    on 2,000 rows, exported to WORK/mlp.json, the other --rows rows written to WORK/rows.csv."""
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
    Xq = X[2000:]
    cols = ["f%d" % i for i in range(X.shape[1])]
    model = ex.to_neuralize(est, X_train=X[:2000], feature_names=cols)
    model_path = os.path.join(args.work, "mlp.json")
    input_path = os.path.join(args.work, "rows.csv")
    ex.write_model(model_path, model)
    ex.write_csv(input_path, cols, list(Xq.T))
    return est, model, hidden, Xq, model_path, input_path


def main():
    args = bench_args(__doc__, 100_000, 5, "bench_dense")
    est, model, hidden, Xq, model_path, input_path = fit_mlp(args)

    numpy = NumpyRooted(model)
    # Same numbers: NumPy against the command on a slice.
    subprocess.run([os.path.join(REPO, "target", "release", "neuralize"), "explain", "-m",
                    model_path, "-i", input_path, "-o", os.path.join(args.work, "out.csv")],
                   check=True)
    ours = np.loadtxt(os.path.join(args.work, "out.csv"), delimiter=",", skiprows=1)
    target, R = numpy.explain_drop(Xq)
    diff = max(np.abs(ours[:, 1] - target).max(), np.abs(ours[:, 2:] - R).max())

    env = dict(os.environ, RAYON_NUM_THREADS=str(args.threads))
    out = subprocess.run(["cargo", "bench", "--quiet", "--bench", "library", "--", model_path,
                          input_path, str(args.repeats), "neon-ref"], cwd=REPO, env=env, check=True,
                         capture_output=True, text=True).stdout
    lib = json.loads(out.strip().splitlines()[-1])
    t = {
        "neuralize forward (library)": lib["forward_s"],
        "neuralize explain, default neon-drop (library)": lib["explain_default_s"],
        "neuralize explain, neon-ref (library)": lib["methods"]["neon-ref"],
        "NumPy forward": best_of(args.repeats, lambda: numpy.forward(Xq)),
        "NumPy neon-drop explain": best_of(args.repeats, lambda: numpy.explain_drop(Xq)),
        "NumPy neon-ref explain": best_of(args.repeats, lambda: numpy.explain(Xq)),
        "scikit-learn predict_proba": best_of(args.repeats, lambda: est.predict_proba(Xq)),
    }
    base = t["neuralize explain, default neon-drop (library)"]
    print("MLP %s, d = %d, %d classes, %d rows, %d threads; NumPy vs neuralize max |diff| %.2e"
          % (hidden, args.features, args.classes, len(Xq), args.threads, diff))
    print()
    print("| what | seconds | / neuralize explain |")
    print("|---|---:|---:|")
    for k, v in t.items():
        print("| %s | %.4f | %.2f |" % (k, v, v / base))
    print()
    print("explain / forward (neuralize): %.2f" % (base / lib["forward_s"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
