"""Export and fixtures of the density / neighbour detectors (Gaussian mixtures, k-nearest-
neighbour detectors), used by export_sklearn.py. The GaussianMixture export rule lives in
bindings/python/python/neuralize/convert.py (shared with ``neuralize.Explainer``).

    body = export_body(estimator, d)             # the family's model-file fields, or None
    for spec in fixture_specs(): ...             # (name, estimator, X_train, X_input, names, dataset)
    files, info, problems, cons = fixture_files(model, estimator, Z, X_input)
"""

import math

import numpy as np

import neon_oracle_detectors as oracle


class DetectorExportError(ValueError):
    """The estimator cannot be exported."""


def _floats(a):
    a = np.asarray(a, dtype=np.float64)
    if not np.all(np.isfinite(a)):
        raise DetectorExportError("non-finite value in exported parameters")
    return a.tolist()


def _knn_metric(nn):
    """'euclidean' or 'manhattan' from a fitted NearestNeighbors."""
    metric = nn.effective_metric_
    params = nn.effective_metric_params_ or {}
    if metric == "minkowski":
        metric = {1: "manhattan", 2: "euclidean"}.get(params.get("p"), None)
    metric = {"l2": "euclidean", "l1": "manhattan", "cityblock": "manhattan"}.get(metric, metric)
    if metric not in ("euclidean", "manhattan") or set(params) - {"p"}:
        raise DetectorExportError("metric %r %r is not supported (euclidean or manhattan)"
                                  % (nn.effective_metric_, params))
    return metric


def export_knn(nn, k, score, d):
    """A fitted NearestNeighbors, k and a score -> knn_detector fields."""
    if not hasattr(nn, "_fit_X"):
        raise DetectorExportError("the NearestNeighbors is not fitted")
    points = np.asarray(nn._fit_X, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != d:
        raise DetectorExportError("stored rows have shape %r" % (points.shape,))
    if score not in ("largest", "mean"):
        raise DetectorExportError("score %r is not supported ('largest' or 'mean')" % score)
    if not 1 <= k <= len(points):
        raise DetectorExportError("k = %d, but %d rows are stored" % (k, len(points)))
    return {"model": "knn_detector", "points": _floats(points), "k": int(k),
            "score": score, "metric": _knn_metric(nn)}


def export_body(est, d, knn_score=None):
    """The model-file fields of a supported detector, or None if est is not one.

    PyOD's KNN gives k and the score (method); a scikit-learn NearestNeighbors gives k
    (n_neighbors) and takes the score from knn_score (default 'largest')."""
    from sklearn.neighbors import NearestNeighbors

    if type(est).__name__ == "KNN" and type(est).__module__.startswith("pyod"):
        if not hasattr(est, "neigh_"):
            raise DetectorExportError("the PyOD KNN is not fitted")
        return export_knn(est.neigh_, int(est.n_neighbors), est.method, d)
    if isinstance(est, NearestNeighbors):
        return export_knn(est, int(est.n_neighbors), knn_score or "largest", d)
    return None


def knn_scores(est, X, k, score):
    """The detector's own score: PyOD's decision_function, or kneighbors distances."""
    from sklearn.pipeline import Pipeline

    if hasattr(est, "decision_function"):
        return est.decision_function(X)
    if isinstance(est, Pipeline):
        X, est = est[:-1].transform(X), est[-1]
    dist, _ = est.kneighbors(X, n_neighbors=k)
    return dist[:, -1] if score == "largest" else dist.mean(axis=1)


def self_check(model, estimator, X, Z):
    """Compare the oracle with the estimator on rows X (input space; Z standardized)."""
    if model["model"] == "gaussian_mixture":
        lp, _, _ = oracle.gmm(Z, model)
        sk = estimator.score_samples(X)
        err = float(np.max(np.abs(lp - sk) / np.maximum(1.0, np.abs(sk))))
        if not err <= 1e-9:
            raise DetectorExportError("exported mixture disagrees with score_samples "
                                      "(max rel error %.3g)" % err)
    elif model["model"] == "knn_detector":
        score, _ = oracle.knn(Z, model)
        sk = knn_scores(estimator, X, model["k"], model["score"])
        err = float(np.max(np.abs(score - sk) / np.maximum(1.0, np.abs(sk))))
        if not err <= 1e-9:
            raise DetectorExportError("exported kNN detector disagrees with the estimator's "
                                      "scores (max rel error %.3g)" % err)


def _conservation_error(R, out):
    s = R.sum(axis=1)
    return float(np.max(np.abs(s - out) / np.maximum(1.0, np.abs(out))))


def fixture_files(model, est, X, Z, rcols):
    """(files {suffix: (header, columns)}, info, problems, conservation error)."""
    problems = []
    files = {}
    if model["model"] == "gaussian_mixture":
        ss = est.score_samples(X)
        proba = est.predict_proba(X)
        lp, o, R = oracle.gmm(Z, model, beta=1.0)
        _, o2, R2 = oracle.gmm(Z, model, beta=2.0)
        rel = float(np.max(np.abs(lp - ss) / np.maximum(1.0, np.abs(ss))))
        if rel > 1e-9:
            problems.append("score_samples rel err %.3g" % rel)
        perr = float(np.max(np.abs(oracle.gmm_responsibilities(Z, model) - proba)))
        if perr > 1e-9:
            problems.append("predict_proba err %.3g" % perr)
        cons = max(_conservation_error(R, o), _conservation_error(R2, o2))
        head = ["log_density", "outlierness"]
        files["expected"] = (head + rcols, [lp, o] + list(R.T))
        files["expected_beta2"] = (head + rcols, [lp, o2] + list(R2.T))
        K = len(model["weights"])
        files["sklearn"] = (["score_samples"] + ["predict_proba_%d" % k for k in range(K)]
                            + ["predict"],
                            [ss] + list(proba.T) + [est.predict(X)])
        info = "%s K=%d, score_samples rel err %.2g, proba err %.2g" % (
            model["covariance_type"], K, rel, perr)
        return files, info, problems, cons
    if model["model"] == "knn_detector":
        sk = knn_scores(est, X, model["k"], model["score"])
        score, R = oracle.knn(Z, model)
        score2, R2 = oracle.knn(Z, model, beta=2.0 * oracle.knn_beta(model))
        rel = float(np.max(np.abs(score - sk) / np.maximum(1.0, np.abs(sk))))
        if rel > 1e-9:
            problems.append("score rel err %.3g" % rel)
        cons = max(_conservation_error(R, score), _conservation_error(R2, score2))
        head = ["decision_function", "outlierness"]
        files["expected"] = (head + rcols, [score, score] + list(R.T))
        files["expected_beta2"] = (head + rcols, [score, score2] + list(R2.T))
        files["sklearn"] = (["decision_function"], [sk])
        info = "k=%d %s %s, %d points, beta %.4g, score rel err %.2g" % (
            model["k"], model["score"], model["metric"], len(model["points"]),
            oracle.knn_beta(model), rel)
        return files, info, problems, cons
    raise ValueError("not a detector: %r" % model["model"])


KINDS = ("gaussian_mixture", "knn_detector")


def fixture_specs(tables, split):
    """Yield (name, fitted estimator, X_train, X_input, feature_names, dataset)."""
    from sklearn.datasets import load_breast_cancer, make_blobs
    from sklearn.mixture import GaussianMixture
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    def extrapolate(Xtr, Xin, n=6, factor=4.0):
        mu = Xtr.mean(axis=0)
        return np.vstack([Xin, mu + factor * (Xin[:n] - mu)])

    for ds, kind, K, seed in [("iris", "full", 3, 11), ("wine", "tied", 3, 12),
                              ("digits", "diag", 10, 13)]:
        n_train = {"iris": 100, "wine": 118, "digits": 1500}[ds]
        n_input = {"iris": 50, "wine": 60, "digits": 120}[ds]
        Xtr, Xin, nm = split(ds, seed, n_train, n_input)
        Xin = extrapolate(Xtr, Xin)
        gm = GaussianMixture(n_components=K, covariance_type=kind, random_state=0,
                             reg_covar=1e-3 if ds == "digits" else 1e-6)
        est = make_pipeline(StandardScaler(), gm)
        yield "gmm_%s_%s" % (ds, kind), est.fit(Xtr), Xtr, Xin, nm, ds

    bc = load_breast_cancer()
    names = [str(n).replace(" ", "_") for n in bc.feature_names]
    rng = np.random.RandomState(14)
    benign = rng.permutation(np.where(bc.target == 1)[0])
    malignant = rng.permutation(np.where(bc.target == 0)[0])
    n_tr = (2 * len(benign)) // 3
    Xtr = bc.data[benign[:n_tr]]
    Xin = np.vstack([bc.data[benign[n_tr:n_tr + 40]], bc.data[malignant[:40]]])
    est = make_pipeline(StandardScaler(),
                        GaussianMixture(n_components=2, covariance_type="full",
                                        random_state=0))
    yield "gmm_breast_cancer_full", est.fit(Xtr), Xtr, Xin, names, "breast_cancer"

    Xb, _ = make_blobs(n_samples=300, n_features=5, centers=3, random_state=0)
    perm = np.random.RandomState(15).permutation(len(Xb))
    Xtr = Xb[perm[:240]]
    Xin = np.vstack([Xb[perm[240:]],
                     rng.uniform(-25.0, 25.0, size=(20, 5)),
                     rng.uniform(-1000.0, 1000.0, size=(5, 5))])
    est = GaussianMixture(n_components=3, covariance_type="spherical", random_state=0)
    yield "gmm_blobs_spherical", est.fit(Xtr), Xtr, Xin, None, \
        "make_blobs(n_samples=300, n_features=5, centers=3, random_state=0)"

    from pyod.models.knn import KNN
    from sklearn.neighbors import NearestNeighbors

    bc_train = bc.data[benign[:n_tr]]
    est = make_pipeline(StandardScaler(), KNN(n_neighbors=5, method="largest"))
    yield "knn_breast_cancer_largest", est.fit(bc_train), bc_train, \
        np.vstack([bc.data[benign[n_tr:n_tr + 40]], bc.data[malignant[:40]]]), names, \
        "breast_cancer"
    Xtr, Xin, nm = split("digits", 16, 1500, 100)
    est = KNN(n_neighbors=10, method="mean", metric="manhattan")
    yield "knn_digits_mean_manhattan", est.fit(Xtr), Xtr, Xin, nm, "digits"
    Xtr = Xb[perm[:240]]
    Xin = np.vstack([Xb[perm[240:]],
                     rng.uniform(-25.0, 25.0, size=(20, 5)),
                     rng.uniform(-1000.0, 1000.0, size=(5, 5))])
    est = NearestNeighbors(n_neighbors=3)
    yield "knn_blobs_largest", est.fit(Xtr), Xtr, Xin, None, \
        "make_blobs(n_samples=300, n_features=5, centers=3, random_state=0)"
