"""Plain NumPy reference implementation of NEON for Gaussian mixtures and k-nearest-neighbour
detectors (see docs/neon.md): the independent oracle of the Rust families
`gaussian_mixture` and `knn_detector`. Clarity over speed: one row and one unit at a time,
exact differences, max-shifted log-sum-exp.

gmm(X, model, beta=1.0, floor=False)  -> (log_density, outlierness, R)
knn(X, model, beta=None)              -> (score, R)
"""

import math

import numpy as np


def _logsumexp(v):
    m = np.max(v)
    return m + math.log(np.sum(np.exp(v - m)))


def _softmax(v):
    e = np.exp(v - np.max(v))
    return e / np.sum(e)


def gmm_factors(model):
    """Dense upper-triangular precision Cholesky factors U_k (P_k = U_k U_k^T), one per
    component, from a model dict storing precisions_cholesky (scikit-learn's layout)."""
    kind = model["covariance_type"]
    means = np.asarray(model["means"], dtype=np.float64)
    K, D = means.shape
    pc = np.asarray(model["precisions_cholesky"], dtype=np.float64)
    if kind == "full":
        return [pc[k] for k in range(K)]
    if kind == "tied":
        return [pc for _ in range(K)]
    if kind == "diag":
        return [np.diag(pc[k]) for k in range(K)]
    if kind == "spherical":
        return [np.eye(D) * pc[k] for k in range(K)]
    raise ValueError("unknown covariance_type %r" % kind)


def gmm_biases(model):
    """b_k = -log pi_k + (D/2) log 2 pi - sum_i log U_k,ii."""
    U = gmm_factors(model)
    w = np.asarray(model["weights"], dtype=np.float64)
    D = len(model["means"][0])
    return np.array([-math.log(w[k]) + 0.5 * D * math.log(2 * math.pi)
                     - float(np.sum(np.log(np.diag(U[k])))) for k in range(len(w))])


def mahalanobis_shares(delta, pulled):
    """c_i / sum c, c_i = delta_i (P delta)_i; even split if the sum is not usable."""
    c = delta * pulled
    total = float(np.sum(c))
    magnitude = float(np.sum(np.abs(c)))
    if total > 1e-12 * magnitude and math.isfinite(total):
        return c / total
    return np.full(len(delta), 1.0 / len(delta))


def gmm(Z, model, beta=1.0, floor=False):
    """NEON for a Gaussian mixture on standardized rows Z.

    q_k = 1/2 ||U_k^T (z - mu_k)||^2 + b_k, o = -logsumexp(-q) = -log p(z),
    R_k = softmax(-beta q)_k (o - o0), R_i = sum_k R_k c_ki / sum_i c_ki + o0 / D,
    o0 = -logsumexp(-b) if floor else 0.
    """
    Z = np.atleast_2d(np.asarray(Z, dtype=np.float64))
    means = np.asarray(model["means"], dtype=np.float64)
    U = gmm_factors(model)
    b = gmm_biases(model)
    K, D = means.shape
    o0 = -_logsumexp(-b) if floor else 0.0
    n = Z.shape[0]
    o = np.empty(n)
    R = np.empty((n, D))
    for r in range(n):
        q = np.empty(K)
        shares = np.empty((K, D))
        for k in range(K):
            delta = Z[r] - means[k]
            y = U[k].T @ delta
            q[k] = 0.5 * float(y @ y) + b[k]
            shares[k] = mahalanobis_shares(delta, U[k] @ y)
        o[r] = -_logsumexp(-q)
        p = _softmax(-beta * q)
        R[r] = (p * (o[r] - o0)) @ shares + o0 / D
    return -o, o, R


def gmm_responsibilities(Z, model):
    """softmax(-q): scikit-learn's predict_proba."""
    Z = np.atleast_2d(np.asarray(Z, dtype=np.float64))
    means = np.asarray(model["means"], dtype=np.float64)
    U = gmm_factors(model)
    b = gmm_biases(model)
    out = np.empty((Z.shape[0], len(b)))
    for r in range(Z.shape[0]):
        q = np.array([0.5 * float(np.sum((U[k].T @ (Z[r] - means[k])) ** 2)) + b[k]
                      for k in range(len(b))])
        out[r] = _softmax(-q)
    return out


def _knn_distance(z, u, metric):
    diff = z - u
    if metric == "manhattan":
        return float(np.sum(np.abs(diff)))
    return float(np.sqrt(np.sum(diff * diff)))


def knn_typical_score(model):
    """Median over the first 500 stored rows of their score against the other stored rows
    (the first 5000); the published beta is 1 / this."""
    P = np.asarray(model["points"], dtype=np.float64)
    n = len(P)
    if n < 2:
        return 0.0
    k = min(int(model["k"]), n - 1)
    scores = []
    for j in range(min(n, 500)):
        d = [(_knn_distance(P[j], P[i], model.get("metric", "euclidean")), i)
             for i in range(min(n, 5000)) if i != j]
        d.sort()
        near = [v for v, _ in d[:k]]
        scores.append(near[-1] if model["score"] == "largest" else sum(near) / len(near))
    scores.sort()
    return scores[len(scores) // 2]


def knn_beta(model):
    if model.get("beta") is not None:
        return float(model["beta"])
    s = knn_typical_score(model)
    return 1.0 / s if s > 0 and math.isfinite(s) else 1.0


def knn(Z, model, beta=None):
    """NEON for a k-nearest-neighbour detector on standardized rows Z.

    The k nearest stored rows (ties to the lower index); score = k-th distance (largest)
    or mean distance (mean). Unit relevance: o softmax(beta h) over the k nearest (largest)
    or o h_j / sum h (mean); then R_i = sum_j R_j t_ji / sum_i t_ji, t = (z-u)^2 (euclidean)
    or |z-u| (manhattan), even split at zero distance.
    """
    Z = np.atleast_2d(np.asarray(Z, dtype=np.float64))
    P = np.asarray(model["points"], dtype=np.float64)
    k = int(model["k"])
    metric = model.get("metric", "euclidean")
    if beta is None:
        beta = knn_beta(model)
    n, D = Z.shape
    score = np.empty(n)
    R = np.zeros((n, D))
    for r in range(n):
        d = sorted((_knn_distance(Z[r], P[j], metric), j) for j in range(len(P)))[:k]
        h = np.array([v for v, _ in d])
        o = h[-1] if model["score"] == "largest" else float(np.sum(h)) / k
        score[r] = o
        if model["score"] == "largest":
            w = np.exp(beta * (h - h[-1]))
        else:
            w = h.copy()
        total = float(np.sum(w))
        Rj = w * (o / total) if total > 0 else np.full(k, o / k)
        for (_, j), rj in zip(d, Rj):
            diff = Z[r] - P[j]
            t = diff * diff if metric == "euclidean" else np.abs(diff)
            s = float(np.sum(t))
            R[r] += rj * t / s if s > 0 else rj / D
    return score, R
