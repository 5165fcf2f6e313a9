//! The boundary with caller data: any layout in, checked row-major rows out.

use super::Explainer;
use crate::error::{Error, Result};
use crate::model::validate;
use ndarray::{Array2, ArrayView2, CowArray, Ix2};

impl Explainer {
    /// `x` in standard (row-major) layout, borrowed when it already is, after checking its
    /// width and that every value is finite. Errors name the row (0-based) and the column.
    pub(crate) fn checked_rows<'a>(
        &self,
        x: ArrayView2<'a, f64>,
    ) -> Result<CowArray<'a, f64, Ix2>> {
        validate::input_width(x, self.n_features())?;
        for (r, row) in x.outer_iter().enumerate() {
            if let Some(c) = row.iter().position(|v| !v.is_finite()) {
                let column = match &self.feature_names {
                    Some(names) => format!("column {c} ({:?})", names[c]),
                    None => format!("column {c}"),
                };
                return Err(Error::Input {
                    row: Some(r),
                    message: format!("{column}: {} is not a finite number", row[c]),
                });
            }
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
            Some(s) => {
                let mut z: Array2<f64> = x.into_owned();
                s.transform_inplace(z.view_mut());
                CowArray::from(z)
            }
        }
    }
}
