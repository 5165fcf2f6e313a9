"""``Evaluation``: how faithful several explainers are on a table, by feature flipping."""

from __future__ import annotations

from typing import Any, List, Optional, Tuple

import numpy as np

#: ``Explainer.evaluate``'s methods unless told otherwise (the command line's list).
ALL_METHODS = ("default", "neon", "occlusion", "gradient-x-input", "sensitivity",
               "integrated-gradients", "taylor", "meaningful-perturbation",
               "shapley-sampling", "random")

#: The imputations, in the order of every per-imputation attribute.
IMPUTATIONS = ("mean", "marginal")

Gap = Optional[Tuple[float, float, float]]


class Evaluation:
    """Feature-flipping faithfulness of several methods on the same rows.

    For every row whose explained output is > 0, the features are replaced in the order of
    a method's relevance, largest first, by the reference rows' mean (``mean``) or by draws
    from their marginals (``marginal``, averaged), and the output is recorded after each
    step, clipped at 0. A row's score is the area under that curve over ``d * output``; a
    method's is the mean over rows: **lower = more faithful**.

    Attributes:
        rows: rows explained (output > 0); input_rows: all rows given.
        methods: the methods' names, in the order given.
        area: methods x 2 mean areas (columns: mean, marginal imputation).
        row_areas: per imputation, methods x rows: each explained row's area.
        curves: per imputation, methods x (d + 1): the mean curve, relative to each row's
            starting output.
        micros_per_row: each method's explanation time per row on one thread (the fastest
            of up to 5 runs).
        gaps: per imputation, one ``(point, low, high)`` per method (or None): the area over
            the lowest of the *other* methods' areas, minus 1 (0.012 is 1.2 % behind;
            negative: ahead of every other), with its 95 % paired bootstrap interval over
            the rows. An interval above +0.02 shows a method more than 2 % behind.
    """

    def __init__(self, raw: dict) -> None:
        self.rows: int = raw["rows"]
        self.input_rows: int = raw["input_rows"]
        self.methods: List[str] = list(raw["methods"])
        self.area: np.ndarray = raw["area"]
        self.row_areas: List[np.ndarray] = [np.asarray(a, dtype=np.float64)
                                            for a in raw["row_areas"]]
        self.curves: List[np.ndarray] = [np.asarray(c, dtype=np.float64)
                                         for c in raw["curves"]]
        self.micros_per_row: np.ndarray = np.asarray(raw["micros_per_row"], dtype=np.float64)
        self.gaps: List[List[Gap]] = [[None if g is None else tuple(g) for g in per]
                                      for per in raw["gaps"]]

    def best(self, imputation: str = "mean") -> str:
        """The method with the lowest mean area under ``imputation`` (``mean`` or
        ``marginal``)."""
        return self.methods[int(np.argmin(self.area[:, _column(imputation)]))]

    def to_pandas(self) -> Any:
        """One row per method: ``auc_mean``, ``auc_marginal``, ``us_per_row``, and per
        imputation ``gap_<imputation>`` with ``_low`` and ``_high`` (fractions; NaN where
        there is no gap)."""
        import pandas as pd

        columns: dict = {"auc_mean": self.area[:, 0], "auc_marginal": self.area[:, 1],
                         "us_per_row": self.micros_per_row}
        for name, per in zip(IMPUTATIONS, self.gaps):
            for k, suffix in enumerate(("", "_low", "_high")):
                columns["gap_%s%s" % (name, suffix)] = [np.nan if g is None else g[k]
                                                        for g in per]
        return pd.DataFrame(columns, index=pd.Index(self.methods, name="method"))

    def __str__(self) -> str:
        lines = ["rows explained (output > 0): %d of %d" % (self.rows, self.input_rows),
                 "%-28s %10s %10s %10s %10s" % ("method", "AUC mean", "marginal",
                                                "gap mean", "marginal")]
        for m, name in enumerate(self.methods):
            cells = ["-" if g[m] is None else "%+.1f%%" % (100 * g[m][0]) for g in self.gaps]
            lines.append("%-28s %10.4f %10.4f %10s %10s" % (name, self.area[m, 0],
                                                            self.area[m, 1], *cells))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return "<neuralize.Evaluation: %d methods on %d of %d rows, best (mean) %s>" % (
            len(self.methods), self.rows, self.input_rows, self.best())


def _column(imputation: str) -> int:
    if imputation not in IMPUTATIONS:
        raise ValueError("imputation must be 'mean' or 'marginal', got %r" % (imputation,))
    return IMPUTATIONS.index(imputation)
