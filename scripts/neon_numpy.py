#!/usr/bin/env python3
"""NEON for an rbf one-class SVM in lean NumPy: the speed yardstick of bench_vs_sklearn.py.

Same rules as `neuralize explain --rule neon` (docs/neon.md), written the way a NumPy user
would write them fast: per chunk of rows, the squared distances come from one matrix product
(||x||^2 - 2 x.u + ||u||^2 on data centred on the support vectors' mean), the soft-min
pooling and its redistribution are whole-matrix operations, and the distance share of every
feature comes from a second product of the scaled unit relevances against [U | U*U]. The
few pairs too close for the expanded form are recomputed from exact differences.

    from neon_numpy import explain_ocsvm
    outlierness, relevance = explain_ocsvm(Z, support_vectors, dual_coef, rho, gamma, beta=1.0)

Z is in the model's own space (apply a model file's scaler first); relevance has one column
per feature and each row sums to the outlierness. As a script it checks itself against the
plain oracle (scripts/neon_oracle.py) on a model file and its input rows:

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


def _read_csv(path):
    with open(path) as f:
        header = f.readline().strip().split(",")
    return header, np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)


def main():
    parser = argparse.ArgumentParser(description="Check explain_ocsvm against scripts/neon_oracle.py.")
    parser.add_argument("model", help="an rbf one_class_svm model file (neuralize/1)")
    parser.add_argument("input", help="CSV of input rows, header = the model's features")
    parser.add_argument("--beta", type=float, default=1.0)
    parser.add_argument("--expected", help="also compare with this CSV of `neuralize explain --rule neon`")
    parser.add_argument("--tolerance", type=float, default=1e-9,
                        help="largest allowed |ours - theirs| / max(1, |theirs|) (default 1e-9)")
    args = parser.parse_args()

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import neon_oracle

    with open(args.model) as f:
        model = json.load(f)
    if model.get("model") != "one_class_svm" or "rbf" not in model["kernel"]:
        sys.exit("neon_numpy: only rbf one_class_svm models")
    names, X = _read_csv(args.input)
    if model.get("feature_names"):
        X = X[:, [names.index(name) for name in model["feature_names"]]]
    Z = neon_oracle.standardize(X, model.get("scaler"))
    o, R = explain_ocsvm(Z, model["support_vectors"], model["dual_coef"], model["rho"],
                         model["kernel"]["rbf"]["gamma"], beta=args.beta)

    def worst(ours, theirs):
        return float(np.max(np.abs(ours - theirs) / np.maximum(1.0, np.abs(theirs))))

    oracle = neon_oracle.explain_model(model, X, beta=args.beta)
    report = {
        "outlierness vs oracle": worst(o, oracle["outlierness"]),
        "relevance vs oracle": worst(R, oracle["R"]),
        "conservation": worst(R.sum(axis=1), o),
    }
    if args.expected:
        columns, expected = _read_csv(args.expected)
        report["outlierness vs expected"] = worst(o, expected[:, columns.index("outlierness")])
        r_cols = [i for i, c in enumerate(columns) if c.startswith("R_")]
        report["relevance vs expected"] = worst(R, expected[:, r_cols])
    print(f"{len(X)} rows, {Z.shape[1]} features, {len(model['dual_coef'])} support vectors, beta {args.beta}")
    for name, value in report.items():
        print(f"{name:26s} max rel diff {value:.3e}")
    failed = [name for name, value in report.items() if not value <= args.tolerance]
    print("ok" if not failed else "FAILED: " + ", ".join(failed), f"(tolerance {args.tolerance:g})")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
