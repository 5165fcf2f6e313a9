"""Check neuralize on Gaussian mixtures and kNN detectors that are NOT in the repo.

Fits randomly configured models (seeded) on other data sets: GaussianMixture (random
covariance_type, K, reg_covar), PyOD KNN and scikit-learn NearestNeighbors (random k, score,
metric), with and without a StandardScaler; exports each with scripts/export_sklearn.py,
runs `neuralize explain --rule neon --beta B` (B = published beta x a random factor in
[0.1, 10]) on held-out and far-away rows, and checks: the outputs equal scikit-learn's
`score_samples` / the detector's scores within 1e-9 max(1, |ref|), relevances equal the
NumPy oracle (scripts/neon_oracle_detectors.py) within 1e-8 max(1, |ref|), conservation
within 1e-9 max(1, |output|).

    cargo build --release && python3 scripts/check_unseen_detectors.py [--cases 30] [--seed 1]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import export_detectors  # noqa: E402
import neon_oracle  # noqa: E402
import neon_oracle_detectors as oracle  # noqa: E402
from export_sklearn import to_neuralize, write_csv  # noqa: E402


def datasets():
    from sklearn.datasets import load_diabetes, make_classification, make_moons, make_s_curve
    yield "diabetes", load_diabetes().data
    yield "moons", make_moons(400, noise=0.1, random_state=0)[0]
    yield "s_curve", make_s_curve(400, random_state=0)[0]
    yield "classification", make_classification(400, n_features=9, random_state=0)[0]


def fit_case(rng, X, kind):
    from pyod.models.knn import KNN
    from sklearn.mixture import GaussianMixture
    from sklearn.neighbors import NearestNeighbors
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    score = None
    if kind == 0:
        est = GaussianMixture(n_components=int(rng.integers(1, 6)),
                              covariance_type=str(rng.choice(["full", "tied", "diag",
                                                              "spherical"])),
                              reg_covar=float(10 ** rng.uniform(-6, -2)),
                              random_state=int(rng.integers(1000)))
    elif kind == 1:
        est = KNN(n_neighbors=int(rng.integers(1, 20)), method=str(rng.choice(["largest",
                                                                                "mean"])),
                  metric=str(rng.choice(["euclidean", "manhattan"])))
    else:
        est = NearestNeighbors(n_neighbors=int(rng.integers(1, 20)),
                               metric=str(rng.choice(["euclidean", "manhattan"])))
        score = str(rng.choice(["largest", "mean"]))
    if rng.random() < 0.5:
        est = make_pipeline(StandardScaler(), est)
    return est, score


def read(path):
    with open(path) as f:
        lines = f.read().splitlines()
    return np.array([[float(v) for v in line.split(",")] for line in lines[1:]])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=30)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "target", "release", "neuralize"))
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    data = list(datasets())
    worst = {"output": 0.0, "relevance": 0.0, "conservation": 0.0}
    with tempfile.TemporaryDirectory() as tmp:
        for case in range(args.cases):
            name, X = data[case % len(data)]
            perm = rng.permutation(len(X))
            n_train = int(0.7 * len(X))
            Xtr, Xin = X[perm[:n_train]], X[perm[n_train:]]
            mu = Xtr.mean(axis=0)
            Xin = np.vstack([Xin, mu + 1e3 * (Xin[:3] - mu)])
            est, score = fit_case(rng, X, (case // len(data)) % 3)
            est.fit(Xtr)
            model = to_neuralize(est, X_train=Xtr, knn_score=score)
            path = os.path.join(tmp, "m.json")
            with open(path, "w") as f:
                json.dump(model, f)
            inp = os.path.join(tmp, "in.csv")
            names = ["x%d" % i for i in range(X.shape[1])]
            write_csv(inp, names, list(Xin.T))
            Z = neon_oracle.standardize(Xin, model.get("scaler"))
            if model["model"] == "gaussian_mixture":
                factor = float(10 ** rng.uniform(-1, 1))
                beta = factor
                ref_out, _, R = oracle.gmm(Z, model, beta=beta)
                sk_out = est.score_samples(Xin)
                label = "%s gmm %s K=%d" % (name, model["covariance_type"],
                                            len(model["weights"]))
            else:
                beta = oracle.knn_beta(model) * float(10 ** rng.uniform(-1, 1))
                ref_out, R = oracle.knn(Z, model, beta=beta)
                sk_out = export_detectors.knn_scores(est, Xin, model["k"], model["score"])
                label = "%s knn k=%d %s %s" % (name, model["k"], model["score"],
                                               model["metric"])
            out = subprocess.run([args.bin, "explain", "-m", path, "-i", inp, "-o", "-",
                                  "--rule", "neon", "--beta", repr(beta)],
                                 check=True, capture_output=True, text=True).stdout
            got = np.array([[float(v) for v in line.split(",")]
                            for line in out.splitlines()[1:]])
            scale = np.maximum(1.0, np.abs(sk_out))
            e_out = float(np.max(np.abs(got[:, 0] - sk_out) / scale))
            e_rel = float(np.max(np.abs(got[:, 2:] - R) / np.maximum(1.0, np.abs(R))))
            e_con = float(np.max(np.abs(got[:, 2:].sum(axis=1) - got[:, 1])
                                 / np.maximum(1.0, np.abs(got[:, 1]))))
            for key, v in zip(worst, (e_out, e_rel, e_con)):
                worst[key] = max(worst[key], v)
            ok = e_out <= 1e-9 and e_rel <= 1e-8 and e_con <= 1e-9
            print("%s %-45s %s %.2g relevance %.2g conservation %.2g"
                  % ("ok  " if ok else "FAIL", label, "output", e_out, e_rel, e_con))
            if not ok:
                return 1
    print("worst: output %.2g, relevance %.2g, conservation %.2g"
          % (worst["output"], worst["relevance"], worst["conservation"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
