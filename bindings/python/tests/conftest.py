"""Shared helpers of the Python tests: the repository's fixtures and the command line."""

import csv
import os
import shutil
import subprocess

import numpy as np
import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
MODELS = os.path.join(REPO, "models")

# Every shipped fixture (the list of tests/library/common.rs).
FIXTURES = [
    "ocsvm_breast_cancer", "ocsvm_breast_cancer_raw", "ocsvm_digits_laplacian",
    "ocsvm_digits_rbf", "ocsvm_blobs", "kde_iris", "kde_wine", "kde_digits", "kmeans_iris",
    "kmeans_wine", "kmeans_digits", "kmeans_blobs",
]


def fixture(name, suffix):
    return os.path.join(MODELS, "%s.%s" % (name, suffix))


def read_table(path):
    """(header, float64 matrix) of a numeric CSV with a header, read plainly."""
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], np.array([[float(v) for v in r] for r in rows[1:]], dtype=np.float64)


def assert_close(actual, expected, tol, what):
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, what
    err = np.abs(actual - expected) / np.maximum(1.0, np.abs(expected))
    worst = float(err.max(initial=0.0))
    assert worst <= tol, "%s: max relative error %.3g > %.3g" % (what, worst, tol)


def assert_conserves(e, what, tol=1e-9):
    assert_close(e.relevance.sum(axis=1), e.output, tol, what + ": conservation")


def cli_binary():
    """The command line built by `cargo build --release` / `cargo test --release`, or on
    PATH; None when neither exists."""
    env = os.environ.get("NEURALIZE_BIN")
    if env:
        return env
    built = os.path.join(REPO, "target", "release", "neuralize")
    if os.path.exists(built):
        return built
    return shutil.which("neuralize")


@pytest.fixture
def cli():
    exe = cli_binary()
    if exe is None:
        pytest.skip("the neuralize command line is not built (cargo build --release)")

    def run(*args):
        out = subprocess.run([exe, *args], check=True, capture_output=True, text=True)
        return out.stdout

    return run
