#!/usr/bin/env python3
"""Regenerate the support-vector-classifier fixtures `models/svc_*` from scikit-learn SVCs:

    python scripts/export_svc_fixtures.py [--out models]

Per fixture NAME:
  NAME.json                 the exported model (scripts/export_sklearn.py)
  NAME.input.csv            held-out rows (not used in training), then two far rows: a
                            held-out row moved 1e3 and 1e150 along a random direction
  NAME.sklearn.csv          scikit-learn's predict (as the class index `predict_index`) and
                            decision_function (`dec_<p>`: one column for a binary SVC,
                            one per pair (i, j), i < j, in scikit-learn's one-vs-one order)
  NAME.expected_<rule>.csv  `predicted,target,R_<feature>...` from the NumPy oracle
                            (scripts/svc_oracle.py) for rule sets neon-path, hybrid, neon, neon-ref
                            (beta 1); `predicted` is the class index
  NAME.expected_class0.csv  the same (hybrid) explaining class 0 on every row
  NAME.expected_gradient.csv  d target / d z of the predicted class
The script stops with an error when the oracle disagrees with scikit-learn.
"""

import argparse
import functools
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_sklearn as ex  # noqa: E402
import svc_oracle as oracle  # noqa: E402

RULES = ("neon-path", "hybrid", "neon", "neon-ref")


def far_rows(X, seed):
    """A held-out row moved 1e3 and 1e150 along a random unit direction."""
    rng = np.random.RandomState(seed)
    u = rng.normal(size=X.shape[1])
    u /= np.linalg.norm(u)
    return np.vstack([X[0] + 1e3 * u, X[0] + 1e150 * u])


def specs():
    """Yield (name, fitted estimator, X_train, X_input, feature names, dataset)."""
    from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
    from sklearn.metrics.pairwise import laplacian_kernel
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    def split(n, seed, n_input):
        perm = np.random.RandomState(seed).permutation(n)
        return perm[n_input:], perm[:n_input]

    iris = load_iris()
    tr, te = split(len(iris.data), 20, 40)
    est = make_pipeline(StandardScaler(), SVC(kernel="rbf", gamma="scale", C=1.0))
    est.fit(iris.data[tr], iris.target[tr])
    Xin = np.vstack([iris.data[te], far_rows(iris.data[te], 1)])
    yield ("svc_iris", est, iris.data[tr], Xin,
           [ex._sanitize(n) for n in iris.feature_names], "iris")

    bc = load_breast_cancer()
    tr, te = split(len(bc.data), 21, 60)
    est = make_pipeline(StandardScaler(), SVC(kernel="rbf", gamma=0.02, C=3.0))
    est.fit(bc.data[tr], bc.target[tr])
    Xin = np.vstack([bc.data[te], far_rows(bc.data[te], 2)])
    yield ("svc_breast_cancer", est, bc.data[tr], Xin,
           [ex._sanitize(n) for n in bc.feature_names], "breast_cancer")

    # raw inputs (no scaler), labels that are not indices
    wine = load_wine()
    tr, te = split(len(wine.data), 22, 40)
    labels = np.array([10, 20, 30])[wine.target]
    est = SVC(kernel="rbf", gamma="scale", C=10.0)
    est.fit(wine.data[tr], labels[tr])
    Xin = np.vstack([wine.data[te], far_rows(wine.data[te], 3)])
    yield ("svc_wine_raw", est, wine.data[tr], Xin,
           [ex._sanitize(n) for n in wine.feature_names], "wine")

    # laplacian kernel (a callable: scikit-learn keeps X_train[support_]), 4 digits
    dg = load_digits()
    keep = np.where(dg.target < 4)[0]
    X, y = dg.data[keep], dg.target[keep]
    tr, te = split(len(X), 23, 60)
    est = SVC(kernel=functools.partial(laplacian_kernel, gamma=0.02), C=1.0)
    est.fit(X[tr], y[tr])
    Xin = np.vstack([X[te], far_rows(X[te], 4)])
    names = ["pixel_%d_%d" % (r, c) for r in range(8) for c in range(8)]
    yield "svc_digits_laplacian", est, X[tr], Xin, names, "digits (classes 0-3)"


def check(name, model, est, Xin):
    """The oracle against scikit-learn: decision values to 1e-9 relative, predictions equal."""
    V = oracle.duels(model, Xin)
    k = V.shape[1]
    dec = est.decision_function(Xin)
    if k == 2:
        ours = V[:, 1, 0][:, None]
        dec = dec[:, None]
    else:
        ours = np.column_stack([V[:, i, j] for i in range(k) for j in range(i + 1, k)])
        if dec.shape[1] != ours.shape[1]:
            raise SystemExit("%s: export with decision_function_shape='ovo'" % name)
    err = np.max(np.abs(ours - dec) / np.maximum(1.0, np.abs(dec)))
    pred = oracle.predict(model, Xin)
    classes = list(est.classes_)
    want = np.array([classes.index(p) for p in est.predict(Xin)])
    if not err <= 1e-9 or not np.array_equal(pred, want):
        raise SystemExit("%s: oracle disagrees with scikit-learn (decision rel err %.3g, "
                         "%d labels differ)" % (name, err, int(np.sum(pred != want))))
    return dec, want, err


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="models")
    args = ap.parse_args(argv)
    for name, est, Xtr, Xin, names, dataset in specs():
        final = est.steps[-1][1] if hasattr(est, "steps") else est
        final.set_params(decision_function_shape="ovo")
        model = ex.to_neuralize(est, X_train=Xtr, feature_names=names, dataset=dataset,
                                check=False)
        dec, index, err = check(name, model, est, Xin)
        d = Xin.shape[1]
        path = lambda suffix: os.path.join(args.out, "%s.%s" % (name, suffix))  # noqa: E731
        ex.write_model(path("json"), model)
        ex.write_csv(path("input.csv"), names, list(Xin.T))
        ex.write_csv(path("sklearn.csv"),
                     ["predict_index"] + ["dec_%d" % p for p in range(dec.shape[1])],
                     [index] + list(dec.T))
        header = ["predicted", "target"] + ["R_" + c for c in names]
        worst = 0.0
        for rule in RULES:
            p, t, R = oracle.explain(model, Xin, rule)
            worst = max(worst, float(np.max(np.abs(R.sum(axis=1) - t)
                                            / np.maximum(1.0, np.abs(t)))))
            ex.write_csv(path("expected_%s.csv" % rule), header, [p, t] + list(R.T))
        p, t, R = oracle.explain(model, Xin, "hybrid", cls=0)
        ex.write_csv(path("expected_class0.csv"), header, [p, t] + list(R.T))
        G = oracle.gradient(model, Xin)
        ex.write_csv(path("expected_gradient.csv"), ["G_" + c for c in names], list(G.T))
        _, t, _ = oracle.explain(model, Xin, "neon")
        print("ok   %-22s rows %3d  d %2d  classes %d  SVs %4d  eta %.2f  dec err %.2g  "
              "conservation %.2g  rows voted against a duel (target < 0): %d"
              % (name, len(Xin), d, len(model["classes"]), len(model["support_vectors"]),
                 oracle.eta(model), err, worst, int(np.sum(t < 0))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
