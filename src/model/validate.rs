//! Shape and value checks shared by the classical models; errors name the offending field.

use crate::error::{Error, Result};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

/// Require a finite, strictly positive number.
pub(crate) fn positive(field: &str, value: f64) -> Result<()> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(Error::model(
            field,
            format!("must be a finite number > 0, got {value}"),
        ))
    }
}

/// Require every entry to be finite; the error names the first bad index.
pub(crate) fn finite_vector(field: &str, values: ArrayView1<f64>) -> Result<()> {
    match values.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(i) => Err(Error::model(
            format!("{field}[{i}]"),
            format!("must be finite, got {}", values[i]),
        )),
    }
}

/// Require every entry to be finite; the error names the first bad `[row][column]`.
pub(crate) fn finite_matrix(field: &str, values: ArrayView2<f64>) -> Result<()> {
    for (r, row) in values.outer_iter().enumerate() {
        if let Some(c) = row.iter().position(|v| !v.is_finite()) {
            return Err(Error::model(
                format!("{field}[{r}][{c}]"),
                format!("must be finite, got {}", row[c]),
            ));
        }
    }
    Ok(())
}

/// Require a vector of the given length.
pub(crate) fn length(field: &str, values: ArrayView1<f64>, expected: usize) -> Result<()> {
    if values.len() == expected {
        Ok(())
    } else {
        Err(Error::model(
            field,
            format!("has {} entries, expected {expected}", values.len()),
        ))
    }
}

/// Turn a list of rows into a matrix, requiring at least one row and equal, non-zero lengths.
pub(crate) fn matrix_from_rows(field: &str, rows: &[Vec<f64>]) -> Result<Array2<f64>> {
    let Some(first) = rows.first() else {
        return Err(Error::model(field, "must hold at least one row"));
    };
    let d = first.len();
    if d == 0 {
        return Err(Error::model(
            format!("{field}[0]"),
            "must hold at least one feature",
        ));
    }
    if let Some((r, row)) = rows.iter().enumerate().find(|(_, row)| row.len() != d) {
        return Err(Error::model(
            format!("{field}[{r}]"),
            format!("has {} entries, but {field}[0] has {d}", row.len()),
        ));
    }
    let flat: Vec<f64> = rows.iter().flatten().copied().collect();
    let matrix = Array2::from_shape_vec((rows.len(), d), flat).expect("shape checked above");
    finite_matrix(field, matrix.view())?;
    Ok(matrix)
}

/// Turn a list into a vector, checking finiteness.
pub(crate) fn vector(field: &str, values: &[f64]) -> Result<Array1<f64>> {
    let v = Array1::from(values.to_vec());
    finite_vector(field, v.view())?;
    Ok(v)
}

/// Require rows of `expected` columns (a caller's batch).
pub(crate) fn input_width(x: ndarray::ArrayView2<f64>, expected: usize) -> Result<()> {
    if x.ncols() == expected {
        Ok(())
    } else {
        Err(Error::Input {
            row: None,
            message: format!(
                "the rows have {} columns, but the model has {expected} features",
                x.ncols()
            ),
        })
    }
}
