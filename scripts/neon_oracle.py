"""Plain NumPy reference implementation of NEON (see docs/neon.md).

This module is the independent oracle for the Rust code: it favours clarity over speed.
Every distance is computed from the exact per-row difference ``x - u`` (no
``||x||^2 - 2 x.u + ||u||^2`` GEMM trick), every pooling uses a max-shifted
log-sum-exp / softmax, and every share is a normalized weight (numerator divided by the
*computed* sum of numerators), so that relevances conserve the explained output up to
float rounding.

Functions
---------
ocsvm(X, sv, dual_coef, rho, gamma, q, beta=1.0)   -> (decision_function, outlierness, R)
kde(X, points, gamma, beta=1.0)                    -> (log_density, outlierness, R)
kmeans(X, centroids, beta, cluster=None)           -> (assigned_cluster, logit, R)
standardize(X, scaler)                             -> (X - mean) / scale
explain_model(model, X, beta=None, cluster=None)   -> dict of columns, driven by a
                                                      neuralize/1 model dict

All inputs are float64; ``X`` is (n, d); ``R`` is (n, d) and indexed like the input
features (a per-feature standardization does not change feature indices).
"""

import math

import numpy as np


# ---------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------

def _logsumexp(v):
    """log(sum(exp(v))) with the maximum shifted out (v: 1-D, finite)."""
    v = np.asarray(v, dtype=np.float64)
    m = np.max(v)
    return m + math.log(np.sum(np.exp(v - m)))


def _softmax(v):
    """exp(v) / sum(exp(v)), max-shifted (v: 1-D)."""
    v = np.asarray(v, dtype=np.float64)
    e = np.exp(v - np.max(v))
    return e / np.sum(e)


def _as_2d(X):
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X[None, :]
    return X


def standardize(X, scaler):
    """z = (x - mean) / scale, or X unchanged if scaler is None."""
    X = _as_2d(X)
    if scaler is None:
        return X
    mean = np.asarray(scaler["mean"], dtype=np.float64)
    scale = np.asarray(scaler["scale"], dtype=np.float64)
    return (X - mean) / scale


def _distance_share(x, u, q):
    """Per-feature share |x_i - u_i|^q / ||x - u||_q^q (even split if the distance is 0).

    Returns (share (d,), distance ||x-u||_q^q).
    """
    diff = x - u
    if q == 2:
        parts = diff * diff
    elif q == 1:
        parts = np.abs(diff)
    else:
        raise ValueError("q must be 1 or 2")
    total = np.sum(parts)
    if total == 0.0:
        return np.full(x.shape[0], 1.0 / x.shape[0]), 0.0
    return parts / total, total


def _distance_pool_explain(x, prototypes, q, bias, gamma, beta, log_norm):
    """Common part of OC-SVM and KDE for one row.

    h_j = gamma * ||x - u_j||_q^q + bias_j
    o   = -(logsumexp(-h) - log_norm)
    p   = softmax(-beta * h)
    R_i = sum_j p_j * o * share_ij
    Returns (o, R (d,), logsumexp(-h)).
    """
    n_proto, d = prototypes.shape
    shares = np.empty((n_proto, d))
    h = np.empty(n_proto)
    for j in range(n_proto):
        share, dist = _distance_share(x, prototypes[j], q)
        shares[j] = share
        h[j] = gamma * dist + bias[j]
    lse = _logsumexp(-h)
    o = -(lse - log_norm)
    p = _softmax(-beta * h)
    R = np.zeros(d)
    for j in range(n_proto):
        R += p[j] * o * shares[j]
    return o, R, lse


# ---------------------------------------------------------------------------
# one-class SVM
# ---------------------------------------------------------------------------

def ocsvm(X, sv, dual_coef, rho, gamma, q, beta=1.0):
    """NEON for a one-class SVM with K(x,u) = exp(-gamma ||x-u||_q^q).

    q = 2: rbf kernel, q = 1: laplacian kernel.
    decision f(x) = sum_j a_j K(x, u_j) - rho = rho * expm1(-o(x))
    h_j = gamma ||x-u_j||_q^q - log(a_j / rho);  o = -logsumexp(-h)
    Returns (f (n,), o (n,), R (n, d)).
    """
    X = _as_2d(X)
    sv = _as_2d(sv)
    a = np.asarray(dual_coef, dtype=np.float64).ravel()
    rho = float(rho)
    if q not in (1, 2):
        raise ValueError("q must be 1 (laplacian) or 2 (rbf)")
    if rho <= 0 or np.any(a <= 0):
        raise ValueError("NEON needs rho > 0 and all dual coefficients > 0")
    bias = -np.log(a / rho)
    n, d = X.shape
    f = np.empty(n)
    o = np.empty(n)
    R = np.empty((n, d))
    for r in range(n):
        o[r], R[r], _ = _distance_pool_explain(X[r], sv, q, bias, gamma, beta, 0.0)
        # sum_j a_j K = rho * exp(-o)  =>  f = rho * (exp(-o) - 1)
        f[r] = rho * math.expm1(-o[r])
    return f, o, R


# ---------------------------------------------------------------------------
# kernel density estimation (Gaussian)
# ---------------------------------------------------------------------------

def kde(X, points, gamma, beta=1.0):
    """NEON for a Gaussian KDE, kernel exp(-gamma ||x-u||^2), gamma = 1/(2 b^2).

    o = -(logsumexp(-h) - log N), log p = -o - (d/2) log(pi / gamma).
    Returns (log_density (n,), o (n,), R (n, d)).
    """
    X = _as_2d(X)
    points = _as_2d(points)
    n_points, d = points.shape
    bias = np.zeros(n_points)
    log_n = math.log(n_points)
    log_norm_const = 0.5 * d * math.log(math.pi / gamma)
    n = X.shape[0]
    logp = np.empty(n)
    o = np.empty(n)
    R = np.empty((n, d))
    for r in range(n):
        o[r], R[r], _ = _distance_pool_explain(X[r], points, 2, bias, gamma, beta, log_n)
        logp[r] = -o[r] - log_norm_const
    return logp, o, R


# ---------------------------------------------------------------------------
# k-means
# ---------------------------------------------------------------------------

def kmeans_assign(x, centroids):
    """argmin_k ||x - mu_k||^2 from exact differences (ties -> lowest index)."""
    d2 = np.array([np.sum((x - mu) * (x - mu)) for mu in centroids])
    return int(np.argmin(d2))


def _kmeans_one(x, centroids, beta, c):
    K, d = centroids.shape
    others = [k for k in range(K) if k != c]
    # z_ik = (x_i - m_ik) w_ik with w_k = 2 (mu_c - mu_k), m_k = (mu_c + mu_k) / 2.
    # sum_i z_ik = w_k . x + b_k = ||x-mu_k||^2 - ||x-mu_c||^2 = h_k (analytically);
    # we use the computed sum as h_k so the midpoint shares conserve exactly.
    Z = np.empty((len(others), d))
    h = np.empty(len(others))
    for t, k in enumerate(others):
        w = 2.0 * (centroids[c] - centroids[k])
        m = 0.5 * (centroids[c] + centroids[k])
        Z[t] = (x - m) * w
        h[t] = np.sum(Z[t])
    logit = float(np.min(h))
    Rk = _softmax(-beta * h) * logit
    R = np.zeros(d)
    for t in range(len(others)):
        s = h[t]
        if abs(s) < 1e-12 * np.sum(np.abs(Z[t])) or np.sum(np.abs(Z[t])) == 0.0:
            R += Rk[t] / d
        else:
            R += Z[t] / s * Rk[t]
    return logit, R


def kmeans(X, centroids, beta, cluster=None):
    """NEON for k-means.

    cluster=None explains each row's assigned cluster (argmin of squared distance, ties
    lowest index); an int explains that cluster for every row.
    Returns (assigned (n,) int, logit (n,), R (n, d)).
    """
    X = _as_2d(X)
    centroids = _as_2d(centroids)
    if centroids.shape[0] < 2:
        raise ValueError("k-means NEON needs K >= 2")
    n, d = X.shape
    assigned = np.empty(n, dtype=np.int64)
    logit = np.empty(n)
    R = np.empty((n, d))
    for r in range(n):
        assigned[r] = kmeans_assign(X[r], centroids)
        c = assigned[r] if cluster is None else int(cluster)
        logit[r], R[r] = _kmeans_one(X[r], centroids, beta, c)
    return assigned, logit, R


def default_kmeans_beta(centroids):
    """Scale-free default 2 / mean_c min_{k != c} ||mu_c - mu_k||^2."""
    centroids = _as_2d(centroids)
    K = centroids.shape[0]
    mins = []
    for c in range(K):
        mins.append(min(np.sum((centroids[c] - centroids[k]) ** 2) for k in range(K) if k != c))
    return 2.0 / float(np.mean(mins))


# ---------------------------------------------------------------------------
# driving the oracle from a neuralize/1 model dict
# ---------------------------------------------------------------------------

def explain_model(model, X, beta=None, cluster=None):
    """Run the oracle for a neuralize/1 model dict on input-space rows X.

    Returns an ordered dict of output columns (first two columns as in the Rust CLI) and
    the relevance matrix under key "R".
    """
    Z = standardize(X, model.get("scaler"))
    kind = model["model"]
    if kind == "one_class_svm":
        (kname, kparams), = model["kernel"].items()
        q = {"rbf": 2, "laplacian": 1}[kname]
        f, o, R = ocsvm(Z, model["support_vectors"], model["dual_coef"], model["rho"],
                        kparams["gamma"], q, 1.0 if beta is None else beta)
        return {"decision_function": f, "outlierness": o, "R": R}
    if kind == "kernel_density":
        (kname, kparams), = model["kernel"].items()
        if kname != "rbf":
            raise ValueError("kernel_density supports the rbf (Gaussian) kernel only")
        lp, o, R = kde(Z, model["points"], kparams["gamma"], 1.0 if beta is None else beta)
        return {"log_density": lp, "outlierness": o, "R": R}
    if kind == "kmeans":
        if beta is None:
            beta = model.get("beta")
        if beta is None:
            beta = default_kmeans_beta(model["centroids"])
        a, logit, R = kmeans(Z, model["centroids"], beta, cluster)
        return {"cluster": a, "logit": logit, "R": R}
    raise ValueError("unknown model kind %r" % kind)
