"""Per-row feature-flipping areas of support vector classifiers in NumPy, the numbers
`neuralize evaluate` averages, so that the SVC study (scripts/svc_faithfulness.py) can put
paired bootstrap intervals over rows and over marginal draw seeds on them.

The definition is evaluate's (src/evaluate/, as scripts/flip_rows.py states it for kernel
models): the explained output f is the target of the class c predicted (one-vs-one vote) at
the unflipped row, T_c = min_{k != c} V[c, k] (binary: the decision value signed for the
predicted class), held fixed while the row's features are flipped; rows with f(x) > 0 are
kept; features are replaced in decreasing order of relevance (ties: lower index first) by the
reference rows' column means (mean imputation) or by `draws` marginal draws
(scripts/flip_rows.py's `marginal_draws`, the library's SplitMix64 streams, so the study's
seed reproduces evaluate's own draws); the curve is clipped at 0, and the row's score is the
trapezoid area over d f(x) (lower = more faithful). The duels are read with svc_oracle.py's
helpers (scikit-learn's one-vs-one layout).
"""
import os
import sys

import numpy as np
from scipy.spatial.distance import cdist

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flip_rows import classifier_row_areas  # noqa: E402
from svc_oracle import _duel_terms, _parts, standardize  # noqa: E402

CHUNK = 16  # rows per batch of flipped points (digits: 16 x 5 draws x 65 points x ~700 SVs)


class SvcOutput:
    """The explained target of a neuralize/1 `svc` model dict, class held fixed."""

    def __init__(self, model):
        self.model = model
        self.q, self.gamma, self.sv, _, _, _, self.k = _parts(model)
        self.terms = {(a, b): _duel_terms(model, a, b)
                      for a in range(self.k) for b in range(self.k) if a != b}

    def duels(self, X):
        """V (rows, k, k): V[r, a, b] the decision value of class a against class b."""
        Z = standardize(X, self.model)
        K = np.exp(-self.gamma * cdist(Z, self.sv, "sqeuclidean" if self.q == 2
                                       else "cityblock"))
        V = np.zeros((len(Z), self.k, self.k))
        for (a, b), (idx, coef, bias) in self.terms.items():
            V[:, a, b] = K[:, idx] @ coef + bias
        return V

    def classes(self, X):
        """The one-vs-one vote per row (ties to the lowest class index, as scikit-learn)."""
        V = self.duels(X)
        votes = np.zeros((len(V), self.k), dtype=np.int64)
        for i in range(self.k):
            for j in range(i + 1, self.k):
                votes[np.arange(len(V)), np.where(V[:, i, j] > 0, i, j)] += 1
        return np.argmax(votes, axis=1)

    def __call__(self, X, cls):
        V = self.duels(X)
        own = V[np.arange(len(V)), cls]  # (rows, k): class c's duel values
        own[np.arange(len(V)), cls] = np.inf
        return own.min(axis=1)


def row_areas(model, X, R, reference_rows, draws, seed, mean=True):
    """(kept row indices, areas (kept, 2): mean then marginal imputation) of relevance R
    (rows of X; with `mean=False` the mean-imputation column is NaN, not computed)."""
    return classifier_row_areas(SvcOutput(model), X, R, reference_rows, draws, seed, mean=mean,
                                chunk=CHUNK)
