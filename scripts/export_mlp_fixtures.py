#!/usr/bin/env python3
"""Regenerate the dense-network fixtures `models/mlp_*` from scikit-learn MLPs:

    python scripts/export_mlp_fixtures.py [--out models]

Per fixture NAME:
  NAME.json                 the exported model (scripts/export_sklearn.py)
  NAME.input.csv            held-out rows (not used in training)
  NAME.sklearn.csv          scikit-learn's predict (class label or value) and predict_proba
                            columns `p_<label>` (classifiers), as written by scikit-learn
  NAME.expected_<rule>.csv  `predicted,target,R_<feature>...` from the NumPy oracle
                            (scripts/lrp_dense_oracle.py); `predicted` is the class index
                            (classifiers) or the regression value
  NAME.expected_neon-flip.csv, NAME.expected_log-odds_neon-flip.csv: rule set neon-flip
  NAME.expected_neon-drop.csv, NAME.expected_log-odds_neon-drop.csv: rule set neon-drop
                            (`--flip-only` writes just these two kinds, from the committed files)
  NAME.expected_gradient.csv  d target / d z of the predicted class (oracle backprop)
  NAME.expected_log-odds_<rule>.csv, NAME.expected_log-odds_gradient.csv: the same with
                            the log-odds log p / (1 - p) of the predicted class as target (classifiers)
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_sklearn as ex  # noqa: E402
import lrp_dense_oracle as oracle  # noqa: E402

RULES = [
    ("tutorial", "tutorial", None),
    ("gamma-zb", "gamma-zb", None),
    ("epsilon-plus-flat", "epsilon-plus-flat", None),
    ("lrp0", "uniform", ("lrp0", ())),
    ("epsilon", "uniform", ("epsilon", (0.25,))),
    ("gamma", "uniform", ("gamma", (0.25,))),
    ("alpha-beta", "uniform", ("alpha-beta", (2.0, 1.0))),
    ("w2", "uniform", ("w2", ())),
    ("flat", "uniform", ("flat", ())),
]


def specs():
    """Yield (name, fitted estimator, X_train, X_input, feature names, dataset)."""
    from sklearn.datasets import (load_breast_cancer, load_diabetes, load_iris, load_wine,
                                  make_blobs)
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    def split(X, seed, n_input):
        perm = np.random.RandomState(seed).permutation(len(X))
        return perm[n_input:], perm[:n_input]

    iris = load_iris()
    tr, te = split(iris.data, 10, 40)
    est = make_pipeline(StandardScaler(), MLPClassifier((16, 8), max_iter=2000, random_state=0))
    est.fit(iris.data[tr], iris.target[tr])
    yield ("mlp_iris", est, iris.data[tr], iris.data[te],
           [ex._sanitize(n) for n in iris.feature_names], "iris")

    bc = load_breast_cancer()
    tr, te = split(bc.data, 11, 60)
    est = make_pipeline(StandardScaler(), MLPClassifier((32,), max_iter=2000, random_state=0))
    est.fit(bc.data[tr], bc.target[tr])
    yield ("mlp_breast_cancer", est, bc.data[tr], bc.data[te],
           [ex._sanitize(n) for n in bc.feature_names], "breast_cancer")

    wine = load_wine()
    tr, te = split(wine.data, 12, 40)
    est = make_pipeline(StandardScaler(),
                        MLPClassifier((16, 16, 8), max_iter=3000, random_state=0))
    est.fit(wine.data[tr], wine.target[tr])
    yield ("mlp_wine", est, wine.data[tr], wine.data[te],
           [ex._sanitize(n) for n in wine.feature_names], "wine")

    db = load_diabetes()
    tr, te = split(db.data, 13, 60)
    est = make_pipeline(StandardScaler(),
                        MLPRegressor(hidden_layer_sizes=(32, 16), max_iter=3000, random_state=0))
    est.fit(db.data[tr], db.target[tr])
    yield ("mlp_diabetes", est, db.data[tr], db.data[te],
           [ex._sanitize(n) for n in db.feature_names], "diabetes")

    # raw inputs (no scaler), identity hidden layer, labels that are not indices
    X, y = make_blobs(n_samples=300, n_features=5, centers=3, random_state=3)
    labels = np.array([10, 20, 30])[y]
    tr, te = split(X, 14, 50)
    est = MLPClassifier((8,), activation="identity", max_iter=2000, random_state=0)
    est.fit(X[tr], labels[tr])
    yield ("mlp_blobs_raw", est, X[tr], X[te], None,
           "make_blobs(n_samples=300, n_features=5, centers=3, random_state=3)")


def write_flip(model, Xin, cols, path):
    """NAME.expected_neon-flip.csv and NAME.expected_neon-drop.csv (and the log-odds ones for
    classifiers) from the oracle."""
    header = ["predicted", "target"] + ["R_" + c for c in cols]
    for rule_set, explain in (("neon-flip", oracle.explain_flip),
                              ("neon-drop", oracle.explain_drop)):
        p, t, R = explain(model, Xin)
        ex.write_csv(path("expected_%s.csv" % rule_set), header, [p, t] + list(R.T))
        if model["output"] != "identity":
            p, t, R = explain(model, Xin, log_odds=True)
            ex.write_csv(path("expected_log-odds_%s.csv" % rule_set), header,
                         [p, t] + list(R.T))


def flip_only(out):
    """Write only the neon-flip and neon-drop files, from the committed model files and
    inputs."""
    import json
    for name in ("mlp_iris", "mlp_breast_cancer", "mlp_wine", "mlp_diabetes", "mlp_blobs_raw"):
        with open(os.path.join(out, name + ".json")) as f:
            model = json.load(f)
        with open(os.path.join(out, name + ".input.csv")) as f:
            cols = f.readline().strip().split(",")
        Xin = np.loadtxt(os.path.join(out, name + ".input.csv"), delimiter=",", skiprows=1,
                         ndmin=2)
        write_flip(model, Xin, cols, lambda suffix, n=name: os.path.join(out, "%s.%s" % (n, suffix)))
        print("ok   %-20s neon-flip, neon-drop" % name)
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="models")
    ap.add_argument("--flip-only", action="store_true",
                    help="write only NAME.expected[_log-odds]_neon-{flip,drop}.csv from the committed "
                         "model files and inputs (no retraining)")
    args = ap.parse_args(argv)
    if args.flip_only:
        return flip_only(args.out)
    for name, est, Xtr, Xin, names, dataset in specs():
        model = ex.to_neuralize(est, X_train=Xtr, feature_names=names, dataset=dataset)
        d = Xin.shape[1]
        cols = names if names is not None else ["x%d" % i for i in range(d)]
        if names is None:
            model["feature_names"] = cols
        path = lambda suffix: os.path.join(args.out, "%s.%s" % (name, suffix))  # noqa: E731
        ex.write_model(os.path.join(args.out, name + ".json"), model)
        ex.write_csv(path("input.csv"), cols, list(Xin.T))
        pred = est.predict(Xin)
        if model["output"] == "identity":
            ex.write_csv(path("sklearn.csv"), ["predict"], [pred])
        else:
            classes = list(est.classes_)
            index = np.array([classes.index(p) for p in pred])
            proba = est.predict_proba(Xin)
            ex.write_csv(path("sklearn.csv"),
                         ["predict_index"] + ["p_%s" % c for c in classes],
                         [index] + list(proba.T))
        for suffix, rule_set, uniform in RULES:
            p, t, R = oracle.explain(model, Xin, rule_set, uniform)
            ex.write_csv(path("expected_%s.csv" % suffix),
                         ["predicted", "target"] + ["R_" + c for c in cols],
                         [p, t] + list(R.T))
        p, t, R = oracle.explain_rooted(model, Xin)
        ex.write_csv(path("expected_neon-ref.csv"),
                     ["predicted", "target"] + ["R_" + c for c in cols], [p, t] + list(R.T))
        p, t, R = oracle.explain_reveal(model, Xin)
        ex.write_csv(path("expected_reveal-cancel.csv"),
                     ["predicted", "target"] + ["R_" + c for c in cols], [p, t] + list(R.T))
        write_flip(model, Xin, cols, path)
        for rule_set in (("tutorial", "gamma-zb", "neon-ref", "reveal-cancel")
                         if model["output"] != "identity" else ()):
            if rule_set == "neon-ref":
                p, t, R = oracle.explain_rooted(model, Xin, log_odds=True)
            elif rule_set == "reveal-cancel":
                p, t, R = oracle.explain_reveal(model, Xin, log_odds=True)
            else:
                p, t, R = oracle.explain(model, Xin, rule_set, log_odds=True)
            ex.write_csv(path("expected_log-odds_%s.csv" % rule_set),
                         ["predicted", "target"] + ["R_" + c for c in cols],
                         [p, t] + list(R.T))
        G = oracle.gradient(model, Xin)
        ex.write_csv(path("expected_gradient.csv"), ["G_" + c for c in cols], list(G.T))
        if model["output"] != "identity":
            G = oracle.gradient(model, Xin, log_odds=True)
            ex.write_csv(path("expected_log-odds_gradient.csv"), ["G_" + c for c in cols],
                         list(G.T))
        logits = oracle.forward(model, Xin)
        print("ok   %-20s rows %3d  d %2d  layers %d  output %s  max |logit| %.3g"
              % (name, len(Xin), d, len(model["layers"]), model["output"],
                 np.abs(logits).max()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
