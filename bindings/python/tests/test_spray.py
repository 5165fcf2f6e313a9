"""neuralize.spray: the library's SpRAy through the extension, against the command line."""

import os

import numpy as np
import pytest

import neuralize
from conftest import read_table


def _groups(n_per=25, seed=0):
    """Three groups of relevance rows, each concentrated on its own pair of features, rows
    shuffled; returns (R, true labels)."""
    rng = np.random.default_rng(seed)
    R = 0.02 * rng.random((3 * n_per, 9))
    truth = np.repeat(np.arange(3), n_per)
    for g in range(3):
        R[truth == g, 3 * g:3 * g + 3] += 1.0 + 0.1 * rng.random((n_per, 3))
    order = rng.permutation(len(R))
    return R[order], truth[order]


def _ari(a, b):
    from sklearn.metrics import adjusted_rand_score

    return adjusted_rand_score(a, b)


def test_well_separated_groups_are_recovered():
    R, truth = _groups()
    s = neuralize.spray(R, clusters="auto")
    assert s.n_clusters == 3 and s.rule in ("jump", "eigengap")
    assert _ari(s.labels, truth) == 1.0
    assert s.labels.dtype.kind == "i" and s.embedding.shape == (len(R), 2)
    assert sorted(c.size for c in s.clusters) == [25, 25, 25]
    for c in s.clusters:
        members = np.flatnonzero(s.labels == c.cluster)
        np.testing.assert_allclose(c.mean_relevance, R[members].mean(axis=0), rtol=1e-12)
        assert set(c.prototypes) <= set(members.tolist())
        # the group's own features lead its mean relevance
        g = int(np.bincount(truth[members]).argmax())
        assert set(c.top_features(3)) == {"x%d" % j for j in range(3 * g, 3 * g + 3)}
    assert s.gap is not None and s.gap > 0
    assert np.all(np.diff(s.eigenvalues) >= -1e-12)
    frame = s.to_pandas()
    assert list(frame.columns) == ["cluster", "embedding_0", "embedding_1"]


def test_given_number_of_clusters_and_layouts_agree():
    R, truth = _groups(seed=1)
    s = neuralize.spray(R, clusters=3, neighbors=8, eigenvalues=16, seed=4)
    assert s.rule == "given" and _ari(s.labels, truth) == 1.0
    fortran = neuralize.spray(np.asfortranarray(R), clusters=3, neighbors=8, eigenvalues=16,
                              seed=4)
    np.testing.assert_array_equal(fortran.labels, s.labels)
    np.testing.assert_array_equal(fortran.embedding, s.embedding)
    single = R.astype(np.float32)
    t = neuralize.spray(single, clusters=3, neighbors=8, eigenvalues=16, seed=4)
    u = neuralize.spray(single.astype(np.float64), clusters=3, neighbors=8, eigenvalues=16,
                        seed=4)
    np.testing.assert_array_equal(t.labels, u.labels)
    strided = np.repeat(R, 2, axis=1)[:, ::2]
    assert not strided.flags.c_contiguous
    t = neuralize.spray(strided, clusters=3, neighbors=8, eigenvalues=16, seed=4)
    np.testing.assert_array_equal(t.labels, s.labels)
    np.testing.assert_array_equal(t.embedding, s.embedding)


def test_explanation_and_dataframe_inputs(tmp_path):
    pd = pytest.importorskip("pandas")
    from sklearn.cluster import KMeans

    R, truth = _groups(seed=2)
    X = R * 3.0 + 1.0
    ex = neuralize.Explainer(KMeans(n_clusters=3, n_init=3, random_state=0).fit(X))
    e = ex.explain(pd.DataFrame(X, columns=["f%d" % j for j in range(9)]))
    a = neuralize.spray(e, clusters=2)
    b = neuralize.spray(e.to_pandas(), clusters=2)
    np.testing.assert_array_equal(a.labels, b.labels)
    assert a.feature_names == b.feature_names == ["f%d" % j for j in range(9)]
    # an Explanation brings its inputs: each cluster's mean input
    for c in a.clusters:
        np.testing.assert_allclose(c.mean_input, X[a.labels == c.cluster].mean(axis=0),
                                   rtol=1e-12)
    assert list(a.summary_frame().columns[:2]) == ["size", "prototypes"]


@pytest.mark.parametrize("args", [
    [],
    ["--clusters", "3", "--neighbors", "6", "--eigenvalues", "12", "--seed", "7"],
    ["--normalize", "abs", "--clusters", "4"],
])
def test_same_as_the_command_line(cli, tmp_path, args):
    R, _ = _groups(seed=3)
    R[:, 0] -= 0.05  # some negative relevance, so that the normalizations differ
    path = os.path.join(tmp_path, "explain.csv")
    header = ",".join("R_x%d" % j for j in range(R.shape[1]))
    np.savetxt(path, R, delimiter=",", header=header, comments="", fmt="%.17g")
    out = os.path.join(tmp_path, "clusters.csv")
    cli("spray", "--relevance", path, "--output", out, *args)
    cols, table = read_table(out)
    assert cols == ["cluster", "embedding_0", "embedding_1"]
    options = dict(zip(args[::2], args[1::2]))
    s = neuralize.spray(R, clusters=options.get("--clusters", "auto"),
                        neighbors=int(options.get("--neighbors", 10)),
                        eigenvalues=int(options.get("--eigenvalues", 32)),
                        normalize=options.get("--normalize", "l1"),
                        seed=int(options.get("--seed", 0)))
    np.testing.assert_array_equal(s.labels, table[:, 0].astype(np.int64))
    np.testing.assert_allclose(s.embedding, table[:, 1:], rtol=0, atol=1e-12)


@pytest.mark.parametrize("bad, match", [
    ("nan", "NaN|nan|finite"),
    ("one_row", "at least 2 rows"),
    ("few_rows", "neighbours"),
    ("identical", "identical"),
    ("clusters_0", "at least 1"),
    ("normalize", "normalization"),
    ("too_many_clusters", "eigenvectors"),
    ("inputs_rows", "input rows"),
])
def test_hostile_inputs_raise_value_error(bad, match):
    R, _ = _groups()
    kwargs = {}
    if bad == "nan":
        R[17, 4] = np.nan
    elif bad == "one_row":
        R = R[:1]
    elif bad == "few_rows":
        R = R[:8]
    elif bad == "identical":
        R = np.ones((20, 3))
    elif bad == "clusters_0":
        kwargs["clusters"] = 0
    elif bad == "normalize":
        kwargs["normalize"] = "l3"
    elif bad == "too_many_clusters":
        kwargs.update(clusters=40, eigenvalues=8)
    elif bad == "inputs_rows":
        kwargs["inputs"] = np.zeros((3, 2))
    with pytest.raises(ValueError, match=match):
        neuralize.spray(R, **kwargs)


def test_wrong_types_raise_type_error():
    R, _ = _groups()
    with pytest.raises(TypeError):
        neuralize.spray(R, clusters=2.5)
    with pytest.raises(TypeError):
        neuralize.spray(np.array([["a", "b"], ["c", "d"]]))
    with pytest.raises(ValueError):
        neuralize.spray(R[0])
