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
from flip_rows import classifier_row_areas  # noqa: E402

CHUNK = 32  # rows per batch of flipped points


class DenseOutput:
    """The explained target of a neuralize/1 `dense_network` model dict, class held fixed:
    `target = "logit"` as above, or `"log-odds"` (`neuralize --target log-odds`): for softmax
    log p_c / (1 - p_c) = -log sum_{k != c} exp(-(z_c - z_k)) (max-shifted), for logistic the
    same as the logit; a regressor has none."""

    def __init__(self, model, target="logit"):
        if target not in ("logit", "log-odds"):
            raise ValueError("target: logit or log-odds, not %r" % target)
        if target == "log-odds" and model["output"] not in ("softmax", "logistic"):
            raise ValueError("a %s network has no log-odds target" % model["output"])
        self.target = target
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
            own = L[np.arange(len(X)), cls]
            if self.target == "logit":
                return own
            gaps = own[:, None] - L                        # z_c - z_k, 0 at k = c
            gaps[np.arange(len(X)), cls] = np.inf          # exp(-inf) = 0: k != c only
            low = gaps.min(axis=1)
            return low - np.log(np.exp(-(gaps - low[:, None])).sum(axis=1))
        if self.output == "logistic":
            return np.where(cls == 1, L[:, 0], -L[:, 0])
        return L[:, 0]


def row_areas(model, X, R, reference_rows, draws, seed, mean=True, target="logit"):
    """(kept row indices, areas (kept, 2): mean then marginal imputation) of relevance R
    (rows of X; with `mean=False` the mean-imputation column is NaN, not computed)."""
    return classifier_row_areas(DenseOutput(model, target), X, R, reference_rows, draws, seed,
                                mean=mean, chunk=CHUNK)
