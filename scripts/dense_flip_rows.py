"""Per-row feature-flipping areas of dense networks in NumPy, the numbers `neuralize evaluate`
averages, so that the dense study (scripts/dense_faithfulness.py) can put paired bootstrap
intervals over rows and over marginal draw seeds on them.

The definition is evaluate's (src/evaluate/, as scripts/flip_rows.py states it for kernel
models): the explained output f is the target of the class predicted at the unflipped row
(softmax: its logit z_c; logistic: z for classes[1], -z for classes[0]; identity: the
output); rows with f(x) > 0 are kept; features are replaced in decreasing order of relevance
(ties: lower index first) by the reference rows' column means (mean imputation) or by
`draws` marginal draws (scripts/flip_rows.py's `marginal_draws`, the library's SplitMix64
streams, so the study seed reproduces evaluate's own draws); the curve is clipped at 0, and
the row's score is the trapezoid area over d f(x) (lower = more faithful).
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flip_rows import marginal_draws, order_by_relevance  # noqa: E402

CHUNK = 32  # rows per batch of flipped points


class DenseOutput:
    """The explained target of a neuralize/1 `dense_network` model dict, class held fixed."""

    def __init__(self, model):
        self.layers = [(np.asarray(l["weights"], dtype=np.float64),
                        np.asarray(l["biases"], dtype=np.float64), l.get("activation"))
                       for l in model["layers"]]
        self.output = model["output"]
        sc = model.get("scaler")
        self.mean = None if sc is None else np.asarray(sc["mean"], dtype=np.float64)
        self.scale = None if sc is None else np.asarray(sc["scale"], dtype=np.float64)

    def logits(self, X):
        a = X if self.mean is None else (X - self.mean) / self.scale
        for W, b, act in self.layers:
            p = a @ W + b
            a = p if act is None or act == "identity" else np.maximum(p, 0.0)
        return a

    def classes(self, X):
        """The explained column index (softmax) or 0/1 (logistic) or 0 (identity) per row."""
        L = self.logits(X)
        if self.output == "softmax":
            return np.argmax(L, axis=1)
        if self.output == "logistic":
            return (L[:, 0] > 0).astype(np.int64)
        return np.zeros(len(X), dtype=np.int64)

    def __call__(self, X, cls):
        L = self.logits(X)
        if self.output == "softmax":
            return L[np.arange(len(X)), cls]
        if self.output == "logistic":
            return np.where(cls == 1, L[:, 0], -L[:, 0])
        return L[:, 0]


def row_areas(model, X, R, reference_rows, draws, seed, mean=True):
    """(kept row indices, areas (kept, 2): mean then marginal imputation) of relevance R
    (rows of X; with `mean=False` the mean-imputation column is NaN, not computed)."""
    f = DenseOutput(model)
    X = np.asarray(X, dtype=np.float64)
    reference_rows = np.asarray(reference_rows, dtype=np.float64)
    cls = f.classes(X)
    start = f(X, cls)
    kept = np.where(start > 0)[0]
    n, d = len(kept), X.shape[1]
    x_ref = reference_rows.mean(axis=0)
    areas = np.full((n, 2), np.nan)
    for lo in range(0, n, CHUNK):
        rows = kept[lo:lo + CHUNK]
        rank = np.array([np.argsort(order_by_relevance(R[r]), kind="stable") for r in rows])
        replaced = rank[:, None, :] < np.arange(d + 1)[None, :, None]
        for which in range(0 if mean else 1, 2):
            if which == 0:
                values = np.broadcast_to(x_ref, (len(rows), 1, d))
            else:
                values = np.array([marginal_draws(reference_rows, draws, seed, int(r))
                                   for r in rows])
            points = np.where(replaced[:, None], values[:, :, None, :], X[rows][:, None, None, :])
            reps = values.shape[1]
            c = np.repeat(cls[rows], reps * (d + 1))
            out = np.maximum(f(points.reshape(-1, d), c), 0.0).reshape(len(rows), reps, d + 1)
            curve = out.mean(axis=1)
            area = 0.5 * (curve[:, :-1] + curve[:, 1:]).sum(axis=1)
            areas[lo:lo + len(rows), which] = area / (d * start[rows])
    return kept, areas
