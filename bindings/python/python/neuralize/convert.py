"""Conversion of fitted scikit-learn estimators to ``neuralize/1`` model dicts.

The one implementation of the export rules: ``neuralize.Explainer(fitted)`` uses it, and
``scripts/export_sklearn.py`` loads this file by path (it needs NumPy only, not the compiled
extension, and imports scikit-learn lazily).

Supported estimators (optionally as ``Pipeline(StandardScaler, estimator)``):

* ``OneClassSVM``, ``kernel='rbf'`` (numeric gamma read from ``_gamma``), or a callable
  ``functools.partial(sklearn.metrics.pairwise.laplacian_kernel, gamma=g)`` (scikit-learn
  keeps no ``support_vectors_`` for callables, so the training data is required: the
  support vectors are ``X_train[support_]``). Exported as ``dual_coef`` = ``dual_coef_[0]``
  (alpha_j), ``rho`` = ``-intercept_[0]``, so that
  ``decision_function(x) = sum_j alpha_j exp(-gamma ||z - u_j||_q^q) - rho``;
* ``KernelDensity``, ``kernel='gaussian'``, ``metric='euclidean'``, no sample weights:
  ``gamma = 1 / (2 bandwidth^2)`` and the training points;
* ``KMeans`` / ``MiniBatchKMeans``: ``cluster_centers_``;
* ``GaussianMixture``, any ``covariance_type``: ``weights_``, ``means_`` and
  ``precisions_cholesky_`` as they are (every weight positive), so that
  ``score_samples(x) = log sum_k w_k N(z; mu_k, Sigma_k)``;
* ``SVC`` / ``NuSVC`` (binary or one-vs-one multiclass), ``kernel='rbf'`` or a laplacian
  partial as for ``OneClassSVM`` (then X_train is required): ``support_vectors_``,
  ``dual_coef_``, ``intercept_``, ``classes_`` and ``n_support_`` as scikit-learn stores them
  (binary: ``decision_function = sum_s dual_coef_[0, s] K(z, u_s) + intercept_[0]``, > 0 for
  ``classes_[1]``). ``break_ties=True`` is refused (its predict is not the one-vs-one vote).

A ``StandardScaler`` becomes ``scaler`` (``z = (x - mean) / scale``); fitted feature names
(``feature_names_in_``) become ``feature_names``.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any, Callable, Optional, Sequence

import numpy as np

FORMAT = "neuralize/1"

#: What can be converted, for error messages.
SUPPORTED = ("OneClassSVM (rbf, or a laplacian_kernel partial), KernelDensity (gaussian), "
             "KMeans / MiniBatchKMeans, GaussianMixture, MLPClassifier / MLPRegressor (relu or identity), "
             "SVC / NuSVC (rbf, or a laplacian_kernel partial), "
             "each optionally after a StandardScaler in a Pipeline")


class ExportError(ValueError):
    """The estimator cannot be exported to a neuralize model file."""


class UnsupportedEstimatorError(ExportError, TypeError):
    """The estimator is of a kind neuralize does not explain (a TypeError and an
    ExportError)."""


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def _floats(a):
    """numpy array -> nested lists of Python floats (json.dump writes repr = round-trip)."""
    a = np.asarray(a, dtype=np.float64)
    if not np.all(np.isfinite(a)):
        raise ExportError("non-finite value in exported parameters")
    return a.tolist()


def _stable_repr(v):
    """repr without memory addresses (keeps fixture files deterministic)."""
    if isinstance(v, functools.partial):
        args = [_stable_repr(v.func)] + [_stable_repr(a) for a in v.args] + \
            ["%s=%r" % kv for kv in sorted(v.keywords.items())]
        return "functools.partial(%s)" % ", ".join(args)
    if callable(v) and hasattr(v, "__qualname__") and hasattr(v, "__module__"):
        return "%s.%s" % (v.__module__, v.__qualname__)
    return re.sub(r" at 0x[0-9a-fA-F]+", "", repr(v))


def _jsonable(v):
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else repr(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return _jsonable(float(v))
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    return _stable_repr(v)


def _check_feature_names(names, d):
    names = [str(n) for n in names]
    if len(names) != d:
        raise ExportError("got %d feature names for %d features" % (len(names), d))
    for n in names:
        if n == "" or any(ch in n for ch in ',"\r\n'):
            raise ExportError("feature name %r is not a valid CSV header field "
                              "(no commas, quotes or newlines)" % n)
    if len(set(names)) != len(names):
        raise ExportError("feature names are not unique")
    return names


def _split_pipeline(estimator):
    """Return (scaler or None, final estimator)."""
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    if not isinstance(estimator, Pipeline):
        return None, estimator
    steps = [s for _, s in estimator.steps if s is not None and s != "passthrough"]
    if len(steps) == 1:
        return None, steps[0]
    if len(steps) == 2 and type(steps[0]) is StandardScaler:
        return steps[0], steps[1]
    raise UnsupportedEstimatorError(
        "unsupported Pipeline %s: neuralize exports %s"
        % ([type(s).__name__ for s in steps], SUPPORTED))


def _scaler_dict(scaler, d):
    if scaler is None:
        return None
    if not hasattr(scaler, "n_features_in_"):
        raise ExportError("the StandardScaler is not fitted")
    mean = scaler.mean_ if scaler.with_mean else np.zeros(d)
    scale = scaler.scale_ if (scaler.with_std and scaler.scale_ is not None) else np.ones(d)
    if np.any(np.asarray(scale) <= 0):
        raise ExportError("scaler has a non-positive scale")
    return {"mean": _floats(mean), "scale": _floats(scale)}


def _laplacian_gamma(kernel, d):
    """gamma of a laplacian-kernel callable, or None if kernel is not one."""
    from sklearn.metrics.pairwise import laplacian_kernel

    if kernel is laplacian_kernel:
        return 1.0 / d
    if isinstance(kernel, functools.partial) and kernel.func is laplacian_kernel:
        if kernel.args or set(kernel.keywords) - {"gamma"}:
            raise ExportError("laplacian_kernel partial may only bind gamma= (got args=%r "
                              "keywords=%r)" % (kernel.args, kernel.keywords))
        g = kernel.keywords.get("gamma")
        return 1.0 / d if g is None else float(g)
    return None


# ---------------------------------------------------------------------------
# per-kind export
# ---------------------------------------------------------------------------

def _export_ocsvm(est, scaler, X_train, d):
    from sklearn.svm import OneClassSVM  # noqa: F401

    if not hasattr(est, "dual_coef_"):
        raise ExportError("the OneClassSVM is not fitted")
    kernel_json, sv = _svc_kernel(est, scaler, X_train, d, "OneClassSVM")
    dual = np.asarray(est.dual_coef_, dtype=np.float64)[0]
    rho = -float(est.intercept_[0])
    if rho <= 0:
        raise ExportError("rho = %r <= 0: NEON needs a positive offset" % rho)
    if np.any(dual <= 0):
        raise ExportError("non-positive dual coefficient: NEON needs alpha_j > 0")
    if sv.shape != (dual.shape[0], d):
        raise ExportError("support vectors have shape %r, expected (%d, %d)"
                          % (sv.shape, dual.shape[0], d))
    return {"model": "one_class_svm", "kernel": kernel_json,
            "support_vectors": _floats(sv), "dual_coef": _floats(dual), "rho": rho}


def _svc_kernel(est, scaler, X_train, d, kind):
    """(kernel json, support vectors) of a fitted libsvm estimator with an rbf kernel or a
    laplacian_kernel partial (whose support vectors are X_train[support_])."""
    kernel = est.kernel
    if isinstance(kernel, str):
        if kernel != "rbf":
            raise ExportError("%s kernel %r is not supported (use 'rbf' or a "
                              "laplacian_kernel partial)" % (kind, kernel))
        gamma = float(est._gamma)
        kernel_json = {"rbf": {"gamma": gamma}}
        sv = np.asarray(est.support_vectors_, dtype=np.float64)
    else:
        gamma = _laplacian_gamma(kernel, d)
        if gamma is None:
            raise ExportError("callable %s kernel %r is not supported: only "
                              "functools.partial(sklearn.metrics.pairwise.laplacian_kernel, "
                              "gamma=g)" % (kind, kernel))
        kernel_json = {"laplacian": {"gamma": gamma}}
        if X_train is None:
            raise ExportError("a %s with a callable kernel keeps no support vectors: "
                              "pass the training data (--train / X_train) so that "
                              "X_train[support_] can be exported" % kind)
        Z = X_train if scaler is None else scaler.transform(X_train)
        Z = np.asarray(Z, dtype=np.float64)
        fit = getattr(est, "_BaseLibSVM__Xfit", None)
        if fit is not None and not isinstance(fit, str):
            fit = np.asarray(fit, dtype=np.float64)
            if fit.shape != Z.shape or not np.allclose(fit, Z, rtol=1e-12, atol=1e-12):
                raise ExportError("the given training data is not the data the %s "
                                  "was fitted on" % kind)
        if Z.shape[0] <= int(np.max(est.support_)):
            raise ExportError("training data has too few rows for support_")
        sv = Z[est.support_]
    if not (gamma > 0 and math.isfinite(gamma)):
        raise ExportError("kernel gamma must be positive and finite, got %r" % gamma)
    return kernel_json, sv


def _export_svc(est, scaler, X_train, d):
    """SVC / NuSVC -> svc fields, as scikit-learn stores them (public, sign-flipped binary
    attributes): support_vectors, dual_coef ((n_classes - 1) x n_SV), intercept (one per
    pair), classes, n_support."""
    kind = type(est).__name__
    if not hasattr(est, "dual_coef_"):
        raise ExportError("the %s is not fitted" % kind)
    if getattr(est, "break_ties", False):
        raise ExportError("%s(break_ties=True) predicts from the one-vs-rest decision, not "
                          "the one-vs-one vote neuralize reproduces" % kind)
    kernel_json, sv = _svc_kernel(est, scaler, X_train, d, kind)
    dual = np.asarray(est.dual_coef_, dtype=np.float64)
    intercept = np.asarray(est.intercept_, dtype=np.float64)
    n_support = [int(n) for n in est.n_support_]
    classes = [c.item() if hasattr(c, "item") else c for c in est.classes_]
    if any(not isinstance(c, (int, float, str)) or isinstance(c, bool) for c in classes):
        raise ExportError("class labels must be numbers or strings")
    k = len(classes)
    if sv.shape != (sum(n_support), d) or dual.shape != (k - 1, sv.shape[0]) \
            or intercept.shape != (k * (k - 1) // 2,):
        raise ExportError("inconsistent %s attributes: support vectors %r, dual_coef_ %r, "
                          "intercept_ %r for %d classes" % (kind, sv.shape, dual.shape,
                                                           intercept.shape, k))
    return {"model": "svc", "kernel": kernel_json, "support_vectors": _floats(sv),
            "dual_coef": _floats(dual), "intercept": _floats(intercept),
            "classes": classes, "n_support": n_support}


def _export_kde(est, d):
    if not hasattr(est, "tree_"):
        raise ExportError("the KernelDensity is not fitted")
    if est.kernel != "gaussian":
        raise ExportError("KernelDensity kernel %r is not supported (only 'gaussian')"
                          % est.kernel)
    if est.metric != "euclidean" or est.metric_params:
        raise ExportError("KernelDensity metric %r is not supported (only 'euclidean')"
                          % est.metric)
    if est.tree_.sample_weight is not None:
        raise ExportError("KernelDensity fitted with sample_weight is not supported")
    b = float(est.bandwidth_)
    if not (b > 0 and math.isfinite(b)):
        raise ExportError("bandwidth must be positive and finite")
    gamma = 1.0 / (2.0 * b * b)
    points = np.asarray(est.tree_.data, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != d:
        raise ExportError("unexpected KDE data shape %r" % (points.shape,))
    return {"model": "kernel_density", "kernel": {"rbf": {"gamma": gamma}},
            "points": _floats(points)}


def _export_kmeans(est, d):
    if not hasattr(est, "cluster_centers_"):
        raise ExportError("the KMeans is not fitted")
    C = np.asarray(est.cluster_centers_, dtype=np.float64)
    if C.shape[0] < 2:
        raise ExportError("k-means needs K >= 2 clusters")
    return {"model": "kmeans", "centroids": _floats(C)}


def _export_gmm(est, d):
    """GaussianMixture -> gaussian_mixture fields (the precisions' Cholesky factors as
    scikit-learn stores them for the covariance type)."""
    if not hasattr(est, "precisions_cholesky_"):
        raise ExportError("the GaussianMixture is not fitted")
    kind = est.covariance_type
    if kind not in ("full", "tied", "diag", "spherical"):
        raise ExportError("unknown covariance_type %r" % kind)
    w = np.asarray(est.weights_, dtype=np.float64)
    if np.any(w <= 0):
        raise ExportError("a component has weight 0: drop it before exporting")
    means = np.asarray(est.means_, dtype=np.float64)
    if means.shape[1] != d:
        raise ExportError("means_ has %d features, expected %d" % (means.shape[1], d))
    return {"model": "gaussian_mixture", "covariance_type": kind, "weights": _floats(w),
            "means": _floats(means),
            "precisions_cholesky": _floats(est.precisions_cholesky_)}


def _export_mlp(est, d):
    """MLPClassifier / MLPRegressor -> dense_network fields (relu or identity hidden layers)."""
    if est.activation not in ("relu", "identity"):
        raise ExportError("MLP activation %r is not supported: only 'relu' and 'identity' "
                          "hidden layers are explained exactly" % est.activation)
    out = est.out_activation_
    if out not in ("identity", "logistic", "softmax"):
        raise ExportError("MLP output %r is not supported" % out)
    if est.n_outputs_ != 1 and out != "softmax":
        raise ExportError("multi-output / multilabel MLPs are not supported (%d outputs)"
                          % est.n_outputs_)
    n = len(est.coefs_)
    layers = []
    for index, (W, b) in enumerate(zip(est.coefs_, est.intercepts_)):
        layer = {"weights": _floats(W), "biases": _floats(b)}
        if index < n - 1:
            layer["activation"] = est.activation
        layers.append(layer)
    body = {"model": "dense_network", "layers": layers, "output": out}
    if hasattr(est, "classes_"):
        body["classes"] = [c.item() if hasattr(c, "item") else c for c in est.classes_]
        if any(not isinstance(c, (int, float, str)) or isinstance(c, bool)
               for c in body["classes"]):
            raise ExportError("class labels must be numbers or strings")
    return body


# ---------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------

def to_neuralize(estimator: Any, X_train: Optional[np.ndarray] = None,
                 feature_names: Optional[Sequence[str]] = None, dataset: Optional[str] = None,
                 check: Optional[Callable[[dict, Any, np.ndarray], None]] = None,
                 export_body: Optional[Callable[[Any, int], Optional[dict]]] = None) -> dict:
    """Convert a fitted estimator (or Pipeline(StandardScaler, estimator)) to a neuralize/1
    model dict.

    X_train (input space, before any scaler): enables "reference" (column mean) and, for
    k-means, "beta" = 1 / mean(logit of the assigned cluster) over the training rows; it is
    required for a laplacian OneClassSVM. With ``check`` given and X_train given,
    ``check(model, estimator, X_train[:200])`` runs last (it raises on disagreement).
    ``export_body(estimator, d)`` exports the fields of other estimator kinds (returning
    None for a kind it does not know either); scripts/export_sklearn.py passes the
    detectors' exporter (kNN detectors) this way.
    Raises ExportError (a ValueError) when the estimator cannot be exported, and
    UnsupportedEstimatorError (a TypeError) for an estimator of another kind.
    """
    import sklearn
    from sklearn.cluster import KMeans, MiniBatchKMeans
    from sklearn.mixture import GaussianMixture
    from sklearn.neighbors import KernelDensity
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.svm import SVC, NuSVC, OneClassSVM

    scaler, est = _split_pipeline(estimator)
    builtin = isinstance(est, (OneClassSVM, KernelDensity, KMeans, MiniBatchKMeans,
                               GaussianMixture, MLPClassifier, MLPRegressor, SVC, NuSVC))
    if not builtin and export_body is None:
        raise UnsupportedEstimatorError("unsupported estimator %s: neuralize exports %s"
                                        % (type(est).__name__, SUPPORTED))
    d = getattr(est, "n_features_in_", None)
    if d is None and hasattr(est, "shape_fit_") and len(est.shape_fit_) == 2:
        d = int(est.shape_fit_[1])  # OneClassSVM / SVC with a callable kernel
    if d is None and hasattr(getattr(est, "neigh_", None), "n_features_in_"):
        d = int(est.neigh_.n_features_in_)  # PyOD KNN
    if d is None:
        raise ExportError("%s is not fitted (or not supported)" % type(est).__name__)
    if X_train is not None:
        X_train = np.asarray(X_train, dtype=np.float64)
        if X_train.ndim != 2 or X_train.shape[1] != d:
            raise ExportError("X_train has shape %r, the model expects %d features"
                              % (X_train.shape, d))
        if not np.all(np.isfinite(X_train)):
            raise ExportError("X_train contains non-finite values")
    if scaler is not None and scaler.n_features_in_ != d:
        raise ExportError("scaler and estimator disagree on the number of features")

    if isinstance(est, OneClassSVM):
        body = _export_ocsvm(est, scaler, X_train, d)
    elif isinstance(est, (SVC, NuSVC)):
        body = _export_svc(est, scaler, X_train, d)
    elif isinstance(est, KernelDensity):
        body = _export_kde(est, d)
    elif isinstance(est, (MLPClassifier, MLPRegressor)):
        body = _export_mlp(est, d)
    elif isinstance(est, GaussianMixture):
        body = _export_gmm(est, d)
    elif builtin:
        body = _export_kmeans(est, d)
    else:
        body = export_body(est, d)
        if body is None:
            raise UnsupportedEstimatorError("unsupported estimator %s: neuralize exports %s"
                                            % (type(est).__name__, SUPPORTED))

    model = {"format": FORMAT}
    model.update(body)
    if feature_names is None:
        fn = getattr(estimator, "feature_names_in_", None)
        if fn is not None:
            feature_names = list(fn)
    if feature_names is not None:
        model["feature_names"] = _check_feature_names(feature_names, d)
    sc = _scaler_dict(scaler, d)
    if sc is not None:
        model["scaler"] = sc
    if X_train is not None:
        model["reference"] = _floats(X_train.mean(axis=0))
        if model["model"] == "dense_network":
            model["bounds"] = {"low": _floats(X_train.min(axis=0)),
                               "high": _floats(X_train.max(axis=0))}
        if model["model"] == "kmeans":
            Z = X_train if sc is None else (X_train - np.asarray(sc["mean"])) / np.asarray(
                sc["scale"])
            m = float(np.mean(_kmeans_logits(Z, np.asarray(model["centroids"]))))
            if not (m > 0 and math.isfinite(m)):
                raise ExportError("mean training logit %r is not positive" % m)
            model["beta"] = 1.0 / m
    prov = {"tool": "scikit-learn", "version": sklearn.__version__,
            "estimator": _stable_repr(estimator),
            "params": _jsonable(est.get_params(deep=False))}
    if dataset is not None:
        prov["dataset"] = dataset
    model["provenance"] = prov

    if check is not None and X_train is not None:
        check(model, estimator, X_train[:200])
    return model


def _kmeans_logits(Z, C):
    """Logit of the assigned cluster c per row: ``min_{k != c} ||z-mu_k||^2 - ||z-mu_c||^2``,
    each term summed as ``sum_i (z_i - m_ik) w_ik`` (``w_k = 2 (mu_c - mu_k)``,
    ``m_k = (mu_c + mu_k) / 2``), c the nearest centroid (ties: lowest index)."""
    out = np.empty(len(Z))
    for r, x in enumerate(Z):
        c = int(np.argmin([np.sum((x - mu) * (x - mu)) for mu in C]))
        out[r] = min(float(np.sum((x - 0.5 * (C[c] + C[k])) * (2.0 * (C[c] - C[k]))))
                     for k in range(len(C)) if k != c)
    return out
