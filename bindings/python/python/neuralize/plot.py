"""Notebook pictures of an :class:`~neuralize.Explanation` (matplotlib, optional).

Relevance is red when positive (evidence for the explained output), blue when negative,
white at 0, on a scale symmetric around 0, as the command line's ``neuralize plot``.
Every function returns a ``matplotlib.figure.Figure``.
"""

from __future__ import annotations

from typing import Any, Optional, Tuple

import numpy as np


def _plt() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("neuralize's plots need matplotlib: pip install matplotlib") from e
    return plt


def _row(e: Any, row: int) -> int:
    n = len(e.output)
    if not -n <= row < n:
        raise IndexError("row %d is out of range for %d rows" % (row, n))
    return row % n


def bars(e: Any, row: int, top: int = 10) -> Any:
    """The ``top`` features of ``row`` with the largest |relevance|, as signed horizontal
    bars; the title gives the explained output and the sum of the bars shown (all features
    together sum to the output for conserving methods)."""
    plt = _plt()
    r = _row(e, row)
    R = e.relevance[r]
    order = np.argsort(-np.abs(R), kind="stable")[:max(1, top)][::-1]
    fig, ax = plt.subplots(figsize=(6, 0.35 * len(order) + 1.2))
    ax.barh([e.feature_names[i] for i in order], R[order],
            color=["#d62728" if R[i] > 0 else "#1f77b4" for i in order])
    ax.axvline(0.0, color="black", linewidth=0.8)
    ax.set_xlabel("relevance")
    ax.set_title("row %d: %s %.4g (bars sum %.4g)"
                 % (r, e.output_name, e.output[r], float(R[order].sum())))
    fig.tight_layout()
    return fig


def heatmap(e: Any, row: int, shape: Tuple[int, int]) -> Any:
    """The input of ``row`` (gray, when the inputs are known) beside its relevance as an
    image of ``shape`` = (height, width), row-major (feature i is pixel (i // W, i % W))."""
    plt = _plt()
    r = _row(e, row)
    h, w = shape
    if h * w != e.relevance.shape[1]:
        raise ValueError("shape %r has %d pixels, the model has %d features"
                         % (shape, h * w, e.relevance.shape[1]))
    R = e.relevance[r].reshape(h, w)
    panels = 2 if e.inputs is not None else 1
    fig, axes = plt.subplots(1, panels, figsize=(3 * panels, 3.3), squeeze=False)
    if e.inputs is not None:
        axes[0, 0].imshow(e.inputs[r].reshape(h, w), cmap="gray_r")
        axes[0, 0].set_title("input")
    m = float(np.max(np.abs(R))) or 1.0
    axes[0, -1].imshow(R, cmap="bwr", vmin=-m, vmax=m)
    axes[0, -1].set_title("relevance")
    for ax in axes[0]:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("row %d: %s %.4g" % (r, e.output_name, e.output[r]))
    fig.tight_layout()
    return fig


def summary(e: Any, top: int = 15, max_points: Optional[int] = 2000, seed: int = 0) -> Any:
    """Two panels over many rows: the mean |relevance| per feature (the ``top`` largest),
    and a beeswarm-style strip of each row's relevance for those features, colored by the
    feature's value (low blue, high red; gray without inputs)."""
    plt = _plt()
    R = e.relevance
    n, d = R.shape
    mean_abs = np.abs(R).mean(axis=0) if n else np.zeros(d)
    order = np.argsort(-mean_abs, kind="stable")[:max(1, top)][::-1]
    rng = np.random.RandomState(seed)
    rows = np.arange(n) if max_points is None or n <= max_points else \
        np.sort(rng.choice(n, max_points, replace=False))
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 0.35 * len(order) + 1.5),
                                      sharey=True)
    names = [e.feature_names[i] for i in order]
    left.barh(names, mean_abs[order], color="#555555")
    left.set_xlabel("mean |relevance|")
    for y, i in enumerate(order):
        vals = R[rows, i]
        jitter = (rng.rand(len(rows)) - 0.5) * 0.6
        if e.inputs is not None and len(rows):
            x = e.inputs[rows, i]
            lo, hi = np.percentile(x, [5, 95])
            c = np.clip((x - lo) / (hi - lo), 0, 1) if hi > lo else np.full(len(x), 0.5)
            right.scatter(vals, y + jitter, c=c, cmap="coolwarm", s=6, vmin=0, vmax=1)
        else:
            right.scatter(vals, y + jitter, color="gray", s=6)
    right.axvline(0.0, color="black", linewidth=0.8)
    right.set_xlabel("relevance (color: feature value, low blue / high red)")
    fig.suptitle("%d rows, %s" % (n, e.method))
    fig.tight_layout()
    return fig
