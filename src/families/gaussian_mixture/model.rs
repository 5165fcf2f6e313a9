//! A fitted Gaussian mixture, stored as scikit-learn's `GaussianMixture` stores it.

use super::precision::{check_upper, from_covariance, CovarianceType, Factors};
use crate::error::{Error, Result};
use crate::model::validate;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

/// How far the weights may sum from 1 (they are frequencies `n_k / n` in scikit-learn).
const WEIGHT_SUM_TOLERANCE: f64 = 1e-8;

/// `p(x) = sum_k pi_k N(x; mu_k, Sigma_k)` with precision factors `U_k`, `U_k U_kᵀ =
/// Sigma_k⁻¹` (scikit-learn's `weights_`, `means_`, `precisions_cholesky_`):
/// `log N(x; mu_k, Sigma_k) = -(D/2) log 2π - ½ ‖U_kᵀ(x - mu_k)‖² + sum_i log U_k,ii`.
#[derive(Debug, Clone, PartialEq)]
pub struct GaussianMixture {
    covariance_type: CovarianceType,
    weights: Array1<f64>,
    means: Array2<f64>,
    factors: Factors,
}

impl GaussianMixture {
    /// `covariance_type = "full"`: one upper-triangular factor per component.
    pub fn full(
        weights: Array1<f64>,
        means: Array2<f64>,
        precisions_cholesky: Vec<Array2<f64>>,
    ) -> Result<Self> {
        Self::build(
            CovarianceType::Full,
            weights,
            means,
            Factors::Dense(precisions_cholesky),
        )
    }

    /// `covariance_type = "tied"`: one upper-triangular factor shared by every component.
    pub fn tied(
        weights: Array1<f64>,
        means: Array2<f64>,
        precision_cholesky: Array2<f64>,
    ) -> Result<Self> {
        let k = means.nrows();
        Self::build(
            CovarianceType::Tied,
            weights,
            means,
            Factors::Dense(vec![precision_cholesky; k]),
        )
    }

    /// `covariance_type = "diag"`: `1/σ_k,i`, components x features.
    pub fn diag(
        weights: Array1<f64>,
        means: Array2<f64>,
        precisions_cholesky: Array2<f64>,
    ) -> Result<Self> {
        Self::build(
            CovarianceType::Diag,
            weights,
            means,
            Factors::Diagonal(precisions_cholesky),
        )
    }

    /// `covariance_type = "spherical"`: `1/σ_k`, one per component.
    pub fn spherical(
        weights: Array1<f64>,
        means: Array2<f64>,
        precisions_cholesky: Array1<f64>,
    ) -> Result<Self> {
        let d = means.ncols();
        validate::length(
            "precisions_cholesky",
            precisions_cholesky.view(),
            means.nrows(),
        )?;
        let diagonal = Array2::from_shape_fn((means.nrows(), d), |(k, _)| precisions_cholesky[k]);
        Self::build(
            CovarianceType::Spherical,
            weights,
            means,
            Factors::Diagonal(diagonal),
        )
    }

    fn build(
        covariance_type: CovarianceType,
        weights: Array1<f64>,
        means: Array2<f64>,
        factors: Factors,
    ) -> Result<Self> {
        let (k, d) = means.dim();
        if k == 0 || d == 0 {
            return Err(Error::model(
                "means",
                "must hold at least one component with at least one feature",
            ));
        }
        validate::finite_matrix("means", means.view())?;
        validate::length("weights", weights.view(), k)?;
        for (c, &w) in weights.iter().enumerate() {
            validate::positive(&format!("weights[{c}]"), w)?;
        }
        let sum = weights.sum();
        if (sum - 1.0).abs() > WEIGHT_SUM_TOLERANCE {
            return Err(Error::model(
                "weights",
                format!("must sum to 1 (mixing proportions), got {sum}"),
            ));
        }
        check_factors(covariance_type, &factors, k, d)?;
        Ok(GaussianMixture {
            covariance_type,
            weights,
            means,
            factors,
        })
    }

    /// The covariance type.
    pub fn covariance_type(&self) -> CovarianceType {
        self.covariance_type
    }

    /// Mixing weights `pi_k`.
    pub fn weights(&self) -> ArrayView1<'_, f64> {
        self.weights.view()
    }

    /// Component means, components x features.
    pub fn means(&self) -> ArrayView2<'_, f64> {
        self.means.view()
    }

    /// Number of components.
    pub fn n_components(&self) -> usize {
        self.means.nrows()
    }

    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.means.ncols()
    }

    /// scikit-learn's precision factor `U = (L⁻¹)ᵀ` of a covariance `Σ = L Lᵀ` (for the
    /// trainer); an error naming `field` when `Σ` is not symmetric positive definite.
    pub(crate) fn precision_factor(field: &str, sigma: ArrayView2<f64>) -> Result<Array2<f64>> {
        from_covariance(field, sigma)
    }

    pub(crate) fn factors(&self) -> &Factors {
        &self.factors
    }

    /// `b_k = -log pi_k + (D/2) log 2π - sum_i log U_k,ii`: the unit `q_k` at its mean.
    pub(crate) fn biases(&self) -> Array1<f64> {
        let half_d_log_2pi = 0.5 * self.n_features() as f64 * (2.0 * std::f64::consts::PI).ln();
        let half_log_det = self.factors.half_log_det();
        Array1::from_shape_fn(self.n_components(), |k| {
            -self.weights[k].ln() + half_d_log_2pi - half_log_det[k]
        })
    }

    /// `-½ ‖U_kᵀ(x - mu_k)‖²` of one row and component, from exact differences.
    fn half_mahalanobis(&self, x: ArrayView1<f64>, k: usize) -> f64 {
        let delta = &x - &self.means.row(k);
        let squared: f64 = match &self.factors {
            Factors::Dense(u) => u[k]
                .columns()
                .into_iter()
                .map(|col| {
                    let y = col.dot(&delta);
                    y * y
                })
                .sum(),
            Factors::Diagonal(u) => delta
                .iter()
                .zip(u.row(k))
                .map(|(d, s)| (d * s) * (d * s))
                .sum(),
        };
        0.5 * squared
    }

    /// `log pi_k + log N(x; mu_k, Sigma_k)` of every component, one row.
    fn weighted_log_prob(&self, x: ArrayView1<f64>) -> Vec<f64> {
        let bias = self.biases();
        (0..self.n_components())
            .map(|k| -self.half_mahalanobis(x, k) - bias[k])
            .collect()
    }

    /// `log p(x)` of every row (scikit-learn's `score_samples`), computed the plain way:
    /// exact differences, a max-shifted log-sum-exp (the ground truth).
    pub fn score_samples(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        validate::input_width(x, self.n_features())?;
        Ok(x.outer_iter()
            .map(|row| {
                let l = self.weighted_log_prob(row);
                let max = l.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                max + l.iter().map(|v| (v - max).exp()).sum::<f64>().ln()
            })
            .collect())
    }

    /// The responsibilities `gamma_k(x) = pi_k N_k(x) / p(x)` (scikit-learn's
    /// `predict_proba`), rows x components.
    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        validate::input_width(x, self.n_features())?;
        let mut out = Array2::zeros((x.nrows(), self.n_components()));
        for (row, mut p) in x.outer_iter().zip(out.outer_iter_mut()) {
            let l = self.weighted_log_prob(row);
            let max = l.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let e: Vec<f64> = l.iter().map(|v| (v - max).exp()).collect();
            let sum: f64 = e.iter().sum();
            for (p, e) in p.iter_mut().zip(e) {
                *p = e / sum;
            }
        }
        Ok(out)
    }
}

/// Shapes and values of the factors: `K` factors of `D x D` (upper triangular, positive
/// diagonal) or `K x D` positive diagonals; errors name `precisions_cholesky[...]`.
fn check_factors(kind: CovarianceType, factors: &Factors, k: usize, d: usize) -> Result<()> {
    let field = "precisions_cholesky";
    match factors {
        Factors::Dense(u) => {
            if u.len() != k {
                return Err(Error::model(
                    field,
                    format!("has {} factors, expected {k} (one per component)", u.len()),
                ));
            }
            for (c, u) in u.iter().enumerate() {
                let name = match kind {
                    CovarianceType::Tied => field.to_string(),
                    _ => format!("{field}[{c}]"),
                };
                if u.dim() != (d, d) {
                    return Err(Error::model(
                        name,
                        format!("is {} x {}, expected {d} x {d}", u.nrows(), u.ncols()),
                    ));
                }
                check_upper(&name, u.view())?;
            }
        }
        Factors::Diagonal(u) => {
            if u.dim() != (k, d) {
                return Err(Error::model(
                    field,
                    format!("is {} x {}, expected {k} x {d}", u.nrows(), u.ncols()),
                ));
            }
            for ((c, i), &v) in u.indexed_iter() {
                let name = match kind {
                    CovarianceType::Spherical => format!("{field}[{c}]"),
                    _ => format!("{field}[{c}][{i}]"),
                };
                validate::positive(&name, v)?;
            }
        }
    }
    Ok(())
}
