#!/usr/bin/env python3
"""Feature-flipping study of the dense-network rule sets on generated held-out data
(docs/dense_network.md, "How faithful"):

    python scripts/dense_faithfulness.py [--binary target/release/neuralize] [--work DIR]

For each generated task (scikit-learn's make_classification / make_friedman1, fixed seeds)
an MLP in a Pipeline(StandardScaler, MLP) is fitted on training rows and exported with
scripts/export_sklearn.py; `neuralize evaluate` then flips features of held-out rows (not
used in training) in the order each method ranks them and prints its table. Nothing here
is shipped as a fixture.
"""

import argparse
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_sklearn as ex  # noqa: E402

METHODS = ("tutorial,gamma-zb,epsilon-plus-flat,occlusion,gradient-x-input,"
           "integrated-gradients,random")


def tasks():
    from sklearn.datasets import make_classification, make_friedman1
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = make_classification(n_samples=1500, n_features=12, n_informative=6,
                               n_redundant=2, n_classes=3, random_state=21)
    yield "classification3", X, y, make_pipeline(
        StandardScaler(), MLPClassifier((32, 16), max_iter=2000, random_state=0))
    X, y = make_classification(n_samples=1500, n_features=20, n_informative=5,
                               n_classes=2, random_state=22)
    yield "classification2", X, y, make_pipeline(
        StandardScaler(), MLPClassifier((64, 32, 16), max_iter=2000, random_state=0))
    X, y = make_friedman1(n_samples=1500, n_features=10, random_state=23)
    yield "friedman1", X, y, make_pipeline(
        StandardScaler(), MLPRegressor(hidden_layer_sizes=(32, 16), max_iter=3000,
                                       random_state=0))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default="target/release/neuralize")
    ap.add_argument("--work", default="target/dense_faithfulness")
    args = ap.parse_args(argv)
    os.makedirs(args.work, exist_ok=True)
    for name, X, y, est in tasks():
        n_train = 1200
        est.fit(X[:n_train], y[:n_train])
        cols = ["f%d" % i for i in range(X.shape[1])]
        model = ex.to_neuralize(est, X_train=X[:n_train], feature_names=cols, dataset=name)
        path = lambda s: os.path.join(args.work, "%s.%s" % (name, s))  # noqa: E731
        ex.write_model(path("json"), model)
        ex.write_csv(path("train.csv"), cols, list(X[:n_train].T))
        ex.write_csv(path("heldout.csv"), cols, list(X[n_train:].T))
        print("## %s (held-out accuracy / R^2 %.3f)" % (name, est.score(X[n_train:], y[n_train:])),
              flush=True)
        subprocess.run([args.binary, "evaluate", "-m", path("json"), "-i", path("heldout.csv"),
                        "--reference", path("train.csv"), "--methods", METHODS], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
