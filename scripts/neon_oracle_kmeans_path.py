"""Plain NumPy oracle of `neon-path` for k-means (its default rule set), independent of the
Rust code: one row at a time, exact differences, no matrix-product tricks.

    python scripts/neon_oracle_kmeans_path.py     # writes models/NAME.expected_path.csv

For a row z (standardized), its assigned cluster t (nearest centroid, ties to the lowest
index), the reference r (the model file's `reference`, standardized) and the contrasts
h_k(x) = ||x - mu_k||^2 - ||x - mu_t||^2 (k != t), linear in x with weights
w_k = 2 (mu_t - mu_k):

    s_j   = (j + 1/2) / P,  j = 0..P-1,  P = 3
    p(s)  = softmin(beta h(r + s (z - r)))          (the contrasts of t all along the path)
    N_i   = (1/P) sum_j sum_k p_k(s_j) w_ik (z_i - r_i)
    R_i   = f N_i / sum N                if sum N is not tiny and has the sign of f
          = N_i + (f - sum N) / d        otherwise,     f = min_k h_k(z)

at beta = 10 x the model file's beta (`neon-path@auto`; the k-means default `neon-spread`
mixes it per row, scripts/neon_oracle_kmeans_spread.py). The written
file has the columns of NAME.expected.csv (cluster, logit, R_...).
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import neon_oracle  # noqa: E402

PIECES = 3
AUTO_STIFFENING = 10.0
FIXTURES = ["kmeans_iris", "kmeans_wine", "kmeans_digits", "kmeans_blobs"]


def _softmin(h, beta):
    e = np.exp(-beta * (h - np.min(h)))
    return e / np.sum(e)


def _contrasts(x, centroids, t):
    """h_k(x) for k != t from exact differences, and the weights w_k (rows)."""
    others = [k for k in range(len(centroids)) if k != t]
    sq = np.array([np.sum((x - mu) ** 2) for mu in centroids])
    h = np.array([sq[k] - sq[t] for k in others])
    W = np.array([2.0 * (centroids[t] - centroids[k]) for k in others])
    return h, W


def path_row(z, r, centroids, beta):
    """(assigned cluster, logit, R) of one standardized row under neon-path."""
    t = neon_oracle.kmeans_assign(z, centroids)
    h_z, W = _contrasts(z, centroids, t)
    h_r, _ = _contrasts(r, centroids, t)
    f = float(np.min(h_z))
    p_mean = np.zeros(len(h_z))
    for j in range(PIECES):
        s = (j + 0.5) / PIECES
        p_mean += _softmin(h_r + s * (h_z - h_r), beta) / PIECES
    N = (p_mean @ W) * (z - r)
    total = np.sum(N)
    if f != 0.0 and abs(total) > 1e-12 * np.sum(np.abs(N)) and (total > 0) == (f > 0):
        return t, f, f * N / total
    return t, f, N + (f - total) / len(z)


def explain(model, X):
    centroids = np.asarray(model["centroids"], dtype=np.float64)
    beta = model.get("beta")
    if beta is None:
        beta = neon_oracle.default_kmeans_beta(centroids)
    beta *= AUTO_STIFFENING
    Z = neon_oracle.standardize(X, model.get("scaler"))
    r = neon_oracle.standardize(np.asarray(model["reference"], dtype=np.float64)[None],
                                model.get("scaler"))[0]
    rows = [path_row(z, r, centroids, beta) for z in Z]
    return (np.array([t for t, _, _ in rows]), np.array([f for _, f, _ in rows]),
            np.array([R for _, _, R in rows]))


def write_expected(explain_fn, suffix):
    """models/NAME.expected_SUFFIX.csv for every k-means fixture: cluster, logit and the
    relevances `explain_fn(model, X)` gives its input rows."""
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models")
    for name in FIXTURES:
        model = json.load(open(os.path.join(here, name + ".json")))
        path = os.path.join(here, name + ".input.csv")
        header = open(path).readline().strip().split(",")
        X = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
        cluster, logit, R = explain_fn(model, X)
        with open(os.path.join(here, "%s.expected_%s.csv" % (name, suffix)), "w") as f:
            f.write(",".join(["cluster", "logit"] + ["R_" + h for h in header]) + "\n")
            for c, lg, row in zip(cluster, logit, R):
                f.write(",".join([str(int(c))] + [repr(float(v)) for v in [lg, *row]]) + "\n")
        print("wrote", name, X.shape, file=sys.stderr)


def main():
    write_expected(explain, "path")


if __name__ == "__main__":
    main()
