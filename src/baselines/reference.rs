//! The reference point x̃ (input space) that reference-based explainers remove features to.
//!
//! In order of preference: `--reference rows.csv` (its column means, [`column_means`]), the
//! model file's `reference`, else a fallback from the model itself, computed in the
//! network's (standardized) space and mapped back with the scaler `x = z * scale + mean`:
//! - one-class SVM: the dual-coefficient-weighted mean of the support vectors,
//!   `sum_j alpha_j u_j / sum_j alpha_j`;
//! - kernel density: the mean of the points;
//! - k-means: the mean of the centroids.

use crate::classical::{Estimator, Model};
use crate::error::{Error, Result};
use ndarray::{Array1, ArrayView2, Axis};

/// The model file's reference, else the fallback above.
pub fn model_reference(model: &Model) -> Array1<f64> {
    if let Some(r) = model.reference() {
        return r.to_owned();
    }
    let z = match model.estimator() {
        Estimator::OneClassSvm(m) => {
            let alpha = m.dual_coef();
            alpha.dot(&m.support_vectors()) / alpha.sum()
        }
        Estimator::KernelDensity(m) => m.points().mean_axis(Axis(0)).expect("non-empty"),
        Estimator::KMeans(m) => m.centroids().mean_axis(Axis(0)).expect("non-empty"),
    };
    match model.scaler() {
        Some(s) => &z * &s.scale() + s.mean(),
        None => z,
    }
}

/// Column means of reference rows (at least one row).
pub fn column_means(rows: ArrayView2<f64>) -> Result<Array1<f64>> {
    rows.mean_axis(Axis(0))
        .ok_or_else(|| Error::parameter("reference", "the reference table has no rows"))
}
