//! Precision factors of a Gaussian mixture as scikit-learn stores them
//! (`precisions_cholesky_`): per component an upper-triangular `U` with positive diagonal
//! and precision `P = U Uᵀ = Σ⁻¹`, so `(x - μ)ᵀ P (x - μ) = ‖Uᵀ(x - μ)‖²`.
//!
//! From a covariance `Σ = L Lᵀ` (Cholesky, `L` lower) scikit-learn takes `U = (L⁻¹)ᵀ`;
//! [`from_covariance`] does the same.

use crate::error::{Error, Result};
use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

/// How the covariances are shared and shaped (scikit-learn's `covariance_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CovarianceType {
    /// One full covariance per component: `precisions_cholesky` is `K x D x D`.
    Full,
    /// One full covariance shared by every component: `D x D`.
    Tied,
    /// One diagonal covariance per component: `K x D` (the diagonal of `U`, `1/σ`).
    Diag,
    /// One variance per component: `K` (`1/σ`).
    Spherical,
}

impl CovarianceType {
    /// The name used in model files and by scikit-learn.
    pub fn name(self) -> &'static str {
        match self {
            CovarianceType::Full => "full",
            CovarianceType::Tied => "tied",
            CovarianceType::Diag => "diag",
            CovarianceType::Spherical => "spherical",
        }
    }
}

impl std::str::FromStr for CovarianceType {
    type Err = Error;
    /// `full`, `tied`, `diag` or `spherical`.
    fn from_str(text: &str) -> Result<Self> {
        match text.trim() {
            "full" => Ok(CovarianceType::Full),
            "tied" => Ok(CovarianceType::Tied),
            "diag" => Ok(CovarianceType::Diag),
            "spherical" => Ok(CovarianceType::Spherical),
            _ => Err(Error::parameter(
                "covariance",
                format!("expected full, tied, diag or spherical, got {text:?}"),
            )),
        }
    }
}

/// The precision factors of every component.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Factors {
    /// Upper-triangular `U_k`, one per component (`tied`: the same matrix repeated).
    Dense(Vec<Array2<f64>>),
    /// The diagonal of `U_k`, components x features (`spherical`: each row constant).
    Diagonal(Array2<f64>),
}

impl Factors {
    /// The diagonal of every precision `P_k = U_k U_kᵀ`, components x features:
    /// `P_k,ii = sum_j U_k,ij²`.
    pub(crate) fn precision_diagonals(&self) -> Array2<f64> {
        match self {
            Factors::Dense(u) => {
                let d = u.first().map_or(0, |u| u.nrows());
                Array2::from_shape_fn((u.len(), d), |(k, i)| u[k].row(i).dot(&u[k].row(i)))
            }
            Factors::Diagonal(u) => u.mapv(|v| v * v),
        }
    }

    /// `sum_i log U_k,ii` of every component: `½ log det P_k`.
    pub(crate) fn half_log_det(&self) -> Array1<f64> {
        match self {
            Factors::Dense(u) => u
                .iter()
                .map(|u| u.diag().iter().map(|v| v.ln()).sum())
                .collect(),
            Factors::Diagonal(u) => u
                .rows()
                .into_iter()
                .map(|r| r.mapv(f64::ln).sum())
                .collect(),
        }
    }
}

/// Check that `u` (the factor of `field`) is upper triangular with a finite, positive
/// diagonal, so that `U Uᵀ` is positive definite.
pub(crate) fn check_upper(field: &str, u: ArrayView2<f64>) -> Result<()> {
    let d = u.nrows();
    if u.ncols() != d {
        return Err(Error::model(
            field,
            format!("must be square, got {} x {}", d, u.ncols()),
        ));
    }
    for ((i, j), &v) in u.indexed_iter() {
        if !v.is_finite() {
            return Err(Error::model(
                format!("{field}[{i}][{j}]"),
                format!("must be finite, got {v}"),
            ));
        }
        if i > j && v != 0.0 {
            return Err(Error::model(
                format!("{field}[{i}][{j}]"),
                format!("must be 0: the precision Cholesky factor is upper triangular, got {v}"),
            ));
        }
        if i == j && v <= 0.0 {
            return Err(Error::model(
                format!("{field}[{i}][{i}]"),
                format!("must be > 0 (the precision is not positive definite), got {v}"),
            ));
        }
    }
    Ok(())
}

/// scikit-learn's `U = (L⁻¹)ᵀ` from a symmetric positive-definite covariance `Σ = L Lᵀ`;
/// an error naming `field` when `Σ` is not symmetric or not positive definite.
pub(crate) fn from_covariance(field: &str, sigma: ArrayView2<f64>) -> Result<Array2<f64>> {
    let d = sigma.nrows();
    if sigma.ncols() != d {
        return Err(Error::model(
            field,
            format!("must be square, got {} x {}", d, sigma.ncols()),
        ));
    }
    for ((i, j), &v) in sigma.indexed_iter() {
        if !v.is_finite() {
            return Err(Error::model(
                format!("{field}[{i}][{j}]"),
                format!("must be finite, got {v}"),
            ));
        }
        let w = sigma[[j, i]];
        if i < j && (v - w).abs() > 1e-12 * v.abs().max(w.abs()) {
            return Err(Error::model(
                format!("{field}[{i}][{j}]"),
                format!("the covariance must be symmetric: {v} vs [{j}][{i}] = {w}"),
            ));
        }
    }
    // Cholesky Σ = L Lᵀ (lower L, from the lower triangle).
    let mut l = Array2::<f64>::zeros((d, d));
    for j in 0..d {
        let pivot = sigma[[j, j]] - (0..j).map(|m| l[[j, m]] * l[[j, m]]).sum::<f64>();
        if pivot.is_nan() || pivot <= 0.0 {
            return Err(Error::model(
                field,
                format!(
                    "is not positive definite (Cholesky pivot {j} is {pivot}); \
                     scikit-learn adds reg_covar to the diagonal to prevent this"
                ),
            ));
        }
        l[[j, j]] = pivot.sqrt();
        for i in j + 1..d {
            let s = sigma[[i, j]] - (0..j).map(|m| l[[i, m]] * l[[j, m]]).sum::<f64>();
            l[[i, j]] = s / l[[j, j]];
        }
    }
    // Solve L X = I (X = L⁻¹, lower), then U = Xᵀ.
    let mut u = Array2::<f64>::zeros((d, d));
    for c in 0..d {
        for i in c..d {
            let identity = if i == c { 1.0 } else { 0.0 };
            let s = identity - (c..i).map(|m| l[[i, m]] * u[[c, m]]).sum::<f64>();
            u[[c, i]] = s / l[[i, i]];
        }
    }
    Ok(u)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn factor_of_a_covariance_inverts_it() {
        let sigma = array![[4.0, 1.0, 0.5], [1.0, 3.0, -0.2], [0.5, -0.2, 2.0]];
        let u = from_covariance("c", sigma.view()).unwrap();
        check_upper("u", u.view()).unwrap();
        let p = u.dot(&u.t());
        let identity = p.dot(&sigma);
        for ((i, j), &v) in identity.indexed_iter() {
            let want = if i == j { 1.0 } else { 0.0 };
            assert!((v - want).abs() < 1e-12, "{i} {j}: {v}");
        }
    }

    #[test]
    fn indefinite_and_asymmetric_covariances_are_rejected() {
        let bad = array![[1.0, 2.0], [2.0, 1.0]];
        let e = from_covariance("covariances[1]", bad.view()).unwrap_err();
        assert!(e
            .to_string()
            .contains("covariances[1]`: is not positive definite"));
        let asym = array![[1.0, 0.5], [0.4, 1.0]];
        let e = from_covariance("covariances", asym.view()).unwrap_err();
        assert!(e.to_string().contains("covariances[0][1]"), "{e}");
    }

    #[test]
    fn lower_entries_and_non_positive_diagonals_are_rejected() {
        let e = check_upper("p[0]", array![[1.0, 0.0], [0.3, 1.0]].view()).unwrap_err();
        assert!(e.to_string().contains("p[0][1][0]"), "{e}");
        let e = check_upper("p[0]", array![[1.0, 0.0], [0.0, -1.0]].view()).unwrap_err();
        assert!(e.to_string().contains("p[0][1][1]"), "{e}");
    }
}
