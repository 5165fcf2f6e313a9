#!/usr/bin/env python3
"""Export fitted scikit-learn estimators to neuralize model files, and regenerate fixtures.

    python scripts/export_sklearn.py export MODEL.joblib [--train train.csv]
                                            [--feature-names a,b,...] -o model.json
    python scripts/export_sklearn.py fixtures [--out models]

Supported estimators (optionally as Pipeline(StandardScaler, estimator)):
  * OneClassSVM, kernel='rbf' (numeric gamma read from ``_gamma``), or a callable
    ``functools.partial(sklearn.metrics.pairwise.laplacian_kernel, gamma=g)``
    (scikit-learn leaves ``support_vectors_`` empty for callables, so the training data
    is required: the support vectors are ``X_train[support_]``);
  * KernelDensity, kernel='gaussian', metric='euclidean', no sample weights;
  * KMeans / MiniBatchKMeans (``cluster_centers_``);
  * GaussianMixture, any covariance_type (``weights_``, ``means_``, ``precisions_cholesky_``;
    see export_detectors.py);
  * PyOD ``KNN`` (method 'largest' or 'mean', euclidean or manhattan) and scikit-learn
    ``NearestNeighbors`` (k = n_neighbors, the score from ``--knn-score``, default largest);
  * SVC / NuSVC, kernel='rbf' or a laplacian_kernel partial (then --train is required),
    binary or one-vs-one multiclass (``support_vectors_``, ``dual_coef_``, ``intercept_``,
    ``classes_``, ``n_support_``); fixtures: scripts/export_svc_fixtures.py;
  * MLPClassifier / MLPRegressor with activation 'relu' or 'identity' (``coefs_``,
    ``intercepts_``, ``out_activation_``, ``classes_``); multilabel classifiers and
    multi-output regressors are refused. With X_train, ``bounds`` = the training box.

The Python entry point is ``to_neuralize(estimator, X_train=None, feature_names=None)``.
"""

import argparse
import csv
import functools
import importlib.util
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import neon_oracle  # noqa: E402
import export_detectors  # noqa: E402


def _load_convert():
    """The export rules live in the Python package (bindings/python/python/neuralize/
    convert.py: one implementation for `neuralize.Explainer(fitted)` and this script); it is
    loaded by path, so neither the package nor its compiled extension need be installed."""
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "bindings", "python", "python", "neuralize", "convert.py")
    spec = importlib.util.spec_from_file_location("neuralize_convert", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_convert = _load_convert()
ExportError = _convert.ExportError
FORMAT = _convert.FORMAT


def to_neuralize(estimator, X_train=None, feature_names=None, dataset=None, check=True,
                 knn_score=None):
    """Convert a fitted estimator (or Pipeline(StandardScaler, estimator)) to a neuralize/1
    model dict (rules: neuralize.convert.to_neuralize).

    X_train (input space, before any scaler): enables "reference" (column mean) and, for
    k-means, "beta" = 1 / mean(logit of the assigned cluster) over the training rows; it is
    required for a laplacian OneClassSVM. With check=True and X_train given, the exported
    model is evaluated with the NEON oracle on (up to 200) training rows and compared with
    the estimator (OC-SVM decision_function, k-means predict).
    """
    def detector_body(est, d):
        try:
            return export_detectors.export_body(est, d, knn_score)
        except export_detectors.DetectorExportError as e:
            raise ExportError(str(e))

    return _convert.to_neuralize(estimator, X_train=X_train, feature_names=feature_names,
                                 dataset=dataset, check=_self_check if check else None,
                                 export_body=detector_body)


def _self_check(model, estimator, X):
    if model["model"] == "dense_network":
        import lrp_dense_oracle
        logits = lrp_dense_oracle.forward(model, X)
        if model["output"] == "identity":
            got, want = logits[:, 0], estimator.predict(X)
        elif model["output"] == "logistic":
            p1 = 1.0 / (1.0 + np.exp(-logits[:, 0]))
            got, want = np.column_stack([1 - p1, p1]), estimator.predict_proba(X)
        else:
            e = np.exp(logits - logits.max(axis=1, keepdims=True))
            got, want = e / e.sum(axis=1, keepdims=True), estimator.predict_proba(X)
        err = np.max(np.abs(got - want) / np.maximum(1.0, np.abs(want)))
        if not err <= 1e-9:
            raise ExportError("exported MLP disagrees with the estimator (max relative "
                              "error %.3g)" % err)
        return
    if model["model"] == "svc":
        _svc_self_check(model, estimator, X)
        return
    if model["model"] in export_detectors.KINDS:
        try:
            export_detectors.self_check(model, estimator, X,
                                        neon_oracle.standardize(X, model.get("scaler")))
        except export_detectors.DetectorExportError as e:
            raise ExportError(str(e))
        return
    out = neon_oracle.explain_model(model, X)
    if model["model"] == "one_class_svm":
        f_sk = estimator.decision_function(X)
        err = np.max(np.abs(out["decision_function"] - f_sk)) / model["rho"]
        if not err <= 1e-9:
            raise ExportError("exported OC-SVM disagrees with the estimator's "
                              "decision_function (max error %.3g x rho)" % err)
    elif model["model"] == "kmeans":
        if not np.array_equal(out["cluster"], estimator.predict(X)):
            raise ExportError("exported k-means disagrees with the estimator's predict")


def _svc_self_check(model, estimator, X):
    """The exported SVC against the estimator: one-vs-one decision values (1e-9 relative,
    read from a copy set to decision_function_shape='ovo') and predict."""
    import copy
    import svc_oracle

    est = copy.deepcopy(estimator)
    final = est.steps[-1][1] if hasattr(est, "steps") else est
    final.set_params(decision_function_shape="ovo")
    dec = est.decision_function(X)
    V = svc_oracle.duels(model, X)
    k = V.shape[1]
    if k == 2:
        ours = V[:, 1, 0]
    else:
        ours = np.column_stack([V[:, i, j] for i in range(k) for j in range(i + 1, k)])
    err = np.max(np.abs(ours - dec) / np.maximum(1.0, np.abs(dec)))
    classes = list(est.classes_)
    want = np.array([classes.index(p) for p in est.predict(X)])
    if not err <= 1e-9 or not np.array_equal(svc_oracle.predict(model, X), want):
        raise ExportError("exported SVC disagrees with the estimator (decision_function max "
                          "relative error %.3g, or predict)" % err)


# ---------------------------------------------------------------------------
# CSV helpers
# ---------------------------------------------------------------------------

def _fmt(v):
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    return repr(float(v))


def write_csv(path, header, columns):
    """columns: list of 1-D arrays, all of the same length."""
    n = len(columns[0])
    with open(path, "w", newline="") as fh:
        fh.write(",".join(header) + "\n")
        for r in range(n):
            fh.write(",".join(_fmt(c[r]) for c in columns) + "\n")


def read_csv(path):
    """Read a numeric CSV; returns (header or None, array)."""
    with open(path, newline="") as fh:
        rows = [r for r in csv.reader(fh) if r]
    if not rows:
        raise ExportError("%s is empty" % path)
    header = None
    try:
        [float(v) for v in rows[0]]
    except ValueError:
        header, rows = [h.strip() for h in rows[0]], rows[1:]
    try:
        X = np.array([[float(v) for v in r] for r in rows], dtype=np.float64)
    except ValueError as e:
        raise ExportError("%s: non-numeric value (%s)" % (path, e))
    return header, X


def write_model(path, model):
    with open(path, "w") as fh:
        json.dump(model, fh, allow_nan=False)
        fh.write("\n")


def _n_features(model):
    if "layers" in model:
        return len(model["layers"][0]["weights"])
    for key in ("support_vectors", "points", "centroids", "means"):
        if key in model:
            return len(model[key][0])
    raise KeyError("no parameter matrix in model")


# ---------------------------------------------------------------------------
# fixtures
# ---------------------------------------------------------------------------

def _sanitize(name):
    return str(name).replace(" ", "_").replace("(", "").replace(")", "")


def _fixture_specs():
    """Yield (name, fitted estimator, X_train, X_input, feature_names or None, dataset)."""
    from sklearn.cluster import KMeans
    from sklearn.datasets import (load_breast_cancer, load_digits, load_iris, load_wine,
                                  make_blobs)
    from sklearn.metrics.pairwise import laplacian_kernel
    from sklearn.neighbors import KernelDensity
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import OneClassSVM

    # --- breast cancer: train on 2/3 of benign, inputs = 60 held-out benign + 60 malignant
    bc = load_breast_cancer()
    names = [_sanitize(n) for n in bc.feature_names]
    rng = np.random.RandomState(0)
    benign = rng.permutation(np.where(bc.target == 1)[0])
    malignant = rng.permutation(np.where(bc.target == 0)[0])
    n_tr = (2 * len(benign)) // 3
    Xtr = bc.data[benign[:n_tr]]
    Xin = np.vstack([bc.data[benign[n_tr:n_tr + 60]], bc.data[malignant[:60]]])
    est = make_pipeline(StandardScaler(), OneClassSVM(kernel="rbf", gamma="scale", nu=0.1))
    yield "ocsvm_breast_cancer", est.fit(Xtr), Xtr, Xin, names, "breast_cancer"
    est = OneClassSVM(kernel="rbf", gamma=1e-5, nu=0.2)
    yield "ocsvm_breast_cancer_raw", est.fit(Xtr), Xtr, Xin, names, "breast_cancer"

    # --- digits: train on most of class 0, inputs = held-out zeros + 60 other digits
    dg = load_digits()
    dnames = ["pixel_%d_%d" % (r, c) for r in range(8) for c in range(8)]
    rng = np.random.RandomState(1)
    zeros = rng.permutation(np.where(dg.target == 0)[0])
    others = rng.permutation(np.where(dg.target != 0)[0])[:60]
    Xtr = dg.data[zeros[:130]]
    Xin = np.vstack([dg.data[zeros[130:]], dg.data[others]])
    est = OneClassSVM(kernel=functools.partial(laplacian_kernel, gamma=0.01), nu=0.1)
    yield "ocsvm_digits_laplacian", est.fit(Xtr), Xtr, Xin, dnames, "digits"
    est = OneClassSVM(kernel="rbf", gamma="scale", nu=0.1)
    yield "ocsvm_digits_rbf", est.fit(Xtr), Xtr, Xin, dnames, "digits"

    # --- blobs (no feature names): held-out rows + uniformly random wide points
    Xb, _ = make_blobs(n_samples=300, n_features=5, centers=3, random_state=0)
    rng = np.random.RandomState(2)
    perm = rng.permutation(len(Xb))
    Xtr = Xb[perm[:240]]
    Xin = np.vstack([Xb[perm[240:]],
                     rng.uniform(-25.0, 25.0, size=(25, 5)),
                     rng.uniform(-1000.0, 1000.0, size=(5, 5))])
    est = OneClassSVM(kernel="rbf", gamma=0.1, nu=0.05)
    yield "ocsvm_blobs", est.fit(Xtr), Xtr, Xin, None, "make_blobs(n_samples=300, " \
        "n_features=5, centers=3, random_state=0)"

    # --- KDE and k-means on iris / wine / digits
    iris, wine = load_iris(), load_wine()
    tables = {
        "iris": (iris.data, [_sanitize(n) for n in iris.feature_names]),
        "wine": (wine.data, [_sanitize(n) for n in wine.feature_names]),
        "digits": (dg.data, dnames),
    }

    def split(ds, seed, n_train, n_input):
        X, nm = tables[ds]
        perm = np.random.RandomState(seed).permutation(len(X))
        return X[perm[:n_train]], X[perm[n_train:n_train + n_input]], nm

    for ds, bw, seed, n_train, n_input in [("iris", 0.5, 3, 100, 50),
                                          ("wine", 0.8, 4, 118, 60),
                                          ("digits", 1.5, 5, 250, 120)]:
        Xtr, Xin, nm = split(ds, seed, n_train, n_input)
        # plus 10 extrapolated rows (held-out rows pushed 4x away from the training mean):
        # there scikit-learn's tree-based score_samples drifts from the exact log density
        mu = Xtr.mean(axis=0)
        Xin = np.vstack([Xin, mu + 4.0 * (Xin[:10] - mu)])
        est = make_pipeline(StandardScaler(), KernelDensity(kernel="gaussian", bandwidth=bw))
        yield "kde_" + ds, est.fit(Xtr), Xtr, Xin, nm, ds

    for ds, K, seed, n_train, n_input in [("iris", 3, 6, 100, 50),
                                         ("wine", 3, 7, 118, 60),
                                         ("digits", 10, 8, 1797 - 150, 150)]:
        Xtr, Xin, nm = split(ds, seed, n_train, n_input)
        est = make_pipeline(StandardScaler(), KMeans(n_clusters=K, n_init=10, random_state=0))
        yield "kmeans_" + ds, est.fit(Xtr), Xtr, Xin, nm, ds

    Xb, _ = make_blobs(n_samples=300, n_features=4, centers=4, random_state=0)
    perm = np.random.RandomState(9).permutation(len(Xb))
    Xtr, Xin = Xb[perm[:200]], Xb[perm[200:]]
    est = KMeans(n_clusters=4, n_init=10, random_state=0)
    yield "kmeans_blobs", est.fit(Xtr), Xtr, Xin, None, \
        "make_blobs(n_samples=300, n_features=4, centers=4, random_state=0)"

    yield from export_detectors.fixture_specs(tables, split)


def _conservation_error(R, out):
    s = R.sum(axis=1)
    return float(np.max(np.abs(s - out) / np.maximum(1.0, np.abs(out))))


def make_fixtures(out_dir, only=None):
    """Regenerate every fixture (or those whose name starts with one of `only`) into
    out_dir; checks everything before writing."""
    os.makedirs(out_dir, exist_ok=True)
    failures = 0
    for name, est, Xtr, Xin, names, dataset in _fixture_specs():
        if only and not any(name.startswith(prefix) for prefix in only):
            continue
        model = to_neuralize(est, X_train=Xtr, feature_names=names, dataset=dataset)
        d = Xin.shape[1]
        cols = names if names is not None else ["x%d" % i for i in range(d)]
        rcols = ["R_" + c for c in cols]
        kind = model["model"]
        problems = []
        files = {}
        if kind in export_detectors.KINDS:
            files, info, problems, cons = export_detectors.fixture_files(
                model, est, Xin, neon_oracle.standardize(Xin, model.get("scaler")), rcols)
        elif kind == "one_class_svm":
            f_sk = est.decision_function(Xin)
            res = neon_oracle.explain_model(model, Xin, beta=1.0)
            res2 = neon_oracle.explain_model(model, Xin, beta=2.0)
            err = np.abs(res["decision_function"] - f_sk)
            rel = float(np.max(err / np.maximum(np.abs(f_sk), model["rho"])))
            pure_rel = float(np.max(err / np.maximum(np.abs(f_sk), 1e-300)))
            if rel > 1e-9:
                problems.append("decision_function rel err %.3g" % rel)
            if np.any(np.sign(res["decision_function"]) != np.sign(f_sk)):
                problems.append("decision_function sign differs")
            cons = max(_conservation_error(res["R"], res["outlierness"]),
                       _conservation_error(res2["R"], res2["outlierness"]))
            head = ["decision_function", "outlierness"]
            files["expected"] = (head + rcols, [f_sk, res["outlierness"]] + list(res["R"].T))
            files["expected_beta2"] = (head + rcols,
                                       [f_sk, res2["outlierness"]] + list(res2["R"].T))
            files["sklearn"] = (["decision_function", "predict"], [f_sk, est.predict(Xin)])
            n_par = len(model["support_vectors"])
            info = ("%d SV, inliers %d/%d, f err/max(|f|,rho) %.2g (pure rel %.2g)"
                    % (n_par, int(np.sum(f_sk > 0)), len(Xin), rel, pure_rel))
        elif kind == "kernel_density":
            ss = est.score_samples(Xin)
            res = neon_oracle.explain_model(model, Xin, beta=1.0)
            res2 = neon_oracle.explain_model(model, Xin, beta=2.0)
            lp = res["log_density"]
            drift = ss - lp
            cons = max(_conservation_error(res["R"], res["outlierness"]),
                       _conservation_error(res2["R"], res2["outlierness"]))
            if np.any(res["outlierness"] < 0):
                problems.append("negative KDE outlierness")
            head = ["log_density", "outlierness"]
            files["expected"] = (head + rcols, [lp, res["outlierness"]] + list(res["R"].T))
            files["expected_beta2"] = (head + rcols,
                                       [lp, res2["outlierness"]] + list(res2["R"].T))
            files["sklearn"] = (["score_samples", "exact_log_density", "drift"],
                                [ss, lp, drift])
            n_par = len(model["points"])
            info = ("%d points, sklearn drift min %.3g max %.3g max|.| %.3g"
                    % (n_par, float(drift.min()), float(drift.max()),
                       float(np.max(np.abs(drift)))))
        else:
            pred = est.predict(Xin)
            res = neon_oracle.explain_model(model, Xin)
            res0 = neon_oracle.explain_model(model, Xin, cluster=0)
            if not np.array_equal(pred, res["cluster"]):
                raise SystemExit("%s: scikit-learn predict disagrees with the oracle's argmin "
                                 "on rows %s" % (name, np.where(pred != res["cluster"])[0]))
            if np.any(res["logit"] < 0):
                problems.append("negative logit for the assigned cluster")
            if np.any((res0["logit"] >= 0) != (pred == 0)):
                problems.append("cluster-0 logit sign does not match assignment")
            cons = max(_conservation_error(res["R"], res["logit"]),
                       _conservation_error(res0["R"], res0["logit"]))
            head = ["cluster", "logit"]
            files["expected"] = (head + rcols, [pred, res["logit"]] + list(res["R"].T))
            files["expected_cluster0"] = (head + rcols,
                                          [pred, res0["logit"]] + list(res0["R"].T))
            files["sklearn"] = (["predict", "transform_min"],
                                [pred, est.transform(Xin).min(axis=1)])
            n_par = len(model["centroids"])
            info = "K=%d, beta %.6g, cluster sizes %s" % (
                n_par, model["beta"], np.bincount(pred, minlength=n_par).tolist())
        if cons > 1e-9:
            problems.append("conservation error %.3g" % cons)
        if problems:
            failures += 1
            print("FAIL %s: %s" % (name, "; ".join(problems)))
            continue
        write_model(os.path.join(out_dir, name + ".json"), model)
        write_csv(os.path.join(out_dir, name + ".input.csv"), cols, list(Xin.T))
        for suffix, (header, columns) in files.items():
            write_csv(os.path.join(out_dir, "%s.%s.csv" % (name, suffix)), header, columns)
        print("ok   %-24s %-15s rows %3d  d %2d  %s  conservation %.2g"
              % (name, kind, len(Xin), d, info, cons))
    return 1 if failures else 0

# ---------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------

def cmd_export(args):
    import joblib

    try:
        try:
            est = joblib.load(args.model)
        except Exception as e:  # noqa: BLE001 - report any unpickling problem plainly
            raise ExportError("cannot load %s with joblib: %s" % (args.model, e))
        X = None
        names = None
        if args.train:
            names, X = read_csv(args.train)
        if args.feature_names:
            names = [s.strip() for s in args.feature_names.split(",")]
        model = to_neuralize(est, X_train=X, feature_names=names, knn_score=args.knn_score)
    except ExportError as e:
        print("export_sklearn: cannot export %s: %s" % (args.model, e), file=sys.stderr)
        return 2
    write_model(args.output, model)
    print("wrote %s (%s, %d features)" % (args.output, model["model"], _n_features(model)))
    return 0


def cmd_fixtures(args):
    only = [p for p in args.only.split(",") if p] if args.only else None
    return make_fixtures(args.out, only)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("export", help="export a joblib-dumped fitted estimator")
    e.add_argument("model", help="MODEL.joblib")
    e.add_argument("--train", help="training data CSV (input space; header optional)")
    e.add_argument("--feature-names", help="comma-separated feature names")
    e.add_argument("-o", "--output", required=True, help="output model.json")
    e.add_argument("--knn-score", choices=["largest", "mean"],
                   help="score of a NearestNeighbors detector (default largest)")
    e.set_defaults(func=cmd_export)
    f = sub.add_parser("fixtures", help="regenerate the regression fixtures")
    f.add_argument("--out", default=os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "models"))
    f.add_argument("--only", help="comma-separated name prefixes (e.g. gmm_,knn_)")
    f.set_defaults(func=cmd_fixtures)
    args = ap.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
