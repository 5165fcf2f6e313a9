"""Per-row feature-flipping areas in NumPy, the numbers `neuralize evaluate` averages, so that
the held-out study (scripts/heldout_study.py) can put bootstrap intervals over rows on them.

The definition is evaluate's (src/evaluate/): for every row with explained output f(x) > 0,
features are replaced in decreasing order of relevance (ties: lower index first) by
- mean imputation: the reference x~ (the reference rows' column means),
- marginal imputation: `draws` replacement rows, value i of each the feature i of a reference
  row drawn uniformly by SplitMix64 stream (seed ^ 0xF11F, row) (the same bits as
  src/rng.rs, so seed 0 reproduces evaluate's own draws),
the output is recorded after 0..d replacements, clipped at 0 below, and the row's score is
the trapezoid area under the curve over d f(x) (lower = more faithful).

Outputs (models of the study): kernel models (OC-SVM, KDE) the outlierness
o = -logsumexp_j(-(gamma ||z - u_j||_q^q + b_j)); k-means the logit of the cluster assigned
at x, f_c = min_{k != c} ||z - mu_k||^2 - ||z - mu_c||^2 (z the standardized row).
"""
import math

import numpy as np
from scipy.spatial.distance import cdist

CHUNK = 24  # rows per batch of flipped points
MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def _mix(z):
    """SplitMix64's output mix of the uint64 array z (wrapping arithmetic)."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def marginal_draws(reference_rows, draws, seed, row):
    """evaluate's `marginal_draws`: (draws, d) values from the reference rows' marginals."""
    n, d = reference_rows.shape
    s0 = ((seed ^ 0xF11F) ^ 0x5851F42D4C957F2D) & MASK
    with np.errstate(over="ignore"):
        base = int(_mix(np.array([(s0 + GOLDEN) & MASK], dtype=np.uint64))[0])
        state = (base ^ ((row * 0xD1B54A32D192ED03) & MASK)) & MASK
        k = np.arange(1, draws * d + 1, dtype=np.uint64)
        states = np.uint64(state) + k * np.uint64(GOLDEN)
        picks = (_mix(states) % np.uint64(n)).astype(np.int64).reshape(draws, d)
    return reference_rows[picks, np.arange(d)[None, :]]


class Outputs:
    """The explained output of a neuralize/1 model dict (kernel models and k-means)."""

    def __init__(self, model):
        self.kind = model["model"]
        scaler = model.get("scaler")
        self.mean = None if scaler is None else np.asarray(scaler["mean"], dtype=np.float64)
        self.scale = None if scaler is None else np.asarray(scaler["scale"], dtype=np.float64)
        if self.kind == "kmeans":
            self.mu = np.asarray(model["centroids"], dtype=np.float64)
            return
        (kname, kparams), = model["kernel"].items()
        self.metric = {"rbf": "sqeuclidean", "laplacian": "cityblock"}[kname]
        self.gamma = float(kparams["gamma"])
        if self.kind == "one_class_svm":
            self.U = np.asarray(model["support_vectors"], dtype=np.float64)
            a = np.asarray(model["dual_coef"], dtype=np.float64).ravel()
            self.b = -np.log(a / float(model["rho"]))
        else:
            self.U = np.asarray(model["points"], dtype=np.float64)
            self.b = np.full(len(self.U), math.log(len(self.U)))

    def _z(self, X):
        return X if self.mean is None else (X - self.mean) / self.scale

    def clusters(self, X):
        """k-means: the assigned cluster of every row (ties to the lowest index)."""
        return np.argmin(cdist(self._z(X), self.mu, "sqeuclidean"), axis=1)

    def __call__(self, X, cluster=None):
        Z = self._z(X)
        if self.kind == "kmeans":
            D = cdist(Z, self.mu, "sqeuclidean")
            own = D[np.arange(len(Z)), cluster]
            D[np.arange(len(Z)), cluster] = np.inf
            return np.min(D, axis=1) - own
        if self.metric == "sqeuclidean":  # BLAS form; its rounding is far below 1e-4 areas
            D = np.maximum((Z * Z).sum(axis=1)[:, None] - 2.0 * Z @ self.U.T
                           + (self.U * self.U).sum(axis=1)[None, :], 0.0)
        else:
            D = cdist(Z, self.U, self.metric)
        H = self.gamma * D + self.b
        m = np.min(H, axis=1)
        return m - np.log(np.sum(np.exp(-(H - m[:, None])), axis=1))


def row_areas(model, X, R, reference_rows, draws, seed, row_ids=None, mean=True):
    """(kept row indices, areas (kept, 2): mean then marginal imputation) of relevance R
    (with `mean=False` the mean-imputation column is left NaN, not computed).

    `row_ids` numbers the rows of X for the draw streams (evaluate uses the input row index).
    """
    f = Outputs(model)
    X = np.asarray(X, dtype=np.float64)
    clusters = f.clusters(X) if f.kind == "kmeans" else np.zeros(len(X), dtype=np.int64)
    return curve_areas(f, clusters, X, R, reference_rows, draws, seed, row_ids, mean)


def classifier_row_areas(output, X, R, reference_rows, draws, seed, mean=True, chunk=CHUNK):
    """`curve_areas` of a classifier's explained output: `output(points, classes)`, with
    the class `output.classes(X)` predicts at each row held fixed while its features are
    flipped."""
    X = np.asarray(X, dtype=np.float64)
    return curve_areas(output, output.classes(X), X, R, reference_rows, draws, seed,
                       mean=mean, chunk=chunk)


def curve_areas(f, held, X, R, reference_rows, draws, seed, row_ids=None, mean=True,
                chunk=CHUNK):
    """`row_areas` for any explained output `f(points, held)`, where `held` (one entry per
    row of X) is what stays fixed while the row's features are flipped (the assigned
    cluster, the explained class)."""
    X = np.asarray(X, dtype=np.float64)
    reference_rows = np.asarray(reference_rows, dtype=np.float64)
    start = f(X, held)
    kept = np.where(start > 0)[0]
    if row_ids is None:
        row_ids = np.arange(len(X))
    n, d = len(kept), X.shape[1]
    x_ref = reference_rows.mean(axis=0)
    areas = np.full((n, 2), np.nan)
    for lo in range(0, n, chunk):
        rows = kept[lo:lo + chunk]
        # replaced[j, k, i]: feature i is replaced after k steps of row j's order
        rank = np.array([np.argsort(order_by_relevance(R[r]), kind="stable") for r in rows])
        replaced = rank[:, None, :] < np.arange(d + 1)[None, :, None]
        for which in range(0 if mean else 1, 2):
            if which == 0:
                values = np.broadcast_to(x_ref, (len(rows), 1, d))
            else:
                values = np.array([marginal_draws(reference_rows, draws, seed, int(row_ids[r]))
                                   for r in rows])
            points = np.where(replaced[:, None], values[:, :, None, :], X[rows][:, None, None, :])
            reps = values.shape[1]
            h = np.repeat(held[rows], reps * (d + 1))
            out = np.maximum(f(points.reshape(-1, d), h), 0.0).reshape(len(rows), reps, d + 1)
            curve = out.mean(axis=1)
            area = 0.5 * (curve[:, :-1] + curve[:, 1:]).sum(axis=1)
            areas[lo:lo + len(rows), which] = area / (d * start[rows])
    return kept, areas


def gap_interval(areas, which, col, idx, baselines=("occlusion", "gradient-x-input",
                                                   "integrated-gradients")):
    """(point, 2.5%, 97.5%) of mean(which) / min_b mean(b) - 1 over bootstrap rows idx
    (`areas[method]`: per-row areas, rows x columns x draw seeds; b over `baselines`)."""
    best = np.min([areas[b][idx, col].mean(axis=1) for b in baselines], axis=0)
    gaps = areas[which][idx, col].mean(axis=1) / best - 1
    point = areas[which][:, col].mean() / min(areas[b][:, col].mean() for b in baselines) - 1
    lo, hi = np.percentile(gaps, [2.5, 97.5])
    return point, lo, hi


def order_by_relevance(r):
    """Decreasing relevance as Rust's total_cmp sorts it (0.0 before -0.0), ties by index."""
    negative_zero = (r == 0) & np.signbit(r)
    return np.lexsort((np.arange(len(r)), negative_zero, -r))
