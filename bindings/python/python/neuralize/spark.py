"""Explain a Spark DataFrame with ``mapInPandas`` / ``mapInArrow``: one Explainer per task.

    from neuralize.spark import explain_in_pandas, output_schema
    text = open("model.json").read()           # ship the model file's text, not an object
    out = df.mapInPandas(explain_in_pandas(text, keep=["id"]),
                         schema=output_schema(text, df.schema, keep=["id"]))

Each Spark task builds one :class:`neuralize.Explainer` from the model-file text (cheap:
the model is neuralized once per partition) and explains every Arrow batch of its partition
in place; the result has the command line's columns (``--keep`` columns first). Workers
need the ``neuralize`` wheel installed (``pip install`` it on every node, or ship it with
``--py-files`` / a packed virtualenv). Nothing here imports pyspark at module level.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator, Sequence

from ._explainer import Explainer


def _explainer(model_json: str) -> Explainer:
    import json

    return Explainer(json.loads(model_json))


def output_columns(model_json: str, input_columns: Sequence[str],
                   keep: Sequence[str] = ()) -> list:
    """``[(name, "long" | "double")]`` of the explanation: ``keep`` columns are not listed
    (their types come from the input), then the prediction, the output and
    ``R_<feature>``."""
    ex = _explainer(model_json)
    names = ex.feature_names
    if names is None:
        names = [c for c in input_columns if c not in set(keep)]
    pred_type = "long" if ex.kind == "kmeans" else "double"
    cols = [(ex.prediction_name, pred_type), (ex.output_name, "double")]
    cols += [("R_" + n, "double") for n in names]
    return cols


def output_schema(model_json: str, input_schema: Any, keep: Sequence[str] = ()) -> Any:
    """The pyspark ``StructType`` of :func:`explain_in_pandas`'s output for an input
    DataFrame of schema ``input_schema``."""
    from pyspark.sql.types import DoubleType, LongType, StructField, StructType

    by_name = {f.name: f for f in input_schema.fields}
    fields = [by_name[k] for k in keep]
    for name, kind in output_columns(model_json, [f.name for f in input_schema.fields], keep):
        fields.append(StructField(name, LongType() if kind == "long" else DoubleType(), False))
    return StructType(fields)


def explain_in_pandas(model_json: str, method: str = "default", keep: Sequence[str] = (),
                      **options: Any) -> Callable[[Iterable[Any]], Iterator[Any]]:
    """A function for ``DataFrame.mapInPandas``: explains each pandas batch with one
    Explainer per partition. ``keep`` columns are copied in front; other non-feature
    columns are ignored. ``options`` go to :meth:`Explainer.explain` (``beta``,
    ``cluster``, ...)."""
    keep = list(keep)

    def run(batches: Iterable[Any]) -> Iterator[Any]:
        ex = _explainer(model_json)
        for pdf in batches:
            features = pdf.drop(columns=keep)
            out = ex.explain(features, method, ignore_extra=ex.feature_names is not None,
                             **options).to_pandas()
            out.index = pdf.index
            if keep:
                import pandas as pd

                out = pd.concat([pdf[keep], out], axis=1)
            yield out

    return run


def explain_in_arrow(model_json: str, method: str = "default", keep: Sequence[str] = (),
                     **options: Any) -> Callable[[Iterable[Any]], Iterator[Any]]:
    """A function for ``DataFrame.mapInArrow``: as :func:`explain_in_pandas` on
    ``pyarrow.RecordBatch`` es (feature columns are read as float64 NumPy arrays)."""
    keep = list(keep)

    def run(batches: Iterable[Any]) -> Iterator[Any]:
        import numpy as np
        import pyarrow as pa

        ex = _explainer(model_json)
        for batch in batches:
            names = ex.feature_names or [n for n in batch.schema.names if n not in set(keep)]
            X = np.column_stack([
                batch.column(batch.schema.get_field_index(n)).to_numpy(zero_copy_only=False)
                .astype(np.float64, copy=False) for n in names]) if batch.num_rows else \
                np.empty((0, len(names)))
            e = ex.explain(X, method, **options)
            arrays = [batch.column(batch.schema.get_field_index(k)) for k in keep]
            arrays += [pa.array(e.prediction), pa.array(e.output)]
            arrays += [pa.array(e.relevance[:, i]) for i in range(e.relevance.shape[1])]
            yield pa.RecordBatch.from_arrays(
                arrays, names=keep + [e.prediction_name, e.output_name]
                + ["R_" + n for n in names])

    return run
