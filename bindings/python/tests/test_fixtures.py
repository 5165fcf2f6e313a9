"""The binding against the committed fixtures (models/*.expected*.csv from the NumPy oracle
and scikit-learn) and, bit for bit, against the command line on the same rows."""

import csv
import io
import json

import numpy as np
import pytest

import neuralize
from conftest import FIXTURES, assert_close, assert_conserves, fixture, read_table

TOL = 1e-8  # the library's fixture tolerance, relative to max(1, |value|)


def _inputs(name, ex):
    header, X = read_table(fixture(name, "input.csv"))
    if ex.feature_names is not None:
        assert header == ex.feature_names
    return header, X


def _check(name, suffix, method, **options):
    ex = neuralize.load(fixture(name, "json"))
    _, X = _inputs(name, ex)
    e = ex.explain(X, method, **options)
    header, expected = read_table(fixture(name, suffix))
    what = "%s (%s)" % (name, suffix)
    if ex.kind == "kmeans":
        assert e.prediction.dtype == np.int64
        np.testing.assert_array_equal(e.prediction, expected[:, 0].astype(np.int64), what)
    else:
        assert_close(e.prediction, expected[:, 0], TOL, what + ": " + header[0])
    assert_close(e.output, expected[:, 1], TOL, what + ": " + header[1])
    assert_close(e.relevance, expected[:, 2:], TOL, what + ": relevance")
    assert_conserves(e, what)
    assert list(e.to_pandas().columns) == header


@pytest.mark.parametrize("name", FIXTURES)
def test_published_rules_match_the_oracle(name):
    _check(name, "expected.csv", "neon")


@pytest.mark.parametrize("name", [n for n in FIXTURES if not n.startswith("kmeans")])
def test_beta_2_matches_the_oracle(name):
    _check(name, "expected_beta2.csv", "neon", beta=2.0)
    _check(name, "expected_beta2.csv", "neon@2")


@pytest.mark.parametrize("name", [n for n in FIXTURES if n.startswith("kmeans")])
def test_fixed_cluster_matches_the_oracle(name):
    _check(name, "expected_cluster0.csv", "neon", cluster=0)


KERNEL_FIXTURES = [n for n in FIXTURES if n.startswith(("ocsvm", "kde"))]


@pytest.mark.parametrize("name", KERNEL_FIXTURES)
def test_the_kernel_default_is_neon_pick_on_rbf_and_neon_path_on_laplacian(name):
    # The kernel from the model file itself; rbf models default to neon-pick@1 (its oracle:
    # scripts/neon_oracle_pick.py), laplacian ones to neon-path@1.
    with open(fixture(name, "json")) as fh:
        (kernel,) = json.load(fh)["kernel"].keys()
    method, suffix = {"rbf": ("neon-pick@1", "expected_pick.csv"),
                      "laplacian": ("neon-path@1", "expected_path.csv")}[kernel]
    ex = neuralize.load(fixture(name, "json"))
    _, X = _inputs(name, ex)
    default, named = ex.explain(X), ex.explain(X, method)
    np.testing.assert_array_equal(default.output, named.output)
    np.testing.assert_array_equal(default.relevance, named.relevance)
    _check(name, suffix, "default")


@pytest.mark.parametrize("name", [n for n in FIXTURES if n.startswith("kmeans")])
def test_the_kmeans_default_is_neon_spread(name):
    # Its oracle: scripts/neon_oracle_kmeans_spread.py.
    ex = neuralize.load(fixture(name, "json"))
    _, X = _inputs(name, ex)
    default, named = ex.explain(X), ex.explain(X, "neon-spread@auto")
    np.testing.assert_array_equal(default.output, named.output)
    np.testing.assert_array_equal(default.relevance, named.relevance)
    _check(name, "expected_spread.csv", "default")


@pytest.mark.parametrize("name", FIXTURES)
def test_predictions_match_scikit_learn(name):
    ex = neuralize.load(fixture(name, "json"))
    _, X = _inputs(name, ex)
    s = ex.score(X)
    header, sk = read_table(fixture(name, "sklearn.csv"))
    if ex.kind == "one_class_svm":
        assert header[0] == "decision_function"
        assert_close(s.prediction, sk[:, 0], 1e-9, name)
    elif ex.kind == "kernel_density":
        assert header[1] == "exact_log_density"
        assert_close(s.prediction, sk[:, 1], 1e-9, name)
    else:
        np.testing.assert_array_equal(s.prediction, sk[:, 0].astype(np.int64))


def _cli_table(text):
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], np.array([[float(v) for v in r] for r in rows[1:]])


@pytest.mark.parametrize("name", FIXTURES)
@pytest.mark.parametrize("method,cli_args", [("default", []),
                                             ("neon", ["--rule", "neon"]),
                                             ("occlusion", ["--method", "occlusion"])])
def test_bit_for_bit_with_the_command_line(cli, name, method, cli_args):
    ex = neuralize.load(fixture(name, "json"))
    _, X = _inputs(name, ex)
    e = ex.explain(X, method)
    header, table = _cli_table(cli("explain", "-m", fixture(name, "json"), "-i",
                                   fixture(name, "input.csv"), "-o", "-", "--quiet",
                                   *cli_args))
    assert header == list(e.to_pandas().columns)
    # The command line writes the shortest text that reads back to the same f64.
    np.testing.assert_array_equal(e.prediction, table[:, 0])
    np.testing.assert_array_equal(e.output, table[:, 1])
    np.testing.assert_array_equal(e.relevance, table[:, 2:])


@pytest.mark.parametrize("name", FIXTURES)
def test_default_method_and_reason_are_the_command_lines(cli, name):
    ex = neuralize.load(fixture(name, "json"))
    info = json.loads(cli("info", "-m", fixture(name, "json"), "--json"))
    assert ex.default_method == info["default_method"]
    assert ex.default_reason == info["default_method_reason"]
    # explain(X) with no method runs it.
    _, X = _inputs(name, ex)
    np.testing.assert_array_equal(ex.explain(X).relevance,
                                  ex.explain(X, ex.default_method).relevance)


def test_a_tuned_model_names_its_stored_method(tmp_path):
    model = json.load(open(fixture("ocsvm_breast_cancer", "json")))
    model["method"] = {"name": "neon-path@1", "reason": "chosen for this test"}
    ex = neuralize.Explainer(model)
    assert ex.default_method == "neon-path@1"
    assert ex.default_reason == "chosen for this test"
    assert repr(ex) == ("<neuralize.Explainer one_class_svm, 30 features, "
                        "default method neon-path@1>")


def test_save_and_load_keep_the_model(tmp_path):
    ex = neuralize.load(fixture("kmeans_iris", "json"))
    path = tmp_path / "m.json"
    ex.save(path)
    again = neuralize.load(path)
    assert again.to_dict() == ex.to_dict()
    with open(fixture("kmeans_iris", "json")) as fh:
        original = json.load(fh)
    assert again.to_dict()["centroids"] == original["centroids"]
    _, X = read_table(fixture("kmeans_iris", "input.csv"))
    np.testing.assert_array_equal(again.explain(X).relevance, ex.explain(X).relevance)
