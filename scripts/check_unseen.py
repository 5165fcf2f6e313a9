"""Check neuralize on scikit-learn models that are NOT in the repo.

Fits randomly configured models (seeded) on other data sets — OneClassSVM (rbf and laplacian,
random gamma and nu), KernelDensity, KMeans, with and without a StandardScaler — exports each
with scripts/export_sklearn.py, runs `neuralize explain --rule neon --beta B` (B random in
[0.1, 10]) on held-out and far-away rows, and checks: forward outputs equal scikit-learn's
(KDE: the exact log density) and relevances equal the NumPy oracle within 1e-8*max(1,|ref|),
k-means assignments identical, conservation within 1e-9*max(1,|output|).

    cargo build --release && python3 scripts/check_unseen.py [--cases 40] [--seed 1]
"""
import argparse
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import neon_oracle  # noqa: E402
from export_sklearn import to_neuralize  # noqa: E402


def datasets():
    from sklearn.datasets import load_diabetes, make_classification, make_moons, make_s_curve
    yield "diabetes", load_diabetes().data
    yield "moons", make_moons(400, noise=0.1, random_state=0)[0]
    yield "classification", make_classification(500, n_features=17, random_state=0)[0]
    yield "s_curve", make_s_curve(400, random_state=0)[0] * 10
    rng = np.random.default_rng(5)
    yield "lognormal", rng.lognormal(size=(300, 7)) * 100


def fit_case(rng, X):
    from sklearn.cluster import KMeans
    from sklearn.metrics.pairwise import laplacian_kernel
    from sklearn.neighbors import KernelDensity
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import OneClassSVM

    kind = rng.choice(["ocsvm_rbf", "ocsvm_laplacian", "kde", "kmeans"])
    scaled = bool(rng.integers(2))
    Z = StandardScaler().fit_transform(X) if scaled else X
    spread = float(np.var(Z) * Z.shape[1])
    if kind == "ocsvm_rbf":
        est = OneClassSVM(kernel="rbf", gamma=float(10 ** rng.uniform(-1, 1)) / spread, nu=float(rng.uniform(0.05, 0.6)))
    elif kind == "ocsvm_laplacian":
        g = float(10 ** rng.uniform(-1, 1)) / np.sqrt(spread)
        est = OneClassSVM(kernel=functools.partial(laplacian_kernel, gamma=g), nu=float(rng.uniform(0.05, 0.6)))
    elif kind == "kde":
        est = KernelDensity(bandwidth=float(10 ** rng.uniform(-0.5, 0.5)) * np.sqrt(spread / Z.shape[1]))
    else:
        est = KMeans(n_clusters=int(rng.integers(2, 8)), n_init=3, random_state=int(rng.integers(1000)))
    model = make_pipeline(StandardScaler(), est) if scaled else est
    return kind, scaled, model.fit(X)


def read(path):
    with open(path) as f:
        header = f.readline().strip().split(",")
    return header, np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--binary", default=os.path.join(HERE, "..", "target", "release", "neuralize"))
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    data = list(datasets())
    tmp = tempfile.mkdtemp(prefix="neuralize-unseen-")
    failures = 0
    for case in range(args.cases):
        name, X = data[case % len(data)]
        perm = rng.permutation(len(X))
        train, held = X[perm[: len(X) * 2 // 3]], X[perm[len(X) * 2 // 3:]][:60]
        kind, scaled, est = fit_case(rng, train)
        far = held[:3] + (X.std(0) + 1) * np.array([[1e3], [1e6], [1e9]])
        rows = np.vstack([held, far, train[:2]])
        model = to_neuralize(est, train)
        beta = float(10 ** rng.uniform(-1, 1))
        model_path, input_path, out_path = (os.path.join(tmp, f"{case}.{s}") for s in ("json", "csv", "out.csv"))
        with open(model_path, "w") as f:
            json.dump(model, f)
        names = model.get("feature_names") or [f"x{i}" for i in range(X.shape[1])]
        np.savetxt(input_path, rows, delimiter=",", header=",".join(names), comments="", fmt="%.17g")
        subprocess.run([args.binary, "explain", "--model", model_path, "--input", input_path,
                        "--output", out_path, "--rule", "neon", "--beta", repr(beta)], check=True)
        header, got = read(out_path)
        oracle = neon_oracle.explain_model(model, rows, beta=beta)
        expected_cols = list(oracle.values()) if isinstance(oracle, dict) else oracle
        expected = np.column_stack([np.asarray(c, dtype=float).reshape(len(rows), -1) for c in expected_cols])
        Z = neon_oracle.standardize(rows, model.get("scaler"))
        if kind.startswith("ocsvm"):
            expected[:, 0] = est.decision_function(rows)
        err = np.abs(got - expected) / np.maximum(1.0, np.abs(expected))
        conservation = np.abs(got[:, 2:].sum(1) - got[:, 1]) / np.maximum(1.0, np.abs(got[:, 1]))
        ok = err.max() <= 1e-8 and conservation.max() <= 1e-9 and np.isfinite(got).all()
        if kind == "kmeans":
            ok = ok and (got[:, 0].astype(int) == est.predict(rows)).all()
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} case {case:2d} {name:14s} {kind:15s} scaled={scaled!s:5s} beta={beta:6.3f} "
              f"max rel err {err.max():.1e} (col {header[int(err.max(0).argmax())]}, row {int(err.max(1).argmax())}/{len(rows)}) conservation {conservation.max():.1e}")
    print(f"{args.cases - failures}/{args.cases} cases passed")
    if failures:
        print(f"the failing cases' files are kept in {tmp}")
    else:
        shutil.rmtree(tmp)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
