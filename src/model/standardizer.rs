//! Per-feature standardization `z = (x - mean) / scale`.

use super::validate;
use crate::error::Result;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

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

    /// `z = (x - mean) / scale` into a new array, in one pass over `x` (each value read and
    /// written once). Serial: the explainer calls it per block of rows, and a parallel pass
    /// made the forward pass slower on two threads (a 159-unit one-class SVM on 50,000 rows,
    /// d = 30: 23-26 ms against 21-24 ms).
    pub(crate) fn transform(&self, x: ArrayView2<f64>) -> Array2<f64> {
        let (n, d) = x.dim();
        let mean = self.mean.as_slice().expect("owned");
        let scale = self.scale.as_slice().expect("owned");
        let mut z = Vec::with_capacity(n * d);
        for row in x.outer_iter() {
            let standardized = row.into_iter().zip(mean).zip(scale);
            z.extend(standardized.map(|((&v, &m), &s)| (v - m) / s));
        }
        Array2::from_shape_vec((n, d), z).expect("n x d values")
    }
}
