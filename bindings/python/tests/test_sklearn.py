"""The binding against scikit-learn's own outputs on freshly fitted estimators, conservation,
and the conversion shared with scripts/export_sklearn.py."""

import functools
import importlib.util
import json
import os
import sys

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn.cluster import KMeans, MiniBatchKMeans  # noqa: E402
from sklearn.datasets import load_breast_cancer, load_wine, make_blobs  # noqa: E402
from sklearn.metrics.pairwise import laplacian_kernel  # noqa: E402
from sklearn.neighbors import KernelDensity  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.svm import OneClassSVM  # noqa: E402

import neuralize  # noqa: E402
from conftest import FIXTURES, MODELS, REPO, assert_close, assert_conserves  # noqa: E402

TOL = 1e-9


@pytest.fixture(scope="module")
def data():
    X, _ = make_blobs(n_samples=400, n_features=6, centers=3, random_state=1)
    rng = np.random.RandomState(0)
    held_out = np.vstack([X[300:], rng.uniform(-30, 30, size=(40, 6))])
    return X[:300], held_out


def _ocsvms():
    return [OneClassSVM(gamma=0.05, nu=0.1),
            make_pipeline(StandardScaler(), OneClassSVM(gamma="scale", nu=0.05))]


@pytest.mark.parametrize("est", _ocsvms(), ids=["ocsvm", "pipeline-ocsvm"])
def test_one_class_svm_decision_function(data, est):
    Xtr, X = data
    est.fit(Xtr)
    ex = neuralize.Explainer(est)
    for method in ["default", "neon"]:
        e = ex.explain(X, method)
        f = est.decision_function(X)
        assert_close(e.prediction, f, TOL, "decision_function")
        assert np.all((e.output > 0) == (f < 0)), "outlierness > 0 exactly for outliers"
        assert_conserves(e, method)
    assert ex.verify(X)["ok"]


def test_laplacian_one_class_svm_needs_and_uses_the_training_rows(data):
    Xtr, X = data
    est = OneClassSVM(kernel=functools.partial(laplacian_kernel, gamma=0.05), nu=0.1).fit(Xtr)
    with pytest.raises(ValueError, match="training data"):
        neuralize.Explainer(est)
    ex = neuralize.Explainer(est, X_train=Xtr)
    e = ex.explain(X)
    assert_close(e.prediction, est.decision_function(X), TOL, "decision_function")
    assert_conserves(e, "laplacian")


@pytest.mark.parametrize("scaled", [False, True])
def test_kernel_density_score_samples(data, scaled):
    Xtr, X = data
    kde = KernelDensity(kernel="gaussian", bandwidth=0.8)
    est = make_pipeline(StandardScaler(), kde) if scaled else kde
    est.fit(Xtr)
    ex = neuralize.Explainer(est)
    # In-distribution rows: scikit-learn's tree sum is exact there; far rows drift (see
    # models/kde_*.sklearn.csv), so they are compared by conservation only.
    near = Xtr[:100]
    e = ex.explain(near)
    # With a scaler, score_samples is the density of z = (x - mean) / scale, as
    # neuralize's log_density.
    assert_close(e.prediction, est.score_samples(near), TOL, "score_samples")
    assert_conserves(ex.explain(X), "kde")
    assert_conserves(ex.explain(X, "neon"), "kde neon")


@pytest.mark.parametrize("est", [KMeans(n_clusters=3, n_init=3, random_state=0),
                                 MiniBatchKMeans(n_clusters=4, n_init=3, random_state=0),
                                 make_pipeline(StandardScaler(),
                                               KMeans(n_clusters=3, n_init=3,
                                                      random_state=0))],
                         ids=["kmeans", "minibatch", "pipeline-kmeans"])
def test_kmeans_predict(data, est):
    Xtr, X = data
    est.fit(Xtr)
    ex = neuralize.Explainer(est, X_train=Xtr)
    e = ex.explain(X)
    np.testing.assert_array_equal(e.prediction, est.predict(X))
    assert np.all(e.output >= 0), "the assigned cluster's logit is >= 0"
    assert_conserves(e, "kmeans")
    other = ex.explain(X, "neon", cluster=0)
    assert np.all((other.output >= 0) == (e.prediction == 0))
    assert_conserves(other, "kmeans cluster 0")
    with pytest.raises(ValueError, match="cluster"):
        ex.explain(X, cluster=99)


def test_dataframe_fitted_estimator_keeps_its_column_names():
    pd = pytest.importorskip("pandas")
    wine = load_wine(as_frame=True).frame.drop(columns="target")
    wine.columns = [c.replace("/", "_") for c in wine.columns]
    est = make_pipeline(StandardScaler(), KMeans(n_clusters=3, n_init=3, random_state=0))
    est.fit(wine)
    ex = neuralize.Explainer(est)
    assert ex.feature_names == list(wine.columns)
    shuffled = wine[list(reversed(wine.columns))]
    e = ex.explain(shuffled)
    np.testing.assert_array_equal(e.prediction, est.predict(wine))
    np.testing.assert_array_equal(e.relevance, ex.explain(wine.to_numpy()).relevance)
    frame = e.to_pandas()
    assert list(frame.columns) == ["cluster", "logit"] + ["R_" + c for c in wine.columns]
    assert frame.index.equals(shuffled.index)
    assert isinstance(frame, pd.DataFrame)


def _load_script():
    path = os.path.join(REPO, "scripts", "export_sklearn.py")
    sys.path.insert(0, os.path.dirname(path))
    spec = importlib.util.spec_from_file_location("export_sklearn_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_one_conversion_for_the_script_and_the_package():
    script = _load_script()
    assert script.ExportError is neuralize.ExportError or issubclass(
        script.ExportError, ValueError)
    # The script's fixtures, converted by the package: same parameters as the committed
    # model files.
    done = 0
    for name, est, Xtr, _, names, _ in script._fixture_specs():
        if name not in FIXTURES:
            continue
        ex = neuralize.Explainer(est, X_train=Xtr, feature_names=names)
        with open(os.path.join(MODELS, name + ".json")) as fh:
            shipped = json.load(fh)
        mine = ex.to_dict()
        for key in ["model", "kernel", "support_vectors", "dual_coef", "rho", "points",
                    "centroids", "feature_names", "scaler", "reference", "beta"]:
            if key in shipped:
                got, want = np.asarray(mine[key] if not isinstance(mine[key], dict)
                                       else json.dumps(mine[key], sort_keys=True)), \
                    np.asarray(shipped[key] if not isinstance(shipped[key], dict)
                               else json.dumps(shipped[key], sort_keys=True))
                if got.dtype.kind == "f":
                    assert_close(got, want, 1e-9, "%s: %s" % (name, key))
                else:
                    assert (got == want).all(), "%s: %s" % (name, key)
        done += 1
        if done == len(FIXTURES):
            break  # the detectors' specs that follow need PyOD, which the package does not
    assert done == len(FIXTURES)


@pytest.mark.parametrize("kind", ["full", "tied", "diag", "spherical", "pipeline-full"])
def test_gaussian_mixture_score_samples(data, kind):
    from sklearn.mixture import GaussianMixture

    Xtr, X = data
    gm = GaussianMixture(n_components=3, covariance_type=kind.replace("pipeline-", ""),
                         random_state=0)
    est = make_pipeline(StandardScaler(), gm) if kind.startswith("pipeline") else gm
    est.fit(Xtr)
    ex = neuralize.Explainer(est, X_train=Xtr)
    assert ex.kind == "gaussian_mixture"
    e = ex.explain(X)
    assert_close(e.prediction, est.score_samples(X), TOL, "score_samples")
    assert_close(e.output, -e.prediction, 0.0, "outlierness = -log p")
    assert_conserves(e, "gmm")
    report = ex.verify(X)
    assert report["ok"], report


def test_gaussian_mixture_conversion_is_the_scripts():
    """The committed gmm_* model files are what neuralize.convert writes (the one rule,
    used by scripts/export_detectors.py through scripts/export_sklearn.py)."""
    script = _load_script()
    done = 0
    for name, est, Xtr, _, names, dataset in script._fixture_specs():
        if not name.startswith("gmm_"):
            continue
        mine = neuralize.convert.to_neuralize(est, X_train=Xtr, feature_names=names,
                                              dataset=dataset)
        with open(os.path.join(MODELS, name + ".json")) as fh:
            shipped = json.load(fh)
        _assert_same_model(mine, shipped, name)
        ex = neuralize.Explainer(est, X_train=Xtr, feature_names=names)
        assert ex.verify(Xtr)["ok"], name
        done += 1
        if done == 5:
            break  # the kNN detectors' specs that follow need PyOD
    assert done == 5


def _assert_same_model(mine, shipped, where):
    """The same fields, names and shapes; numbers equal to 1e-9 relative. The fit itself
    (EM with BLAS) rounds differently on another CPU (seen: 2e-12 relative on a nearly
    constant digits pixel); a conversion error (a transpose, a missing scale) is far larger."""
    if isinstance(shipped, dict):
        assert isinstance(mine, dict) and sorted(mine) == sorted(shipped), where
        for key in shipped:
            _assert_same_model(mine[key], shipped[key], "%s.%s" % (where, key))
    elif isinstance(shipped, list):
        assert isinstance(mine, list) and len(mine) == len(shipped), where
        for i, (a, b) in enumerate(zip(mine, shipped)):
            _assert_same_model(a, b, "%s[%d]" % (where, i))
    elif isinstance(shipped, float) and not isinstance(shipped, bool):
        assert isinstance(mine, (int, float)), where
        assert abs(mine - shipped) <= 1e-9 * max(1.0, abs(shipped)), (where, mine, shipped)
    else:
        assert mine == shipped, where


def test_unfitted_gaussian_mixture_is_a_value_error():
    from sklearn.mixture import GaussianMixture

    with pytest.raises(ValueError, match="not fitted"):
        neuralize.Explainer(GaussianMixture(n_components=2))


def _svc_target(est, X, predicted):
    """The decision value of the predicted class, from scikit-learn's one-vs-one decision
    values (binary: decision_function for classes_[1], its negative for classes_[0];
    multiclass: the smallest duel of the class)."""
    import copy

    ovo = copy.deepcopy(est)
    final = ovo.steps[-1][1] if hasattr(ovo, "steps") else ovo
    final.set_params(decision_function_shape="ovo")
    dec = ovo.decision_function(X)
    k = len(est.classes_)
    out = []
    for r, c in enumerate(predicted):
        if k == 2:
            out.append(dec[r] if c == 1 else -dec[r])
            continue
        vals, p = [], 0
        for i in range(k):
            for j in range(i + 1, k):
                if i == c:
                    vals.append(dec[r, p])
                elif j == c:
                    vals.append(-dec[r, p])
                p += 1
        out.append(min(vals))
    return np.array(out)


@pytest.mark.parametrize("kind", ["binary", "pipeline-multiclass", "laplacian"])
def test_svc_predict_and_decision_function(kind):
    from sklearn.svm import SVC

    X, y = make_blobs(n_samples=300, n_features=5, centers=3, cluster_std=4.0, random_state=2)
    if kind == "binary":
        y = (y == 0).astype(int)
        est = SVC(gamma=0.05, C=3.0)
    elif kind == "pipeline-multiclass":
        est = make_pipeline(StandardScaler(), SVC())
    else:
        est = SVC(kernel=functools.partial(laplacian_kernel, gamma=0.1))
    est.fit(X[:240], y[:240])
    held_out = np.vstack([X[240:], X[240] + 1e150])
    if kind == "laplacian":
        with pytest.raises(ValueError, match="training data"):
            neuralize.Explainer(est)
    ex = neuralize.Explainer(est, X_train=X[:240])
    assert ex.kind == "svc"
    classes = list(est.classes_)
    for method in ["default", "neon", "neon-ref", "gradient-x-input"]:
        e = ex.explain(held_out, method)
        want = np.array([classes.index(p) for p in est.predict(held_out)])
        assert (np.asarray(e.prediction) == want).all(), method
        assert_close(e.output, _svc_target(est, held_out, want), TOL, "target")
        if method != "gradient-x-input":
            assert_conserves(e, method)
    assert ex.verify(held_out)["ok"]


def test_svc_conversion_is_the_fixture_scripts():
    """The committed svc_* model files are what neuralize.convert writes."""
    sys.path.insert(0, os.path.join(REPO, "scripts"))
    import export_svc_fixtures

    done = 0
    for name, est, Xtr, _, names, dataset in export_svc_fixtures.specs():
        final = est.steps[-1][1] if hasattr(est, "steps") else est
        final.set_params(decision_function_shape="ovo")
        mine = neuralize.convert.to_neuralize(est, X_train=Xtr, feature_names=names,
                                              dataset=dataset)
        with open(os.path.join(MODELS, name + ".json")) as fh:
            assert mine == json.load(fh), name
        done += 1
    assert done == 4
