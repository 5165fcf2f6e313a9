#!/usr/bin/env python3
"""Check neuralize on scikit-learn support vector classifiers that are NOT in the repo,
the way a user would: fit, `joblib.dump`, `export_sklearn.py export`, `neuralize explain`
and `neuralize verify` on held-out and far-away rows.

Randomly configured (seeded) SVC / NuSVC models — rbf or a laplacian_kernel partial, random
gamma and C, binary or multiclass, integer or string labels, with and without a
StandardScaler — on data sets the fixtures do not use. Checks: `predicted` equals
scikit-learn's predict; `target` equals the decision value of the predicted class computed
from scikit-learn's decision_function (1e-9 * max(1, |value|)); relevances (the default, `neon-path`) equal the NumPy
oracle (scripts/svc_oracle.py) within 1e-8 * max(1, |target|); conservation within
1e-9 * max(1, |target|); `neuralize verify` passes.

    cargo build --release && python3 scripts/check_unseen_svc.py [--cases 30] [--seed 1]
"""
import functools
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import svc_oracle  # noqa: E402
import unseen_cases  # noqa: E402


def datasets():
    from sklearn.datasets import (load_diabetes, make_blobs, make_classification,
                                  make_moons)
    X = load_diabetes().data
    yield "diabetes_sex", np.delete(X, 1, axis=1), (X[:, 1] > 0).astype(int)
    X, y = make_moons(400, noise=0.2, random_state=0)
    yield "moons", X, y
    X, y = make_classification(500, n_features=12, n_informative=6, n_classes=4,
                               random_state=0)
    yield "classification4", X, y
    X, y = make_blobs(400, n_features=6, centers=5, cluster_std=3.0, random_state=1)
    yield "blobs5", X * 50 + 1000, y
    rng = np.random.default_rng(5)
    X = rng.lognormal(size=(300, 7)) * 100
    yield "lognormal", X, (np.log(X[:, 0]) + np.log(X[:, 1]) > 9.2).astype(int)


def fit_case(rng, X, y):
    from sklearn.metrics.pairwise import laplacian_kernel
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC, NuSVC

    scaled = bool(rng.integers(2))
    Z = StandardScaler().fit_transform(X) if scaled else X
    spread = float(np.var(Z) * Z.shape[1])
    laplacian = rng.random() < 0.3
    if laplacian:
        kernel = functools.partial(laplacian_kernel,
                                   gamma=float(10 ** rng.uniform(-1, 1)) / np.sqrt(spread))
        gamma = "scale"
    else:
        kernel, gamma = "rbf", float(10 ** rng.uniform(-1, 1)) / spread
    if rng.random() < 0.25:
        est = NuSVC(kernel=kernel, gamma=gamma, nu=float(rng.uniform(0.1, 0.4)))
    else:
        est = SVC(kernel=kernel, gamma=gamma, C=float(10 ** rng.uniform(-1, 2)))
    if rng.random() < 0.3:
        y = np.array(["class_%s" % v for v in y])
    model = make_pipeline(StandardScaler(), est) if scaled else est
    return ("laplacian" if laplacian else "rbf"), type(est).__name__, scaled, model.fit(X, y), y


def read(path):
    with open(path) as f:
        header = f.readline().strip().split(",")
        rows = [line.strip().split(",") for line in f if line.strip()]
    return header, rows


def target_from_sklearn(est, X, classes, predicted):
    final = est.steps[-1][1] if hasattr(est, "steps") else est
    final.set_params(decision_function_shape="ovo")
    dec = est.decision_function(X)
    k = len(classes)
    out = np.zeros(len(X))
    for r in range(len(X)):
        c = classes.index(predicted[r])
        if k == 2:
            out[r] = dec[r] if c == 1 else -dec[r]
            continue
        vals, p = [], 0
        for i in range(k):
            for j in range(i + 1, k):
                if i == c:
                    vals.append(dec[r, p])
                elif j == c:
                    vals.append(-dec[r, p])
                p += 1
        out[r] = min(vals)
    return out


def check_case(args, tmp, case, rng, data):
    import joblib

    name, X, y = data[case % len(data)]
    perm = rng.permutation(len(X))
    n_in = min(40, len(X) // 4)
    tr, te = perm[n_in:], perm[:n_in]
    kernel, kind, scaled, est, labels = fit_case(rng, X[tr], y[tr])
    u = rng.normal(size=X.shape[1])
    u /= np.linalg.norm(u)
    Xin = np.vstack([X[te], X[te[0]] + 1e3 * u, X[te[0]] + 1e150 * u])
    names = ["f%d" % i for i in range(X.shape[1])]
    train, inp = os.path.join(tmp, "train%d.csv" % case), os.path.join(tmp, "in%d.csv" % case)
    np.savetxt(train, X[tr], delimiter=",", header=",".join(names), comments="")
    np.savetxt(inp, Xin, delimiter=",", header=",".join(names), comments="")
    dump, mpath = os.path.join(tmp, "m%d.joblib" % case), os.path.join(tmp, "m%d.json" % case)
    joblib.dump(est, dump)
    subprocess.run([sys.executable, os.path.join(HERE, "export_sklearn.py"), "export", dump,
                    "--train", train, "-o", mpath], check=True, capture_output=True)
    out = os.path.join(tmp, "out%d.csv" % case)
    subprocess.run([args.binary, "explain", "-m", mpath, "-i", inp, "-o", out], check=True)
    verify = subprocess.run([args.binary, "verify", "-m", mpath, "-i", inp],
                            capture_output=True, text=True)
    header, rows = read(out)
    model = json.load(open(mpath))
    classes = [str(c) for c in model["classes"]]
    sk_pred = [str(p) for p in est.predict(Xin)]
    got_pred = [r[0] for r in rows]
    got = np.array([[float(v) for v in r[1:]] for r in rows])
    T, R = got[:, 0], got[:, 1:]
    want_T = target_from_sklearn(est, Xin, [c for c in est.classes_], list(est.predict(Xin)))
    _, oT, oR = svc_oracle.explain(model, Xin, "neon-path")
    problems = []
    if got_pred != sk_pred:
        problems.append("%d labels differ" % sum(a != b for a, b in zip(got_pred, sk_pred)))
    tol = np.maximum(1.0, np.abs(want_T))
    if not np.all(np.abs(T - want_T) <= 1e-9 * tol):
        problems.append("target err %.3g" % np.max(np.abs(T - want_T) / tol))
    if not np.all(np.abs(R - oR) <= 1e-8 * tol[:, None]):
        bad = np.where(np.any(np.abs(R - oR) > 1e-8 * tol[:, None], axis=1))[0]
        problems.append("relevance vs oracle err %.3g on rows %s"
                        % (np.max(np.abs(R - oR) / tol[:, None]), bad.tolist()))
    cons = np.max(np.abs(R.sum(axis=1) - T) / tol)
    if not cons <= 1e-9:
        problems.append("conservation %.3g" % cons)
    if verify.returncode != 0:
        problems.append("verify failed: " + verify.stdout[-200:])
    status = "FAIL" if problems else "ok"
    print("%-4s case %2d %-15s %-5s %-9s scaled=%d classes %d  SVs %4d  rows voted "
          "against a duel %d  %s" % (status, case, name, kind, kernel, scaled, len(classes),
                                      len(model["support_vectors"]), int(np.sum(T < 0)),
                                      "; ".join(problems)))
    return bool(problems)


def main():
    return unseen_cases.run(__doc__, "svc", 30, datasets, check_case)


if __name__ == "__main__":
    sys.exit(main())
