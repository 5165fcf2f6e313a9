"""Layouts, dtypes and DataFrames in; hostile inputs raise the right Python exception."""

import numpy as np
import pytest

import neuralize
from conftest import fixture, read_table


@pytest.fixture(scope="module")
def ex():
    return neuralize.load(fixture("ocsvm_breast_cancer", "json"))


@pytest.fixture(scope="module")
def X():
    return read_table(fixture("ocsvm_breast_cancer", "input.csv"))[1]


def test_layouts_and_dtypes_give_the_same_relevance(ex, X):
    base = ex.explain(X)
    assert base.inputs is X, "float64 rows reach the library without a copy"
    fortran = np.asfortranarray(X)
    assert ex.explain(fortran).inputs is fortran
    for variant in [np.asfortranarray(X), X[::-1][::-1], np.ascontiguousarray(X),
                    X.astype(">f8")]:
        np.testing.assert_array_equal(ex.explain(variant).relevance, base.relevance)
    np.testing.assert_array_equal(ex.explain(X[::-1, ::-1]).relevance,
                                  ex.explain(np.ascontiguousarray(X[::-1, ::-1])).relevance)
    wide = np.zeros((X.shape[0], 2 * X.shape[1]))
    wide[:, ::2] = X
    strided = wide[:, ::2]
    assert not strided.flags.c_contiguous and not strided.flags.f_contiguous
    np.testing.assert_array_equal(ex.explain(strided).relevance, base.relevance)
    f32 = X.astype(np.float32)
    np.testing.assert_array_equal(ex.explain(f32).relevance,
                                  ex.explain(f32.astype(np.float64)).relevance)
    ints = np.rint(X).astype(np.int64)
    np.testing.assert_array_equal(ex.explain(ints).output,
                                  ex.explain(ints.astype(np.float64)).output)
    zero = ex.explain(X[:0])
    assert zero.relevance.shape == (0, X.shape[1]) and zero.output.shape == (0,)


def test_dataframe_columns_by_name(ex, X):
    pd = pytest.importorskip("pandas")
    names = ex.feature_names
    df = pd.DataFrame(X, columns=names, index=np.arange(100, 100 + len(X)))
    base = ex.explain(X)
    np.testing.assert_array_equal(ex.explain(df).relevance, base.relevance)
    np.testing.assert_array_equal(ex.explain(df[names[::-1]]).relevance, base.relevance)
    assert list(ex.explain(df).to_pandas().index) == list(df.index)
    with pytest.raises(ValueError, match="lacks the model's feature"):
        ex.explain(df.drop(columns=names[3]))
    extra = df.assign(label=1)
    with pytest.raises(ValueError, match="ignore_extra"):
        ex.explain(extra)
    np.testing.assert_array_equal(ex.explain(extra, ignore_extra=True).relevance,
                                  base.relevance)
    with pytest.raises(ValueError, match="not a number"):
        ex.explain(df.assign(**{names[0]: "x"}))
    nullable = df.astype("Float64")
    nullable.iloc[4, 2] = pd.NA
    with pytest.raises(ValueError, match="row 4: column 2"):
        ex.explain(nullable)


@pytest.mark.parametrize("bad,exception,message", [
    (np.zeros((3, 29)), ValueError, "29 columns, but the model has 30 features"),
    (np.zeros(30), ValueError, "2-D"),
    (np.zeros((2, 3, 30)), ValueError, "2-D"),
    (np.full((2, 30), "a"), TypeError, "real numbers"),
    (np.zeros((2, 30), dtype=complex), TypeError, "real numbers"),
])
def test_bad_shapes_and_dtypes(ex, bad, exception, message):
    with pytest.raises(exception, match=message):
        ex.explain(bad)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_values_name_row_and_column(ex, X, value):
    bad = X.copy()
    bad[7, 5] = value
    with pytest.raises(ValueError, match="row 7: column 5"):
        ex.explain(bad)
    with pytest.raises(ValueError, match="row 7: column 5"):
        ex.score(bad)


def test_huge_finite_rows_are_not_an_exception(ex, X):
    far = np.full((2, X.shape[1]), 1e150)
    e = ex.explain(far)
    assert np.all(np.isfinite(e.output)) and np.all(np.isfinite(e.relevance))


@pytest.mark.parametrize("kwargs,message", [
    ({"method": "nope"}, "nope"),
    ({"beta": -1.0}, "beta"),
    ({"beta": "fast"}, "beta"),
    ({"method": "neon", "linear_rule": "bogus"}, "bogus"),
    ({"cluster": -1}, "cluster"),
    ({"seed": 2**70}, "seed"),
    ({"method": "integrated-gradients", "steps": 0}, "steps"),
])
def test_bad_options_are_value_errors(ex, X, kwargs, message):
    with pytest.raises(ValueError, match=message):
        ex.explain(X, **kwargs)


def test_bad_models():
    with pytest.raises(FileNotFoundError):
        neuralize.load("/nonexistent/model.json")
    with pytest.raises(ValueError, match="format"):
        neuralize.Explainer({"format": "other", "model": "kmeans"})
    with pytest.raises(ValueError, match="centroids"):
        neuralize.Explainer({"format": "neuralize/1", "model": "kmeans",
                             "centroids": [[0.0, 1.0], [1.0]]})
    with pytest.raises(TypeError, match="builtins.int.*OneClassSVM"):
        neuralize.Explainer(3)


def test_unsupported_estimators_raise_type_error():
    sklearn = pytest.importorskip("sklearn")  # noqa: F841
    from sklearn.decomposition import PCA
    from sklearn.ensemble import IsolationForest
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import OneClassSVM

    X = np.random.RandomState(0).normal(size=(50, 3))
    with pytest.raises(TypeError, match="IsolationForest.*OneClassSVM"):
        neuralize.Explainer(IsolationForest(random_state=0).fit(X))
    with pytest.raises(TypeError, match="PCA.*OneClassSVM"):
        neuralize.Explainer(make_pipeline(PCA(2), OneClassSVM()).fit(X))
    with pytest.raises(ValueError, match="poly"):
        neuralize.Explainer(OneClassSVM(kernel="poly").fit(X))
    with pytest.raises(ValueError, match="not fitted"):
        neuralize.Explainer(OneClassSVM())


def test_two_threads_explaining_at_once(ex, X):
    """Two threads explaining at once (the GIL is released inside) get the results of one
    at a time."""
    import threading

    big = np.tile(X, (200, 1))
    want = ex.explain(big).relevance
    results = [None, None]

    def run(i):
        results[i] = ex.explain(big).relevance

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in results:
        np.testing.assert_array_equal(r, want)


def test_help_is_useful():
    doc = neuralize.Explainer.explain.__doc__
    assert "relevance" in doc and "beta" in doc
    assert "outlierness" in neuralize.Explainer.__doc__


def test_polars_columns_by_name(ex, X):
    pl = pytest.importorskip("polars")
    names = ex.feature_names
    df = pl.DataFrame({n: X[:, i] for i, n in enumerate(names)})
    base = ex.explain(X)
    np.testing.assert_array_equal(ex.explain(df).relevance, base.relevance)
    np.testing.assert_array_equal(ex.explain(df.select(names[::-1])).relevance,
                                  base.relevance)
    with pytest.raises(ValueError, match="lacks the model's feature"):
        ex.explain(df.drop(names[0]))
