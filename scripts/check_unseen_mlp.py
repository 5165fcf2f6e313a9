#!/usr/bin/env python3
"""Check neuralize on scikit-learn multilayer perceptrons that are NOT in the repo, the way a
user would: fit, `joblib.dump`, `export_sklearn.py export`, `neuralize explain` and
`neuralize verify` on held-out and far-away rows.

Randomly configured (seeded) MLPClassifier / MLPRegressor models: 1-3 hidden layers of width
1-24, relu or identity activations, binary (logistic output) or multiclass (softmax),
integer or string labels, with and without a StandardScaler, on data sets the fixtures do not
use. Checks, per case:
- `predicted` equals scikit-learn's `predict` (regressors: within 1e-9 relative);
- `target` equals the explained quantity computed from the fitted estimator's own
  `coefs_` / `intercepts_` (not the exported file): the predicted class's logit (binary: z for
  the second class, -z for the first), the regression value; and with `--target log-odds`,
  log p / (1 - p) from scikit-learn's `predict_proba` wherever p is not saturated;
- relevances of the default method equal the NumPy oracle (scripts/lrp_dense_oracle.py) within
  1e-8 * max(1, |target|), and conserve within 1e-9 * max(1, |target|);
- `neuralize verify` passes.

    cargo build --release && python3 scripts/check_unseen_mlp.py [--cases 24] [--seed 1]
"""
import json
import os
import subprocess
import sys
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import lrp_dense_oracle  # noqa: E402
import unseen_cases  # noqa: E402

ORACLES = {"neon-drop": lrp_dense_oracle.explain_drop,
           "neon-ref": lrp_dense_oracle.explain_rooted,
           "reveal-cancel": lrp_dense_oracle.explain_reveal}


def datasets():
    """(name, X, y, task): task 'classify' or 'regress'."""
    from sklearn.datasets import load_diabetes, make_classification, make_moons, make_regression
    X, y = make_moons(400, noise=0.25, random_state=0)
    yield "moons", X, y, "classify"
    X, y = make_classification(500, n_features=11, n_informative=6, n_classes=4, random_state=0)
    yield "classification4", X, y, "classify"
    d = load_diabetes()
    yield "diabetes", d.data, d.target, "regress"
    rng = np.random.default_rng(5)
    X = rng.lognormal(size=(300, 7)) * 100
    yield "lognormal", X, (np.log(X[:, 0]) - np.log(X[:, 1]) > 0).astype(int), "classify"
    X, y = make_regression(300, n_features=9, noise=5.0, random_state=2)
    yield "regression", X * 30 + 500, y, "regress"


def fit_case(rng, X, y, task):
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    widths = tuple(int(w) for w in rng.integers(1, 25, size=int(rng.integers(1, 4))))
    activation = "identity" if rng.random() < 0.2 else "relu"
    scaled = bool(rng.random() < 0.7)
    options = dict(hidden_layer_sizes=widths, activation=activation, max_iter=300,
                   random_state=int(rng.integers(1000)))
    if task == "classify":
        est = MLPClassifier(**options)
        if rng.random() < 0.3:
            y = np.array(["class_%s" % v for v in y])
    else:
        est = MLPRegressor(**options)
    model = make_pipeline(StandardScaler(), est) if scaled else est
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence warnings of the short fits
        model.fit(X, y)
    return widths, activation, scaled, model


def own_logits(est, X):
    """The fitted estimator's output units before its output activation, from its own
    attributes (scaler, coefs_, intercepts_)."""
    steps = est.steps if hasattr(est, "steps") else [("mlp", est)]
    a = np.asarray(X, dtype=np.float64)
    for _, step in steps[:-1]:
        a = step.transform(a)
    mlp = steps[-1][1]
    for i, (W, b) in enumerate(zip(mlp.coefs_, mlp.intercepts_)):
        a = a @ W + b
        if i < len(mlp.coefs_) - 1 and mlp.activation == "relu":
            a = np.maximum(a, 0.0)
    return a


def expected_target(est, X, classes, predicted):
    """The explained quantity of the default target for every row (see the docstring)."""
    z = own_logits(est, X)
    if classes is None:
        return z[:, 0]
    c = np.array([classes.index(p) for p in predicted])
    if z.shape[1] == 1:
        return np.where(c == 1, z[:, 0], -z[:, 0])
    return z[np.arange(len(X)), c]


def read(path):
    with open(path) as f:
        header = f.readline().strip().split(",")
        rows = [line.strip().split(",") for line in f if line.strip()]
    return header, rows


def check_case(args, tmp, case, rng, data):
    import joblib

    name, X, y, task = data[case % len(data)]
    perm = rng.permutation(len(X))
    n_in = min(40, len(X) // 4)
    tr, te = perm[n_in:], perm[:n_in]
    widths, activation, scaled, est = fit_case(rng, X[tr], y[tr], task)
    u = rng.normal(size=X.shape[1])
    u /= np.linalg.norm(u)
    Xin = np.vstack([X[te], X[te[0]] + 1e3 * u * X.std(), X[te[0]] + 1e100 * u])
    names = ["f%d" % i for i in range(X.shape[1])]
    path = lambda stem: os.path.join(tmp, "%s%d" % (stem, case))  # noqa: E731
    train, inp, dump, mpath = path("train") + ".csv", path("in") + ".csv", path("m") + ".joblib", \
        path("m") + ".json"
    np.savetxt(train, X[tr], delimiter=",", header=",".join(names), comments="")
    np.savetxt(inp, Xin, delimiter=",", header=",".join(names), comments="")
    joblib.dump(est, dump)
    subprocess.run([sys.executable, os.path.join(HERE, "export_sklearn.py"), "export", dump,
                    "--train", train, "-o", mpath], check=True, capture_output=True)
    model = json.load(open(mpath))
    info = json.loads(subprocess.run([args.binary, "info", "-m", mpath, "--json"], check=True,
                                     capture_output=True, text=True).stdout)
    method = info["default_method"].split("@")[0]
    classes = [str(c) for c in model["classes"]] if "classes" in model else None
    problems = []

    def explain(extra, out):
        subprocess.run([args.binary, "explain", "-m", mpath, "-i", inp, "-o", out] + extra,
                       check=True)
        _, rows = read(out)
        return [r[0] for r in rows], np.array([[float(v) for v in r[1:]] for r in rows])

    got_pred, got = explain([], path("out") + ".csv")
    T, R = got[:, 0], got[:, 1:]
    sk_pred = est.predict(Xin)
    if classes is None:
        pred = np.array([float(p) for p in got_pred])
        if not np.all(np.abs(pred - sk_pred) <= 1e-9 * np.maximum(1.0, np.abs(sk_pred))):
            problems.append("predictions differ from predict")
    elif got_pred != [str(p) for p in sk_pred]:
        problems.append("%d labels differ" % sum(a != str(b) for a, b in zip(got_pred, sk_pred)))
    want_T = expected_target(est, Xin, [str(c) for c in est.classes_] if classes else None,
                             got_pred)
    tol = np.maximum(1.0, np.abs(want_T))
    if not np.all(np.abs(T - want_T) <= 1e-9 * tol):
        problems.append("target err %.3g" % np.max(np.abs(T - want_T) / tol))
    cons = np.max(np.abs(R.sum(axis=1) - T) / tol)
    if not cons <= 1e-9:
        problems.append("conservation %.3g" % cons)
    if method in ORACLES:
        oR = ORACLES[method](model, Xin)[2]
        err = np.max(np.abs(R - oR) / tol[:, None])
        if not err <= 1e-8:
            problems.append("relevance vs oracle err %.3g" % err)
    else:
        problems.append("no oracle for the default %s" % method)
    if classes is not None:
        _, lo = explain(["--target", "log-odds"], path("lo") + ".csv")
        p = est.predict_proba(Xin)
        p = p[np.arange(len(Xin)), [list(map(str, est.classes_)).index(c) for c in got_pred]]
        fine = (p > 1e-6) & (p < 1 - 1e-6)
        want = np.log(p[fine]) - np.log1p(-p[fine])
        err = np.abs(lo[fine, 0] - want) / np.maximum(1.0, np.abs(want))
        if not np.all(err <= 1e-9):
            problems.append("log-odds err %.3g" % err.max())
    verify = subprocess.run([args.binary, "verify", "-m", mpath, "-i", inp],
                            capture_output=True, text=True)
    if verify.returncode != 0:
        problems.append("verify failed: " + (verify.stdout + verify.stderr)[-200:])
    print("%-4s case %2d %-15s %-8s %-12s scaled=%d classes %-2s (%-7s) default %-14s %s" % (
        "FAIL" if problems else "ok", case, name, activation, widths, scaled,
        len(classes) if classes else "-", classes[0] if classes else "", info["default_method"],
        "; ".join(problems)),
        flush=True)
    return bool(problems)


def main():
    return unseen_cases.run(__doc__, "mlp", 24, datasets, check_case)


if __name__ == "__main__":
    sys.exit(main())
