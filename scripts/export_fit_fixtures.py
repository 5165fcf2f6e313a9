#!/usr/bin/env python3
"""Regenerate models/fit/: training data and scikit-learn's results for `neuralize fit`.

    python scripts/export_fit_fixtures.py [--out models/fit]

Pinned: scikit-learn 1.9.1, numpy (scripts/requirements.txt). Per one-class SVM case:
  CASE.train.csv, CASE.heldout.csv   header + rows (input space, shortest round-trip floats)
  CASE.sklearn.json                  parameters; with tol=1e-7: gamma, alphas by training
                                     index (support_ + dual_coef_), rho (= offset_ = -intercept_),
                                     decision_function on the held-out rows; with the default
                                     tol (1e-3): predicted labels on the held-out rows
k-means (iris, wine, digits; all standardized, digits without its constant pixels):
  kmeans_NAME.train.csv, kmeans.sklearn.json (best-of-10 inertia_ of KMeans(random_state=0))
Every CSV header uses the column names of the matching models/*.input.csv (export_sklearn.py's
names: breast_cancer, iris and wine from scikit-learn's feature names, digits pixel_ROW_COL),
so a model fitted on a training file here explains the shipped input files by name.
KDE (iris standardized): kde_iris.sklearn.json (bandwidth_ for scott / silverman and
  score_samples on the first rows; scikit-learn is exact on iris).
"""

import argparse
import csv
import functools
import json
import os

import numpy as np
import sklearn
from sklearn.cluster import KMeans
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine, make_blobs
from sklearn.metrics.pairwise import laplacian_kernel
from sklearn.neighbors import KernelDensity
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import OneClassSVM

from export_sklearn import _sanitize as sanitize  # the names of the models/*.input.csv files

TOL = 1e-7


def number(v):
    """Shortest round-trip text; integral values without the trailing '.0'."""
    v = float(v)
    return str(int(v)) if v.is_integer() and abs(v) < 2**53 else repr(v)


def write_csv(path, names, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(names)
        for row in np.asarray(rows, dtype=np.float64):
            w.writerow([number(v) for v in row])


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")


def ocsvm(standardize, **kw):
    svm = OneClassSVM(**kw)
    return make_pipeline(StandardScaler(), svm) if standardize else svm


def export_ocsvm(out, case, names, train, heldout, nu, gamma, kernel, standardize):
    if kernel == "laplacian":
        kernel_arg = functools.partial(laplacian_kernel, gamma=gamma)
    else:
        kernel_arg = "rbf"
    exact = ocsvm(standardize, nu=nu, gamma=gamma, kernel=kernel_arg, tol=TOL).fit(train)
    default = ocsvm(standardize, nu=nu, gamma=gamma, kernel=kernel_arg).fit(train)
    svm = exact[-1] if standardize else exact
    write_csv(os.path.join(out, case + ".train.csv"), names, train)
    write_csv(os.path.join(out, case + ".heldout.csv"), names, heldout)
    write_json(os.path.join(out, case + ".sklearn.json"), {
        "sklearn_version": sklearn.__version__,
        "nu": nu,
        "gamma": gamma,
        "gamma_value": float(svm._gamma) if kernel == "rbf" else gamma,
        "kernel": kernel,
        "standardize": standardize,
        "tol": TOL,
        "support": [int(i) for i in svm.support_],
        "dual_coef": [float(a) for a in svm.dual_coef_[0]],
        "rho": float(svm.offset_[0]),
        "n_iter": int(np.ravel(svm.n_iter_)[0]),
        "decision_function": [float(v) for v in exact.decision_function(heldout)],
        "predict_default_tol": [int(v) for v in default.predict(heldout)],
    })


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "models", "fit"))
    out = parser.parse_args().out
    os.makedirs(out, exist_ok=True)
    rng = np.random.RandomState(0)

    bc = load_breast_cancer()
    benign = bc.data[bc.target == 1][rng.permutation(int((bc.target == 1).sum()))]
    malignant = bc.data[bc.target == 0][rng.permutation(int((bc.target == 0).sum()))]
    names = [sanitize(n) for n in bc.feature_names]
    export_ocsvm(out, "ocsvm_breast_cancer", names, benign[:250],
                 np.vstack([benign[250:], malignant[:100]]), 0.1, "scale", "rbf", True)

    digits = load_digits()
    zeros = digits.data[digits.target == 0]
    others = digits.data[digits.target != 0][rng.permutation(int((digits.target != 0).sum()))]
    pixels = ["pixel_%d_%d" % (r, c) for r in range(8) for c in range(8)]
    export_ocsvm(out, "ocsvm_digits", pixels, zeros[:120],
                 np.vstack([zeros[120:], others[:140]]), 0.2, "scale", "rbf", False)

    blobs, _ = make_blobs(n_samples=300, centers=3, n_features=2, random_state=0)
    noise = rng.uniform(blobs.min(0) - 2, blobs.max(0) + 2, size=(60, 2))
    heldout = np.vstack([blobs[250:], noise])
    export_ocsvm(out, "ocsvm_blobs", ["x", "y"], blobs[:250], heldout, 0.1, 0.5, "rbf", False)
    export_ocsvm(out, "ocsvm_blobs_laplacian", ["x", "y"], blobs[:250], heldout, 0.15, 0.8,
                 "laplacian", False)
    # A well-conditioned rbf blobs case (5 features): held to the strict 1e-5 agreement.
    blobs5, _ = make_blobs(n_samples=300, centers=3, n_features=5, random_state=1)
    noise5 = rng.uniform(blobs5.min(0) - 2, blobs5.max(0) + 2, size=(40, 5))
    export_ocsvm(out, "ocsvm_blobs5", ["x%d" % i for i in range(5)], blobs5[:250],
                 np.vstack([blobs5[250:], noise5]), 0.1, 0.1, "rbf", False)

    inertia = {}
    varying = digits.data.std(axis=0) > 0
    iris, wine = load_iris(), load_wine()
    tables = {
        "iris": (iris.data, [sanitize(n) for n in iris.feature_names], 3),
        "wine": (wine.data, [sanitize(n) for n in wine.feature_names], 3),
        "digits": (digits.data[:, varying], [p for p, v in zip(pixels, varying) if v], 10),
    }
    for name, (x, names, k) in tables.items():
        write_csv(os.path.join(out, "kmeans_%s.train.csv" % name), names, x)
        z = StandardScaler().fit_transform(x)
        inertia[name] = {"k": k, "inertia": float(KMeans(k, n_init=10, random_state=0).fit(z).inertia_)}
    write_json(os.path.join(out, "kmeans.sklearn.json"),
               {"sklearn_version": sklearn.__version__, "n_init": 10, "standardize": True, **inertia})

    iris = load_iris().data
    scaler = StandardScaler().fit(iris)
    kde = {"sklearn_version": sklearn.__version__, "standardize": True, "rows": 10}
    for rule in ["scott", "silverman"]:
        est = KernelDensity(bandwidth=rule).fit(scaler.transform(iris))
        kde[rule] = {"bandwidth": float(est.bandwidth_),
                     "score_samples": [float(v) for v in est.score_samples(scaler.transform(iris[:10]))]}
    write_json(os.path.join(out, "kde_iris.sklearn.json"), kde)


if __name__ == "__main__":
    main()
