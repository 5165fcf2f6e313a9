//! The boundary with caller data: any layout in, checked row-major rows out.

use super::Explainer;
use crate::error::{Error, Result};
use crate::model::validate;
use ndarray::{ArrayView2, Axis, CowArray, Ix2};
use rayon::prelude::*;

/// Rows per block of the finiteness check (blocks run in parallel).
const CHECK_ROWS: usize = 4096;

impl Explainer {
    /// `x` in standard (row-major) layout, borrowed when it already is, after checking its
    /// width and that every value is finite. Errors name the row (0-based) and the column.
    pub(crate) fn checked_rows<'a>(
        &self,
        x: ArrayView2<'a, f64>,
    ) -> Result<CowArray<'a, f64, Ix2>> {
        validate::input_width(x, self.n_features())?;
        // Blocks of rows checked in parallel; the first bad value in row order is reported
        // (the same error on any number of threads).
        let first_bad = x
            .axis_chunks_iter(Axis(0), CHECK_ROWS)
            .into_par_iter()
            .enumerate()
            .find_map_first(|(block, rows)| {
                rows.outer_iter().enumerate().find_map(|(r, row)| {
                    let all_finite = row.iter().fold(true, |ok, v| ok & v.is_finite());
                    (!all_finite).then(|| {
                        let c = row.iter().position(|v| !v.is_finite()).expect("one");
                        (block * CHECK_ROWS + r, c, row[c])
                    })
                })
            });
        if let Some((r, c, value)) = first_bad {
            let column = match &self.feature_names {
                Some(names) => format!("column {c} ({:?})", names[c]),
                None => format!("column {c}"),
            };
            return Err(Error::Input {
                row: Some(r),
                message: format!("{column}: {value} is not a finite number"),
            });
        }
        Ok(if x.is_standard_layout() {
            CowArray::from(x)
        } else {
            CowArray::from(x.as_standard_layout().into_owned())
        })
    }

    /// Checked rows in the network's space: standardized when the model has a scaler.
    pub(crate) fn standardized<'a>(&self, x: CowArray<'a, f64, Ix2>) -> CowArray<'a, f64, Ix2> {
        match &self.scaler {
            None => x,
            Some(s) => CowArray::from(s.transform(x.view())),
        }
    }
}
