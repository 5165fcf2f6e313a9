"""Classifiers in Python: class labels, the log-odds target and per-layer rules, as the
command line's --class, --target and --layer-rule (bit for bit), and scikit-learn MLPs."""

import csv
import io

import numpy as np
import pytest

import neuralize
from conftest import assert_close, assert_conserves, fixture, read_table


def _iris():
    ex = neuralize.load(fixture("mlp_iris", "json"))
    _, X = read_table(fixture("mlp_iris", "input.csv"))
    return ex, X


def test_layer_rule_rebuilds_the_tutorial_composite():
    ex, X = _iris()
    rebuilt = ex.explain(X, "uniform", linear_rule="lrp0", layer_rule="0=zb,1=gamma=0.25")
    tutorial = ex.explain(X, "tutorial")
    _, expected = read_table(fixture("mlp_iris", "expected_tutorial.csv"))
    assert_close(tutorial.relevance, expected[:, 2:], 1e-8, "tutorial against the oracle")
    assert_close(rebuilt.relevance, tutorial.relevance, 1e-12, "overrides = tutorial")
    # An override changes the layer it names.
    flat = ex.explain(X, "gamma-zb", layer_rule="0=flat")
    assert np.abs(flat.relevance - ex.explain(X, "gamma-zb").relevance).max() > 1e-6


@pytest.mark.parametrize("method,needle", [("default", "layer-wise"),
                                           ("occlusion", "layer-rule")])
def test_layer_rule_is_refused_where_it_does_not_apply(method, needle):
    ex, X = _iris()
    with pytest.raises(ValueError, match=needle):
        ex.explain(X, method, layer_rule="0=flat")


def test_class_and_target_match_the_command_line(cli):
    ex, X = _iris()
    label = ex.classes[2]
    e = ex.explain(X, class_=label, target="log-odds")
    text = cli("explain", "-m", fixture("mlp_iris", "json"), "-i",
               fixture("mlp_iris", "input.csv"), "-o", "-", "--quiet",
               "--class", str(label), "--target", "log-odds")
    rows = list(csv.reader(io.StringIO(text)))
    table = np.array([[float(v) for v in r] for r in rows[1:]])
    assert rows[0] == list(e.to_pandas().columns)
    np.testing.assert_array_equal(e.output, table[:, 1])
    np.testing.assert_array_equal(e.relevance, table[:, 2:])
    assert_conserves(e, "log-odds of class %s" % label)
    # The target is a copy's setting: the explainer itself still explains logits.
    assert ex.explain(X).output_name == ex.output_name


def test_unknown_class_and_target_are_clear_errors():
    ex, X = _iris()
    with pytest.raises(ValueError, match='unknown class "40"'):
        ex.explain(X, class_=40)
    with pytest.raises(ValueError, match="target"):
        ex.explain(X, target="probability")
    kmeans = neuralize.load(fixture("kmeans_iris", "json"))
    assert kmeans.classes is None
    with pytest.raises(ValueError, match="no classes"):
        kmeans.explain(X, class_=0)


def test_scikit_learn_mlps_verify():
    sklearn = pytest.importorskip("sklearn")
    from sklearn.datasets import make_classification, make_regression
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    assert sklearn is not None
    X, y = make_classification(n_samples=300, n_features=8, n_informative=5, n_classes=3,
                               random_state=0)
    clf = make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(16,), max_iter=300, random_state=0))
    Xr, yr = make_regression(n_samples=300, n_features=6, random_state=0)
    reg = MLPRegressor(hidden_layer_sizes=(8,), max_iter=300, random_state=0)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence warnings of the short fits
        clf.fit(X[:200], y[:200])
        reg.fit(Xr[:200], yr[:200])
    for est, train, rows in [(clf, X[:200], X[200:]), (reg, Xr[:200], Xr[200:])]:
        ex = neuralize.Explainer(est, X_train=train)
        report = ex.verify(rows)
        assert report["ok"], report
        assert report["mismatches"] == 0
    ex = neuralize.Explainer(clf, X_train=X[:200])
    assert [int(c) for c in ex.classes] == [0, 1, 2]
    # No rows: nothing compared is not "ok" (as `neuralize verify`).
    with pytest.raises(ValueError, match="at least one row"):
        ex.verify(X[:0])
