//! Per-feature standardization `z = (x - mean) / scale`.

use super::validate;
use crate::error::Result;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Zip};

/// A fitted standardizing step, applied before the model.
#[derive(Debug, Clone, PartialEq)]
pub struct Standardizer {
    mean: Array1<f64>,
    scale: Array1<f64>,
}

impl Standardizer {
    /// Build a standardizer; `scale` must be finite and > 0, both vectors equally long.
    pub fn new(mean: Array1<f64>, scale: Array1<f64>) -> Result<Self> {
        validate::finite_vector("scaler.mean", mean.view())?;
        validate::length("scaler.scale", scale.view(), mean.len())?;
        for (i, &s) in scale.iter().enumerate() {
            validate::positive(&format!("scaler.scale[{i}]"), s)?;
        }
        Ok(Standardizer { mean, scale })
    }

    /// The per-feature means.
    pub fn mean(&self) -> ArrayView1<'_, f64> {
        self.mean.view()
    }

    /// The per-feature scales.
    pub fn scale(&self) -> ArrayView1<'_, f64> {
        self.scale.view()
    }

    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.mean.len()
    }

    /// `z = (x - mean) / scale`, row by row, in place.
    pub(crate) fn transform_inplace(&self, mut x: ndarray::ArrayViewMut2<f64>) {
        for mut row in x.outer_iter_mut() {
            Zip::from(&mut row)
                .and(&self.mean)
                .and(&self.scale)
                .for_each(|v, &m, &s| *v = (*v - m) / s);
        }
    }

    /// `z = (x - mean) / scale` into a new array.
    pub(crate) fn transform(&self, x: ArrayView2<f64>) -> Array2<f64> {
        let mut z = x.to_owned();
        self.transform_inplace(z.view_mut());
        z
    }
}
