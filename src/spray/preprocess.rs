//! Step 1: rescale each relevance row ([`Normalization`]).

use super::Normalization;
use crate::{Error, Result};
use ndarray::{Array2, ArrayView2, Axis};

/// The rows of `relevance` rescaled by `normalization`; a row whose norm is zero is kept
/// unchanged. A NaN or infinite value is an [`Error::Input`] naming its row and column.
///
/// - `none`: `r`; `l1`: `r / Σ|r_i|`; `l2`: `r / sqrt(Σ r_i²)`; `abs`: `|r| / Σ|r_i|`.
pub fn preprocess(relevance: ArrayView2<f64>, normalization: Normalization) -> Result<Array2<f64>> {
    check_finite(relevance)?;
    let mut rows = relevance.as_standard_layout().into_owned();
    for mut row in rows.axis_iter_mut(Axis(0)) {
        if normalization == Normalization::Abs {
            row.mapv_inplace(f64::abs);
        }
        let norm = match normalization {
            Normalization::None => continue,
            Normalization::L1 | Normalization::Abs => row.iter().map(|v| v.abs()).sum::<f64>(),
            Normalization::L2 => row.iter().map(|v| v * v).sum::<f64>().sqrt(),
        };
        // A sum of squares can overflow for finite rows (|r| ~ 1e200): scale first.
        let norm = if norm.is_finite() {
            norm
        } else {
            let top = row.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
            row.mapv_inplace(|v| v / top);
            match normalization {
                Normalization::L2 => row.iter().map(|v| v * v).sum::<f64>().sqrt(),
                _ => row.iter().map(|v| v.abs()).sum::<f64>(),
            }
        };
        if norm > 0.0 {
            row.mapv_inplace(|v| v / norm);
        }
    }
    Ok(rows)
}

/// An error naming the first row and column that is not a finite number.
pub(crate) fn check_finite(rows: ArrayView2<f64>) -> Result<()> {
    for (r, row) in rows.axis_iter(Axis(0)).enumerate() {
        if let Some((c, v)) = row.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(Error::Input {
                row: Some(r),
                message: format!("column {c}: {v} is not a finite number"),
            });
        }
    }
    Ok(())
}
