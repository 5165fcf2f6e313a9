"""``Explainer.evaluate``: feature flipping recomputed in NumPy, bit for bit with the
command line's ``evaluate --curves``, and the errors it raises."""

import csv
import io

import numpy as np
import pytest

import neuralize
from conftest import fixture, read_table

METHODS = ["default", "occlusion", "gradient-x-input"]


def _fixture(name):
    ex = neuralize.load(fixture(name, "json"))
    _, X = read_table(fixture(name, "input.csv"))
    _, train = read_table(fixture(name, "train.csv"))
    return ex, X, train


def _mean_imputation_areas(ex, X, reference_mean, relevance, output, prediction):
    """Each kept row's normalized area: features replaced by the reference mean in the
    order of relevance (largest first, ties by index), the output clipped at 0."""
    d = X.shape[1]
    areas = []
    for r in np.flatnonzero(output > 0):
        order = np.argsort(-relevance[r], kind="stable")
        points = np.repeat(X[r][None], d + 1, axis=0)
        for k, i in enumerate(order):
            points[k + 1:, i] = reference_mean[i]
        cluster = int(prediction[r]) if ex.kind == "kmeans" else None
        curve = np.maximum(ex.score(points, cluster=cluster).output, 0.0)
        areas.append(np.sum((curve[1:] + curve[:-1]) / 2) / (d * output[r]))
    return np.array(areas)


@pytest.mark.parametrize("name", ["ocsvm_breast_cancer", "ocsvm_digits_rbf", "kmeans_wine"])
def test_mean_imputation_matches_a_numpy_flip(name):
    ex, X, train = _fixture(name)
    ev = ex.evaluate(X, train, METHODS, draws=2)
    mean = train.mean(axis=0)
    reference = ex.with_reference(mean)
    for m, method in enumerate(METHODS):
        e = reference.explain(X, method)
        areas = _mean_imputation_areas(ex, X, mean, e.relevance, e.output, e.prediction)
        assert ev.rows == len(areas) and ev.input_rows == len(X)
        np.testing.assert_allclose(ev.row_areas[0][m], areas, rtol=1e-10, atol=1e-12)
        assert ev.area[m, 0] == pytest.approx(areas.mean(), rel=1e-12)
        assert ev.area[m, 1] == pytest.approx(ev.row_areas[1][m].mean(), rel=1e-12)
        assert ev.curves[0][m].shape == (X.shape[1] + 1,) and ev.curves[0][m][0] == pytest.approx(1.0)


def test_random_relevance_is_the_least_faithful_and_gaps_are_against_the_others():
    ex, X, train = _fixture("ocsvm_breast_cancer")
    ev = ex.evaluate(X, train, ["default", "occlusion", "random"], draws=3)
    assert ev.best() != "random" and ev.best("marginal") != "random"
    for column, gaps in enumerate(ev.gaps):
        for m in range(3):
            others = min(ev.area[k, column] for k in range(3) if k != m)
            point, low, high = gaps[m]
            assert point == pytest.approx(ev.area[m, column] / others - 1, rel=1e-9)
            assert low <= point <= high
    assert ev.gaps[0][2][1] > 0.02  # random is demonstrably more than 2 % behind
    table = ev.to_pandas()
    assert list(table.index) == ["default", "occlusion", "random"]
    assert list(table.columns) == ["auc_mean", "auc_marginal", "us_per_row", "gap_mean",
                                   "gap_mean_low", "gap_mean_high", "gap_marginal",
                                   "gap_marginal_low", "gap_marginal_high"]
    assert (table["us_per_row"] > 0).all()
    assert "random" in str(ev) and "best (mean)" in repr(ev)


def test_bit_for_bit_with_the_command_line(cli, tmp_path):
    name = "kmeans_wine"
    ex, X, train = _fixture(name)
    ev = ex.evaluate(X, train, ["default", "integrated-gradients", "shapley-sampling"],
                     draws=3, seed=7, samples=8, steps=16)
    curves = tmp_path / "curves.csv"
    cli("evaluate", "-m", fixture(name, "json"), "-i", fixture(name, "input.csv"),
        "--reference", fixture(name, "train.csv"), "--methods",
        "default,integrated-gradients,shapley-sampling", "--draws", "3", "--seed", "7",
        "--samples", "8", "--steps", "16", "--curves", str(curves))
    rows = list(csv.DictReader(io.StringIO(curves.read_text())))
    for m, method in enumerate(["default", "integrated-gradients", "shapley-sampling"]):
        for column, imputation in enumerate(["mean", "marginal"]):
            expected = [float(r["mean_output"]) for r in rows
                        if r["method"] == method and r["imputation"] == imputation]
            np.testing.assert_array_equal(ev.curves[column][m], expected)


def test_the_seed_moves_only_the_marginal_draws():
    ex, X, train = _fixture("kmeans_wine")
    a = ex.evaluate(X, train, ["occlusion"], draws=2, seed=1)
    b = ex.evaluate(X, train, ["occlusion"], draws=2, seed=1)
    c = ex.evaluate(X, train, ["occlusion"], draws=2, seed=2)
    np.testing.assert_array_equal(a.area, b.area)
    assert a.area[0, 0] == c.area[0, 0] and a.area[0, 1] != c.area[0, 1]


def test_log_odds_target_flips_the_mixtures_log_odds():
    ex = neuralize.load(fixture("gmm_iris_full", "json"))
    _, X = read_table(fixture("gmm_iris_full", "input.csv"))
    ev = ex.evaluate(X, X, ["default", "occlusion"], target="log-odds", draws=2)
    log_odds = ex.with_target("log-odds").score(X).output
    assert ev.rows == int(np.sum(log_odds > 0)) and ev.rows > 0
    plain = ex.evaluate(X, X, ["default"], draws=2)
    assert plain.rows == int(np.sum(ex.score(X).output > 0))


def test_bad_arguments_raise_value_errors_naming_them():
    ex, X, train = _fixture("kmeans_wine")
    with pytest.raises(ValueError, match="draws"):
        ex.evaluate(X, train, ["default"], draws=0)
    with pytest.raises(ValueError, match="no-such-method"):
        ex.evaluate(X, train, ["default", "no-such-method"])
    with pytest.raises(ValueError, match="reference"):
        ex.evaluate(X, train[:, 1:], ["default"])
    holed = train.copy()
    holed[3, 1] = np.nan
    with pytest.raises(ValueError, match="reference"):
        ex.evaluate(X, holed, ["default"])
    with pytest.raises(ValueError, match="reference"):
        ex.evaluate(X, train[:0], ["default"])
    with pytest.raises(ValueError, match="imputation"):
        ex.evaluate(X, train, ["default"], draws=1).best("median")
    detector, Y, reference = _fixture("ocsvm_breast_cancer")
    inliers = reference[detector.score(reference).output <= 0]
    with pytest.raises(ValueError, match="positive"):
        detector.evaluate(inliers, reference, ["default"])


def test_methods_may_be_one_comma_separated_string():
    ex, X, train = _fixture("kmeans_wine")
    ev = ex.evaluate(X, train, "default, occlusion", draws=1)
    assert ev.methods == ["default", "occlusion"]
