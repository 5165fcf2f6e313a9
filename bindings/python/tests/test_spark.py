"""The Spark helpers: on pandas / Arrow batches directly, and in a local Spark session when
pyspark is installed (skipped otherwise)."""

import os
import subprocess
import sys

import numpy as np
import pytest

import neuralize
from conftest import REPO, fixture, read_table
from neuralize.spark import explain_in_arrow, explain_in_pandas, output_columns

pd = pytest.importorskip("pandas")


@pytest.mark.parametrize("name", ["ocsvm_breast_cancer", "kmeans_blobs"])
def test_pandas_batches_equal_one_explain(name):
    text = open(fixture(name, "json")).read()
    header, X = read_table(fixture(name, "input.csv"))
    df = pd.DataFrame(X, columns=header).assign(row_id=np.arange(len(X)))
    batches = [df.iloc[:7], df.iloc[7:7], df.iloc[7:]]
    out = pd.concat(list(explain_in_pandas(text, keep=["row_id"])(iter(batches))))
    whole = neuralize.load(fixture(name, "json")).explain(X).to_pandas()
    assert list(out.columns) == ["row_id"] + list(whole.columns)
    assert [c for c, _ in output_columns(text, list(df.columns), keep=["row_id"])] == \
        list(whole.columns)
    np.testing.assert_array_equal(out["row_id"].to_numpy(), np.arange(len(X)))
    np.testing.assert_array_equal(out.drop(columns="row_id").to_numpy(), whole.to_numpy())


def test_arrow_batches_equal_one_explain():
    pa = pytest.importorskip("pyarrow")
    name = "kde_iris"
    text = open(fixture(name, "json")).read()
    header, X = read_table(fixture(name, "input.csv"))
    df = pd.DataFrame(X, columns=header).assign(row_id=np.arange(len(X)))
    batches = [pa.RecordBatch.from_pandas(df.iloc[:20], preserve_index=False),
               pa.RecordBatch.from_pandas(df.iloc[20:], preserve_index=False)]
    out = pa.Table.from_batches(list(explain_in_arrow(text, keep=["row_id"])(iter(batches))))
    whole = neuralize.load(fixture(name, "json")).explain(X).to_pandas()
    np.testing.assert_array_equal(out.to_pandas().drop(columns="row_id").to_numpy(),
                                  whole.to_numpy())


def test_spark_example_in_local_mode(tmp_path, cli):
    """The example's Spark output (CSV part files) equals the command line's on the same
    rows, bit for bit."""
    pytest.importorskip("pyspark")
    pytest.importorskip("pyarrow")
    import glob

    name = "ocsvm_breast_cancer"
    env = dict(os.environ, SPARK_LOCAL_IP="127.0.0.1")
    out = tmp_path / "out"
    subprocess.run([sys.executable, os.path.join(REPO, "examples", "spark_explain.py"),
                    fixture(name, "json"), fixture(name, "input.csv"), str(out)],
                   check=True, env=env, timeout=600)
    parts = [read_table(p) for p in sorted(glob.glob(str(out / "part-*.csv")))]
    header = parts[0][0]
    spark = np.vstack([t for _, t in parts])
    spark = spark[np.argsort(spark[:, header.index("row_id")], kind="stable")]
    expected_header, expected = read_table_text(cli("explain", "-m", fixture(name, "json"),
                                                    "-i", fixture(name, "input.csv"),
                                                    "-o", "-", "--quiet"))
    assert header[1:] == expected_header
    np.testing.assert_array_equal(spark[:, 1:], expected)


def read_table_text(text):
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], np.array([[float(v) for v in r] for r in rows[1:]])
