"""The notebook pictures (skipped without matplotlib)."""

import numpy as np
import pytest

import neuralize
from conftest import fixture, read_table

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


@pytest.fixture(scope="module")
def digits():
    ex = neuralize.load(fixture("ocsvm_digits_rbf", "json"))
    return ex.explain(read_table(fixture("ocsvm_digits_rbf", "input.csv"))[1])


def test_bars_show_the_top_features(digits):
    fig = digits.plot_bars(3, top=5)
    bars = fig.axes[0].patches
    assert len(bars) == 5
    widths = sorted(abs(b.get_width()) for b in bars)
    assert widths[-1] == pytest.approx(np.max(np.abs(digits.relevance[3])))


def test_heatmap_and_summary(tmp_path, digits):
    fig = digits.plot_heatmap(0, shape=(8, 8))
    assert len(fig.axes) == 2
    with pytest.raises(ValueError, match="64 features"):
        digits.plot_heatmap(0, shape=(4, 4))
    with pytest.raises(IndexError):
        digits.plot_bars(10_000)
    fig = digits.plot_summary(top=8)
    fig.savefig(tmp_path / "summary.png")
    assert (tmp_path / "summary.png").stat().st_size > 0
