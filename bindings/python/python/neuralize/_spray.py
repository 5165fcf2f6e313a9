"""``spray``: Spectral Relevance Analysis over many explanations (the library's ``spray``)."""

from __future__ import annotations

import numbers
from typing import Any, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import _native


class ClusterSummary:
    """One cluster of a :class:`Spray` result.

    Attributes:
        cluster: its label (clusters are numbered by size, largest first).
        size: its number of rows.
        mean_relevance: the mean of its relevance rows (as given, before normalization),
            per feature.
        mean_input: the mean of its input rows per feature, when ``inputs`` were given.
        prototypes: up to 5 of its rows closest to its centroid in the spectral embedding,
            closest first: the rows to look at first.
        feature_names: the names of the features.
    """

    def __init__(self, cluster: int, size: int, mean_relevance: np.ndarray,
                 mean_input: Optional[np.ndarray], prototypes: List[int],
                 feature_names: List[str]) -> None:
        self.cluster = cluster
        self.size = size
        self.mean_relevance = mean_relevance
        self.mean_input = mean_input
        self.prototypes = prototypes
        self.feature_names = feature_names

    def top_features(self, n: int = 3) -> List[str]:
        """The ``n`` features of largest mean relevance (ties by position)."""
        order = sorted(range(len(self.mean_relevance)),
                       key=lambda j: (-self.mean_relevance[j], j))
        return [self.feature_names[j] for j in order[:n]]

    def __repr__(self) -> str:
        return "<cluster %d: %d rows, top features %s>" % (self.cluster, self.size,
                                                            self.top_features())


class Spray:
    """The result of :func:`spray`.

    Attributes:
        labels: the cluster of each row (int64, 0-based; numbered by size, largest first).
        embedding: n x 2, the first two non-trivial eigenvectors of the normalized
            Laplacian: the picture in which the clusters separate.
        eigenvalues: the smallest eigenvalues of ``L = I - D^-1/2 A D^-1/2``, ascending
            (about 0 once per weakly connected group of rows).
        n_clusters: the number of clusters.
        rule: why: ``given``, ``jump`` (the last k with ``lambda_{k+1} >= 4 lambda_k``) or
            ``eigengap`` (the largest ``lambda_{k+1} - lambda_k``).
        gap: ``lambda_{k+1} - lambda_k`` for the chosen k (None when ``lambda_{k+1}`` was not
            computed).
        residual: the largest ``||L v - lambda v||`` of the computed eigenpairs.
        clusters: one :class:`ClusterSummary` per cluster, in label order.
        feature_names: the names of the relevance columns.
    """

    def __init__(self, raw: dict, feature_names: List[str], index: Any = None) -> None:
        self.labels: np.ndarray = raw["labels"]
        self.embedding: np.ndarray = raw["embedding"]
        self.eigenvalues: np.ndarray = raw["eigenvalues"]
        self.n_clusters: int = raw["n_clusters"]
        self.rule: str = raw["rule"]
        self.gap: Optional[float] = raw["gap"]
        self.residual: float = raw["residual"]
        self.feature_names = feature_names
        self.clusters = [ClusterSummary(c["cluster"], c["size"], c["mean_relevance"],
                                        c["mean_input"], list(c["prototypes"]), feature_names)
                         for c in raw["clusters"]]
        self._index = index

    def __len__(self) -> int:
        return len(self.labels)

    def to_pandas(self) -> Any:
        """A pandas DataFrame with the command line's columns ``cluster``, ``embedding_0``,
        ``embedding_1`` (the relevance DataFrame's index, if the rows came from one)."""
        import pandas as pd

        return pd.DataFrame({"cluster": self.labels, "embedding_0": self.embedding[:, 0],
                             "embedding_1": self.embedding[:, 1]}, index=self._index)

    def summary_frame(self) -> Any:
        """A pandas DataFrame with one row per cluster: ``size``, ``prototypes`` and the
        mean relevance per feature (columns ``R_<feature>``)."""
        import pandas as pd

        rows = []
        for c in self.clusters:
            row = {"cluster": c.cluster, "size": c.size, "prototypes": c.prototypes}
            row.update({"R_" + n: v for n, v in zip(self.feature_names, c.mean_relevance)})
            rows.append(row)
        return pd.DataFrame(rows).set_index("cluster")

    def __repr__(self) -> str:
        return "<Spray: %d rows in %d clusters (%s), sizes %s>" % (
            len(self), self.n_clusters, self.rule, [c.size for c in self.clusters])


def _relevance(relevance: Any) -> Tuple[np.ndarray, List[str], Any]:
    """(float64 matrix, feature names, pandas index or None) of an Explanation, a NumPy
    array, or a DataFrame (its ``R_<feature>`` columns when it has any, else all)."""
    from ._inputs import _is_pandas, _is_polars

    index = None
    names: Optional[List[str]] = None
    if hasattr(relevance, "relevance") and hasattr(relevance, "feature_names"):
        names = list(relevance.feature_names)
        index = getattr(relevance, "_index", None)
        A = np.asarray(relevance.relevance)
    elif _is_pandas(relevance) or _is_polars(relevance):
        cols = [str(c) for c in relevance.columns]
        take = [c for c in cols if c.startswith("R_")] or cols
        names = [c[2:] if c.startswith("R_") else c for c in take]
        if _is_pandas(relevance):
            index = relevance.index
            picked = [c for c in relevance.columns if str(c) in set(take)]
            A = relevance[picked].to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            A = relevance.select(take).to_numpy().astype(np.float64, copy=False)
    else:
        A = np.asarray(relevance)
    if A.ndim != 2:
        raise ValueError("expected relevance rows (a 2-D array, rows x features), got %d "
                         "dimension(s)" % A.ndim)
    if A.dtype != np.float64:
        if A.dtype.kind not in "fiub":
            raise TypeError("expected real numbers, got an array of dtype %s" % A.dtype)
        A = A.astype(np.float64)
    if names is None:
        names = ["x%d" % j for j in range(A.shape[1])]
    return A, names, index


def _whole(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError("%s must be a whole number, got %r" % (name, value))
    if int(value) < low:
        raise ValueError("%s must be at least %d, got %d" % (name, low, int(value)))
    return int(value)


def spray(relevance: Any, clusters: Union[str, int] = "auto", neighbors: int = 10,
          eigenvalues: int = 32, normalize: str = "l1", seed: int = 0,
          inputs: Optional[Any] = None, *, restarts: int = 10,
          prototypes: int = 5) -> Spray:
    """Group explanations by the strategies behind them: Spectral Relevance Analysis
    (SpRAy; Lapuschkin et al., Nature Communications 10:1096, 2019), in the Rust library.

    The steps (as ``neuralize spray`` on the command line, with the same results):

    1. each relevance row rescaled by ``normalize``: ``l1`` (``r / sum_i |r_i|``, the share
       of each feature), ``l2``, ``abs`` (``|r| / sum_i |r_i|``) or ``none``; a row of zeros
       is kept;
    2. the binary k-nearest-neighbour graph (``neighbors`` other rows, Euclidean),
       symmetrized ``A = (B + B^T) / 2``;
    3. the smallest ``eigenvalues`` eigenpairs of the normalized Laplacian
       ``L = I - D^-1/2 A D^-1/2`` (no n x n matrix for large n);
    4. the number of clusters: ``clusters``, or ``"auto"``: among 2..20, the last k where
       the eigenvalues jump by a factor 4, else the largest eigengap;
    5. seeded k-means (``restarts`` restarts) on the first k eigenvectors with rows of unit
       length (Ng-Jordan-Weiss); deterministic for a seed, whatever the thread count.

    Args:
        relevance: n x d relevance rows: an :class:`~neuralize.Explanation`, a NumPy array
            (float64 in any layout is not copied), or a DataFrame (its ``R_<feature>``
            columns when it has any, as ``e.to_pandas()`` writes them).
        clusters: ``"auto"`` or the number of clusters.
        neighbors: neighbours per row (fewer than the rows).
        eigenvalues: eigenpairs to compute (at least 2).
        normalize: ``"l1"``, ``"l2"``, ``"abs"`` or ``"none"``.
        seed: seed of the eigensolver's start and of k-means.
        inputs: the explained rows (n x any), for each cluster's mean input; defaults to
            ``relevance.inputs`` for an Explanation.
        restarts: k-means restarts (the one of least inertia wins).
        prototypes: prototype rows per cluster.

    Returns:
        a :class:`Spray` with ``labels``, ``embedding``, ``eigenvalues``, ``n_clusters``,
        ``rule``, ``gap`` and per-cluster summaries ``clusters``; ``to_pandas()``.

    Raises:
        ValueError: with the library's message for NaN or infinite values, fewer than two
            rows, fewer rows than ``neighbors + 1``, all rows identical, or parameters out of
            range. TypeError for non-numeric input or parameters.
    """
    if inputs is None and hasattr(relevance, "relevance"):
        inputs = getattr(relevance, "inputs", None)
    A, names, index = _relevance(relevance)
    if isinstance(clusters, str):
        count = clusters
    else:
        count = str(_whole("clusters", clusters, 1))
    if not isinstance(normalize, str):
        raise TypeError("normalize must be one of 'none', 'l1', 'l2', 'abs', got %r"
                        % (normalize,))
    X = None
    if inputs is not None:
        X = np.asarray(inputs)
        if X.ndim != 2:
            raise ValueError("inputs must be a 2-D array (rows x features)")
        if X.dtype != np.float64:
            if X.dtype.kind not in "fiub":
                raise TypeError("expected real numbers in inputs, got dtype %s" % X.dtype)
            X = X.astype(np.float64)
    raw = _native.spray(A, count, _whole("neighbors", neighbors, 1),
                        _whole("eigenvalues", eigenvalues, 2), normalize,
                        _whole("seed", seed, 0), X, _whole("restarts", restarts, 1),
                        _whole("prototypes", prototypes, 0))
    return Spray(raw, names, index)


__all__: Sequence[str] = ["spray", "Spray", "ClusterSummary"]
