"""Rows from NumPy arrays, pandas or polars DataFrames, as float64 matrices for the library."""

from __future__ import annotations

from typing import Any, Optional, Sequence, Tuple

import numpy as np


def _is_pandas(X: Any) -> bool:
    return type(X).__module__.startswith("pandas") and hasattr(X, "columns") and hasattr(
        X, "iloc")


def _is_polars(X: Any) -> bool:
    return type(X).__module__.startswith("polars") and hasattr(X, "columns") and hasattr(
        X, "select")


def _match_columns(columns: Sequence[str], names: Optional[Sequence[str]],
                   ignore_extra: bool) -> Optional[list]:
    """The columns to take, in model order: by name when the model has names (missing
    names are an error; other columns too unless ignore_extra), else None (by position)."""
    if names is None:
        return None
    cols = [str(c) for c in columns]
    if len(set(cols)) != len(cols):
        raise ValueError("the DataFrame has duplicate column names")
    missing = [n for n in names if n not in cols]
    if missing:
        raise ValueError("the DataFrame lacks the model's feature column(s) %s (it has %s)"
                         % (missing, cols))
    extra = [c for c in cols if c not in set(names)]
    if extra and not ignore_extra:
        raise ValueError("the DataFrame has column(s) %s that are not model features; select "
                         "the features or pass ignore_extra=True" % extra)
    return list(names)


def as_rows(X: Any, names: Optional[Sequence[str]], n_features: int,
            ignore_extra: bool = False) -> Tuple[np.ndarray, Optional[list], Any]:
    """``(float64 matrix, column names or None, pandas index or None)``.

    NumPy input of any real or integer dtype is converted to float64; float64 input (C or
    Fortran order, or strided) is passed on without a copy. DataFrame columns are matched
    by name when the model has feature names, else taken in order.
    """
    index = None
    columns: Optional[list] = None
    if _is_pandas(X):
        if X.ndim != 2:
            raise ValueError("expected a DataFrame (rows x features), got a Series; use "
                             "series.to_frame().T for one row")
        take = _match_columns(list(X.columns), names, ignore_extra)
        frame = X if take is None else X[[_original(X.columns, n) for n in take]]
        from pandas.api.types import is_bool_dtype, is_complex_dtype, is_numeric_dtype

        for name, dtype in zip(frame.columns, frame.dtypes):
            if not (is_numeric_dtype(dtype) or is_bool_dtype(dtype)) or is_complex_dtype(dtype):
                raise ValueError("column %r has dtype %s, not a number" % (name, dtype))
        index = X.index
        columns = [str(c) for c in frame.columns]
        A = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    elif _is_polars(X):
        take = _match_columns(list(X.columns), names, ignore_extra)
        frame = X if take is None else X.select(take)
        columns = list(frame.columns)
        A = frame.to_numpy().astype(np.float64, copy=False)
    else:
        A = np.asarray(X)
    if A.ndim != 2:
        raise ValueError("expected a 2-D array (rows x %d features), got %d dimension(s)%s"
                         % (n_features, A.ndim,
                            "; for one row use x.reshape(1, -1)" if A.ndim == 1 else ""))
    if A.dtype != np.float64:
        if A.dtype.kind not in "fiub":
            raise TypeError("expected real numbers, got an array of dtype %s" % A.dtype)
        A = A.astype(np.float64)
    return A, columns, index


def _original(columns: Any, name: str) -> Any:
    """The DataFrame's own column label whose str() is name."""
    for c in columns:
        if str(c) == name:
            return c
    raise KeyError(name)
