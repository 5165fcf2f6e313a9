#!/usr/bin/env python3
"""NEON for rbf one-class SVMs, Gaussian KDEs and k-means in lean NumPy: the speed
yardstick of bench_vs_sklearn.py.

Same rules as `neuralize explain --rule neon` (docs/neon.md), written the way a NumPy user
would write them fast: per chunk of rows, the squared distances come from one matrix product
(||x||^2 - 2 x.u + ||u||^2 on data centred on the support vectors' mean), the soft-min
pooling and its redistribution are whole-matrix operations, and the distance share of every
feature comes from a second product of the scaled unit relevances against [U | U*U]. The
few pairs too close for the expanded form are recomputed from exact differences.

    from neon_numpy import explain_ocsvm, explain_kde, explain_kmeans
    outlierness, relevance = explain_ocsvm(Z, support_vectors, dual_coef, rho, gamma, beta=1.0)
    outlierness, relevance = explain_kde(Z, points, gamma, beta=1.0)
    cluster, logit, relevance = explain_kmeans(Z, centroids, beta)

No Python loop runs over rows or units: each chunk of rows is a few matrix products (BLAS)
and whole-matrix operations done in place in reused buffers. On several cores,
`on_threads(explain_ocsvm, Z, ...)` runs any of them on Python threads over row blocks with
BLAS on one thread each (NumPy releases the GIL in its products and element-wise passes, so
the exp and the divisions run in parallel too; BLAS threads alone leave them serial).

Z is in the model's own space (apply a model file's scaler first); relevance has one column
per feature and each row sums to the outlierness. As a script it checks itself against the
plain oracle (scripts/neon_oracle.py) on a model file (one-class SVM, KDE or k-means) and
its input rows:

    python3 scripts/neon_numpy.py models/ocsvm_breast_cancer.json \
        models/ocsvm_breast_cancer.input.csv [--expected models/ocsvm_breast_cancer.expected.csv]
"""
import argparse
import json
import os
import sys

import numpy as np

# A pair whose expanded squared distance is below NEAR * (||x||^2 + ||u||^2) (centred) has
# lost too many digits to cancellation: it is recomputed from x - u.
NEAR = 1e-4


def explain_ocsvm(X, sv, dual_coef, rho, gamma, beta=1.0, chunk=2048):
    """Outlierness o (n,) and NEON relevance R (n, d) of rows X for an rbf one-class SVM.

    Units h_j = gamma ||x - u_j||^2 + log(rho / alpha_j); o = -log sum_j exp(-h_j);
    unit relevance R_j = softmin_j(beta h) o; R_i = sum_j R_j (x_i - u_ij)^2 / ||x - u_j||^2
    (R_j / d per feature at distance 0).
    """
    X = np.asarray(X, dtype=np.float64)
    U = np.asarray(sv, dtype=np.float64)
    alpha = np.asarray(dual_coef, dtype=np.float64).ravel()
    n, d = X.shape
    m = len(U)
    bias = np.log(float(rho)) - np.log(alpha)
    origin = U.mean(axis=0)
    Uc = U - origin
    Uc_t = np.ascontiguousarray(Uc.T)
    u_sq = np.einsum("jk,jk->j", Uc, Uc)
    u_sq_max = u_sq.max()
    u_both = np.hstack([Uc, Uc * Uc])           # (m, 2d): both sums of the share at once

    outlierness = np.empty(n)
    relevance = np.empty((n, d))
    dist_buf = np.empty((chunk, m))
    pool_buf = np.empty((chunk, m))
    stiff_buf = np.empty((chunk, m)) if beta != 1.0 else None
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        k = stop - start
        dist, w = dist_buf[:k], pool_buf[:k]
        xc = X[start:stop] - origin
        x_sq = np.einsum("rk,rk->r", xc, xc)

        # squared distances, expanded (product 1)
        np.matmul(xc, Uc_t, out=dist)
        dist *= -2.0
        dist += x_sq[:, None]
        dist += u_sq
        # pairs below NEAR (||x||^2 + ||u||^2): from exact differences; only rows whose
        # smallest distance is below the largest such bound are looked at
        maybe = np.nonzero(dist.min(axis=1) <= NEAR * (x_sq + u_sq_max))[0]
        rows = cols = np.empty(0, dtype=np.intp)
        if maybe.size:
            hit = dist[maybe] <= NEAR * (x_sq[maybe, None] + u_sq)
            rows, cols = np.nonzero(hit)
            rows = maybe[rows]
            diff = X[start + rows] - U[cols]
            near_sq = diff * diff
            near_dist = near_sq.sum(axis=1)
            dist[rows, cols] = near_dist

        # soft-min pooling, max-shifted: w = exp(min h - h) in (0, 1]
        np.multiply(dist, gamma, out=w)
        w += bias
        h_min = w.min(axis=1)
        np.subtract(h_min[:, None], w, out=w)
        if stiff_buf is not None:
            p = np.multiply(w, beta, out=stiff_buf[:k])
            np.exp(w, out=w)
            o = h_min - np.log(w.sum(axis=1))
            w = np.exp(p, out=p)
        else:
            np.exp(w, out=w)
            o = h_min - np.log(w.sum(axis=1))
        scale = o / w.sum(axis=1)                # R_j = w_j scale: sums to o (computed sum)

        # distance share as products over coef_j = w_j / D_j (product 2), scaled per row
        if rows.size:
            near_unit = w[rows, cols] * scale[rows]
            w[rows, cols] = 0.0
            dist[rows, cols] = 1.0
        np.divide(w, dist, out=w)
        sums = w @ u_both
        r = xc * w.sum(axis=1)[:, None]
        r -= 2.0 * sums[:, :d]
        r *= xc
        r += sums[:, d:]
        r *= scale[:, None]
        if rows.size:
            share = np.empty_like(near_sq)
            zero = near_dist == 0.0
            share[~zero] = near_sq[~zero] * (near_unit[~zero] / near_dist[~zero])[:, None]
            share[zero] = (near_unit[zero] / d)[:, None]
            np.add.at(r, rows, share)
        relevance[start:stop] = r
        outlierness[start:stop] = o
    return outlierness, relevance


def explain_kde(X, points, gamma, beta=1.0, chunk=2048):
    """Outlierness o (n,) and NEON relevance R (n, d) of a Gaussian KDE on `points`.

    o = log N - log sum_j exp(-gamma ||x - u_j||^2): the one-class SVM's units with
    alpha_j = 1 / N and rho = 1 (the log density is -o - (d/2) log(pi / gamma)).
    """
    n_points = len(points)
    return explain_ocsvm(X, points, np.full(n_points, 1.0 / n_points), 1.0, gamma, beta, chunk)


def explain_kmeans(X, centroids, beta, chunk=8192):
    """Assigned cluster c (n,), logit (n,) and NEON relevance R (n, d) for k-means.

    Squared distances D (n, K) from one matrix product; c = argmin D; contrasts
    h_k = D_k - D_c = w_k . x + b_k (w_k = 2 (mu_c - mu_k)), logit = min_{k != c} h_k;
    unit relevance R_k = softmin_k(beta h) logit; R_i = sum_k R_k z_ik / h_k with
    z_ik = (x_i - (mu_ci + mu_ki) / 2) w_ik, summed over k by two more products
    (q = R_k / h_k against M and M * M):
    R_i = 2 (x_i mu_ci Q - x_i (q M)_i - mu_ci^2 Q / 2 + (q M^2)_i / 2), Q = sum_k q_k.
    A contrast of exactly 0 (a tie) spreads its unit relevance evenly.
    """
    X = np.asarray(X, dtype=np.float64)
    M = np.asarray(centroids, dtype=np.float64)
    n, d = X.shape
    K = len(M)
    origin = M.mean(axis=0)
    Mc = M - origin
    Mc_t = np.ascontiguousarray(Mc.T)
    m_sq = np.einsum("kj,kj->k", Mc, Mc)
    m_both = np.hstack([Mc, Mc * Mc])            # (K, 2d)
    rows_of = np.arange(chunk)
    cluster = np.empty(n, dtype=np.int64)
    logit = np.empty(n)
    relevance = np.empty((n, d))
    dist_buf = np.empty((chunk, K))
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        k = stop - start
        rows = rows_of[:k]
        xc = X[start:stop] - origin
        h = dist_buf[:k]
        np.matmul(xc, Mc_t, out=h)               # ||x - mu_k||^2 - ||x||^2, up to -2
        h *= -2.0
        h += m_sq
        c = h.argmin(axis=1)
        h -= h[rows, c][:, None]                 # contrasts h_k (||x||^2 cancels)
        h[rows, c] = np.inf
        lg = h.min(axis=1)
        # softmin over k != c, max-shifted: p = exp(-beta (h - min h)), 0 for k = c
        w = np.subtract(lg[:, None], h, out=np.empty_like(h))
        w *= beta
        np.exp(w, out=w)
        w *= (lg / w.sum(axis=1))[:, None]       # R_k
        tie = h == 0.0
        spread = (w * tie).sum(axis=1) / d if tie.any() else 0.0
        np.divide(w, h, out=w, where=~tie)
        w[tie] = 0.0                              # q_k = R_k / h_k (0 at k = c: h = inf)
        sums = w @ m_both
        Q = w.sum(axis=1)[:, None]
        mu_c = Mc[c]
        r = (xc - 0.5 * mu_c) * mu_c * Q
        r -= xc * sums[:, :d]
        r += 0.5 * sums[:, d:]
        r *= 2.0
        r += np.reshape(spread, (-1, 1))
        relevance[start:stop] = r
        cluster[start:stop] = c
        logit[start:stop] = lg
    return cluster, logit, relevance


def on_threads(explain, X, *args, threads=2, **kwargs):
    """`explain(X, *args, **kwargs)` on `threads` Python threads over contiguous row blocks,
    BLAS limited to one thread per call: the tuple of its results joined along the rows."""
    from concurrent.futures import ThreadPoolExecutor

    from threadpoolctl import threadpool_limits

    X = np.ascontiguousarray(X, dtype=np.float64)
    bounds = np.linspace(0, len(X), threads + 1).astype(int)
    with threadpool_limits(limits=1), ThreadPoolExecutor(threads) as pool:
        parts = list(pool.map(lambda b: explain(X[b[0]:b[1]], *args, **kwargs),
                              zip(bounds[:-1], bounds[1:])))
    return tuple(np.concatenate([part[i] for part in parts]) for i in range(len(parts[0])))


def _read_csv(path):
    with open(path) as f:
        header = f.readline().strip().split(",")
    return header, np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)


def main():
    parser = argparse.ArgumentParser(description="Check this module against scripts/neon_oracle.py.")
    parser.add_argument("model", help="an rbf one_class_svm, kernel_density or kmeans model file")
    parser.add_argument("input", help="CSV of input rows, header = the model's features")
    parser.add_argument("--beta", type=float, default=None,
                        help="beta (default: 1 for kernel models, the model's or the oracle's default for k-means)")
    parser.add_argument("--expected", help="also compare with this CSV of `neuralize explain --rule neon`")
    parser.add_argument("--tolerance", type=float, default=1e-9,
                        help="largest allowed |ours - theirs| / max(1, |theirs|) (default 1e-9)")
    args = parser.parse_args()

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import neon_oracle

    with open(args.model) as f:
        model = json.load(f)
    kind = model.get("model")
    if kind not in ("one_class_svm", "kernel_density", "kmeans") or (
            kind != "kmeans" and "rbf" not in model["kernel"]):
        sys.exit("neon_numpy: only rbf one_class_svm, rbf kernel_density and kmeans models")
    names, X = _read_csv(args.input)
    if model.get("feature_names"):
        X = X[:, [names.index(name) for name in model["feature_names"]]]
    Z = neon_oracle.standardize(X, model.get("scaler"))
    if kind == "kmeans":
        beta = args.beta if args.beta is not None else model.get("beta")
        if beta is None:
            beta = neon_oracle.default_kmeans_beta(model["centroids"])
        _, o, R = explain_kmeans(Z, model["centroids"], beta)
        column = "logit"
    else:
        beta = 1.0 if args.beta is None else args.beta
        gamma = model["kernel"]["rbf"]["gamma"]
        if kind == "one_class_svm":
            o, R = explain_ocsvm(Z, model["support_vectors"], model["dual_coef"], model["rho"],
                                 gamma, beta=beta)
        else:
            o, R = explain_kde(Z, model["points"], gamma, beta=beta)
        column = "outlierness"

    def worst(ours, theirs):
        return float(np.max(np.abs(ours - theirs) / np.maximum(1.0, np.abs(theirs))))

    oracle = neon_oracle.explain_model(model, X, beta=beta)
    report = {
        f"{column} vs oracle": worst(o, oracle[column]),
        "relevance vs oracle": worst(R, oracle["R"]),
        "conservation": worst(R.sum(axis=1), o),
    }
    if args.expected:
        columns, expected = _read_csv(args.expected)
        report[f"{column} vs expected"] = worst(o, expected[:, columns.index(column)])
        r_cols = [i for i, c in enumerate(columns) if c.startswith("R_")]
        report["relevance vs expected"] = worst(R, expected[:, r_cols])
    print(f"{len(X)} rows, {Z.shape[1]} features, {kind}, beta {beta}")
    for name, value in report.items():
        print(f"{name:26s} max rel diff {value:.3e}")
    failed = [name for name, value in report.items() if not value <= args.tolerance]
    print("ok" if not failed else "FAILED: " + ", ".join(failed), f"(tolerance {args.tolerance:g})")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
