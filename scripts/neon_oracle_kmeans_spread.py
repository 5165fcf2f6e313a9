"""Plain NumPy oracle of `neon-spread` for k-means, independent of the Rust code: one row at
a time, exact differences, no matrix-product tricks (the `neon-path` part is
scripts/neon_oracle_kmeans_path.py's).

    python scripts/neon_oracle_kmeans_spread.py   # writes models/NAME.expected_spread.csv

With R0 the `neon-path` relevance of a row (neon_oracle_kmeans_path.path_row) and, along
a(s) = r + s (z - r), the contrasts h(a(s)) of its cluster t and w_k = 2 (mu_t - mu_k):

    p2    = (softmin(beta h(a(5/6))) + softmin(beta h(a(1)))) / 2
    N2_i  = sum_k p2_k w_ik (z_i - r_i)
    R2_i  = f N2_i / sum N2          if sum N2 is not tiny and has the sign of f
          = N2_i + (f - sum N2) / d  otherwise
    c     = (sum of the 3 largest max(R0_i, 0)) / sum_i max(R0_i, 0)   (1 if that sum is 0)
    l     = (1 - c)^2
    R     = (1 - l) R0 + l R2

at beta = 10 x the model file's beta (`neon-spread@auto`, the k-means default). The written file has the columns
of NAME.expected.csv (cluster, logit, R_...).
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import neon_oracle  # noqa: E402
import neon_oracle_kmeans_path as path  # noqa: E402

NEAR_NODES = (5.0 / 6.0, 1.0)
TOP = 3


def _share(N, f):
    total = np.sum(N)
    if f != 0.0 and abs(total) > 1e-12 * np.sum(np.abs(N)) and (total > 0) == (f > 0):
        return f * N / total
    return N + (f - total) / len(N)


def mix_weight(R0):
    """l = (1 - c)^2, c the share of the positive R0 held by its TOP largest values."""
    P = np.sort(np.maximum(R0, 0.0))[::-1]
    total = np.sum(P)
    c = min(np.sum(P[:TOP]) / total, 1.0) if total > 0 else 1.0
    return (1.0 - c) ** 2


def spread_row(z, r, centroids, beta):
    """(assigned cluster, logit, R) of one standardized row under neon-spread."""
    t, f, R0 = path.path_row(z, r, centroids, beta)
    h_z, W = path._contrasts(z, centroids, t)
    h_r, _ = path._contrasts(r, centroids, t)
    p2 = np.zeros(len(h_z))
    for s in NEAR_NODES:
        p2 += path._softmin(h_r + s * (h_z - h_r), beta) / len(NEAR_NODES)
    R2 = _share((p2 @ W) * (z - r), f)
    lam = mix_weight(R0)
    return t, f, (1.0 - lam) * R0 + lam * R2


def explain(model, X):
    centroids = np.asarray(model["centroids"], dtype=np.float64)
    beta = model.get("beta")
    if beta is None:
        beta = neon_oracle.default_kmeans_beta(centroids)
    beta *= path.AUTO_STIFFENING
    Z = neon_oracle.standardize(X, model.get("scaler"))
    r = neon_oracle.standardize(np.asarray(model["reference"], dtype=np.float64)[None],
                                model.get("scaler"))[0]
    rows = [spread_row(z, r, centroids, beta) for z in Z]
    return (np.array([t for t, _, _ in rows]), np.array([f for _, f, _ in rows]),
            np.array([R for _, _, R in rows]))


def main():
    path.write_expected(explain, "spread")


if __name__ == "__main__":
    main()
