//! One EM step pair for a Gaussian mixture, as scikit-learn's `GaussianMixture` (1.9):
//!
//! - E-step: `log ρ_ik = log π_k - (D/2) log 2π + Σ_j log U_k,jj - ½ ‖U_kᵀ(z_i - μ_k)‖²`,
//!   `log p(z_i) = LSE_k log ρ_ik` (max-shifted), responsibilities `γ_ik = exp(log ρ_ik -
//!   log p(z_i))`; the lower bound is the mean `log p(z_i)`;
//! - M-step: `n_k = Σ_i γ_ik + 10 ε`, `π_k = n_k / Σ n_k`, `μ_k = Σ_i γ_ik z_i / n_k`,
//!   `Σ_k = Σ_i γ_ik (z_i - μ_k)(z_i - μ_k)ᵀ / n_k + reg_covar I` (`full`); `tied` pools the
//!   scatter of every component over `Σ n_k`, `diag` keeps the diagonal, `spherical` the mean
//!   of the diagonal (after adding `reg_covar`). The precision factor is `U = (L⁻¹)ᵀ` with
//!   `Σ = L Lᵀ` (Cholesky), `1/σ` for the diagonal types.
//!
//! Rows are independent in the E-step and components in the M-step, so both run in
//! parallel; every sum over rows runs in row order, so results do not depend on the number
//! of threads.

use crate::error::{Error, Result};
use crate::{CovarianceType, GaussianMixture};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};
use rayon::prelude::*;

/// Precision factors `U_k` (`U_k U_kᵀ = Σ_k⁻¹`) in the shape of the covariance type.
#[derive(Debug, Clone)]
pub(super) enum Precision {
    /// One upper-triangular factor per component.
    Full(Vec<Array2<f64>>),
    /// One upper-triangular factor shared by every component.
    Tied(Array2<f64>),
    /// `1/σ_k,j`, components x features.
    Diag(Array2<f64>),
    /// `1/σ_k`, one per component.
    Spherical(Array1<f64>),
}

/// The parameters of a mixture during EM.
#[derive(Debug, Clone)]
pub(super) struct Mixture {
    pub weights: Array1<f64>,
    pub means: Array2<f64>,
    pub precision: Precision,
}

impl Mixture {
    /// `½ ‖U_kᵀ δ‖²` for `δ = z - μ_k`.
    fn half_mahalanobis(&self, z: ArrayView1<f64>, k: usize) -> f64 {
        let mean = self.means.row(k);
        let delta: Vec<f64> = z.iter().zip(mean).map(|(a, b)| a - b).collect();
        let upper = |u: &Array2<f64>| -> f64 {
            (0..delta.len())
                .map(|j| {
                    let y: f64 = (0..=j).map(|i| u[[i, j]] * delta[i]).sum();
                    y * y
                })
                .sum()
        };
        let squared = match &self.precision {
            Precision::Full(u) => upper(&u[k]),
            Precision::Tied(u) => upper(u),
            Precision::Diag(u) => delta
                .iter()
                .zip(u.row(k))
                .map(|(d, s)| (d * s) * (d * s))
                .sum(),
            Precision::Spherical(s) => delta.iter().map(|d| d * d).sum::<f64>() * s[k] * s[k],
        };
        0.5 * squared
    }

    /// `log π_k - (D/2) log 2π + Σ_j log U_k,jj` of every component.
    fn log_constants(&self) -> Vec<f64> {
        let d = self.means.ncols() as f64;
        let half_d_log_2pi = 0.5 * d * (2.0 * std::f64::consts::PI).ln();
        let log_diag = |u: &Array2<f64>| u.diag().iter().map(|v| v.ln()).sum::<f64>();
        (0..self.weights.len())
            .map(|k| {
                let half_log_det = match &self.precision {
                    Precision::Full(u) => log_diag(&u[k]),
                    Precision::Tied(u) => log_diag(u),
                    Precision::Diag(u) => u.row(k).iter().map(|v| v.ln()).sum(),
                    Precision::Spherical(s) => d * s[k].ln(),
                };
                self.weights[k].ln() - half_d_log_2pi + half_log_det
            })
            .collect()
    }

    /// E-step: the mean `log p(z_i)` (the lower bound) and the responsibilities (rows x K).
    pub(super) fn e_step(&self, z: ArrayView2<f64>) -> (f64, Array2<f64>) {
        let k = self.weights.len();
        let constants = self.log_constants();
        let mut resp = Array2::zeros((z.nrows(), k));
        let norms: Vec<f64> = resp
            .axis_iter_mut(Axis(0))
            .into_par_iter()
            .zip(z.axis_iter(Axis(0)).into_par_iter())
            .map(|(mut r, row)| {
                for (c, v) in r.iter_mut().enumerate() {
                    *v = constants[c] - self.half_mahalanobis(row, c);
                }
                let max = r.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let norm = max + r.iter().map(|v| (v - max).exp()).sum::<f64>().ln();
                r.mapv_inplace(|v| (v - norm).exp());
                norm
            })
            .collect();
        let mean = norms.iter().sum::<f64>() / norms.len() as f64;
        (mean, resp)
    }

    /// M-step from responsibilities `resp` (rows x K).
    pub(super) fn m_step(
        z: ArrayView2<f64>,
        resp: ArrayView2<f64>,
        kind: CovarianceType,
        reg_covar: f64,
    ) -> Result<Mixture> {
        let d = z.ncols();
        let k = resp.ncols();
        let nk: Array1<f64> = resp.sum_axis(Axis(0)) + 10.0 * f64::EPSILON;
        let mut means = resp.t().dot(&z);
        for (mut mean, &count) in means.outer_iter_mut().zip(&nk) {
            mean /= count;
        }
        // Unnormalized scatter Σ_i γ_ik (z_i - μ_k)(z_i - μ_k)ᵀ (full) or its diagonal.
        let scatter = |c: usize, full: bool| -> Array2<f64> {
            let mut delta = &z - &means.row(c);
            let weighted = &delta * &resp.column(c).insert_axis(Axis(1));
            if full {
                weighted.t().dot(&delta)
            } else {
                delta *= &weighted;
                delta.sum_axis(Axis(0)).insert_axis(Axis(0))
            }
        };
        // Symmetric up to rounding: mirror the lower triangle (the one the Cholesky reads),
        // then add reg_covar to the diagonal.
        let regularize = |mut cov: Array2<f64>| {
            for i in 0..cov.nrows() {
                for j in i + 1..cov.ncols() {
                    cov[[i, j]] = cov[[j, i]];
                }
            }
            cov.diag_mut().mapv_inplace(|v| v + reg_covar);
            cov
        };
        let precision = match kind {
            CovarianceType::Full => Precision::Full(
                (0..k)
                    .into_par_iter()
                    .map(|c| {
                        let cov = regularize(scatter(c, true) / nk[c]);
                        cholesky_factor(cov.view(), Some(c))
                    })
                    .collect::<Result<Vec<_>>>()?,
            ),
            CovarianceType::Tied => {
                let parts: Vec<Array2<f64>> =
                    (0..k).into_par_iter().map(|c| scatter(c, true)).collect();
                let mut total = Array2::<f64>::zeros((d, d));
                for part in &parts {
                    total += part;
                }
                let cov = regularize(total / nk.sum());
                Precision::Tied(cholesky_factor(cov.view(), None)?)
            }
            CovarianceType::Diag | CovarianceType::Spherical => {
                let mut variances = Array2::<f64>::zeros((k, d));
                let rows: Vec<Array2<f64>> =
                    (0..k).into_par_iter().map(|c| scatter(c, false)).collect();
                for (c, row) in rows.iter().enumerate() {
                    variances
                        .row_mut(c)
                        .assign(&(&row.row(0) / nk[c] + reg_covar));
                }
                if kind == CovarianceType::Diag {
                    Precision::Diag(inverse_sqrt(variances)?)
                } else {
                    let mean = variances.mean_axis(Axis(1)).expect("d >= 1");
                    let s = inverse_sqrt(mean.insert_axis(Axis(1)))?;
                    Precision::Spherical(s.column(0).to_owned())
                }
            }
        };
        Ok(Mixture {
            weights: &nk / nk.sum(),
            means,
            precision,
        })
    }

    /// The fitted model as the `gaussian_mixture` family stores it.
    pub(super) fn into_model(self) -> Result<GaussianMixture> {
        match self.precision {
            Precision::Full(u) => GaussianMixture::full(self.weights, self.means, u),
            Precision::Tied(u) => GaussianMixture::tied(self.weights, self.means, u),
            Precision::Diag(u) => GaussianMixture::diag(self.weights, self.means, u),
            Precision::Spherical(s) => GaussianMixture::spherical(self.weights, self.means, s),
        }
    }
}

/// The error scikit-learn gives when a covariance is not positive definite.
fn ill_defined(component: Option<usize>) -> Error {
    let which = match component {
        Some(c) => format!("component {c} has"),
        None => "the tied covariance has".to_string(),
    };
    Error::parameter(
        "reg_covar",
        format!(
            "fitting the mixture failed: {which} an ill-defined empirical covariance (singleton or collapsed rows); \
             use fewer components, a larger reg_covar, or standardize the input"
        ),
    )
}

/// `U = (L⁻¹)ᵀ` of a covariance `Σ = L Lᵀ`.
fn cholesky_factor(cov: ArrayView2<f64>, component: Option<usize>) -> Result<Array2<f64>> {
    GaussianMixture::precision_factor("covariance", cov).map_err(|_| ill_defined(component))
}

/// `1/σ` of positive variances.
fn inverse_sqrt(variances: Array2<f64>) -> Result<Array2<f64>> {
    for ((c, _), &v) in variances.indexed_iter() {
        if !(v.is_finite() && v > 0.0) {
            return Err(ill_defined(Some(c)));
        }
    }
    Ok(variances.mapv(|v| 1.0 / v.sqrt()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// The E-step's lower bound is the family's mean `score_samples`, every covariance type.
    #[test]
    fn lower_bound_is_the_mean_log_density_of_the_model() {
        let z = array![
            [0.0, 1.0],
            [0.5, 1.2],
            [3.0, -1.0],
            [3.3, -0.7],
            [2.9, -1.4],
            [0.2, 0.7]
        ];
        let resp = array![
            [0.9, 0.1],
            [0.8, 0.2],
            [0.1, 0.9],
            [0.0, 1.0],
            [0.3, 0.7],
            [1.0, 0.0]
        ];
        for kind in [
            CovarianceType::Full,
            CovarianceType::Tied,
            CovarianceType::Diag,
            CovarianceType::Spherical,
        ] {
            let mixture = Mixture::m_step(z.view(), resp.view(), kind, 1e-6).unwrap();
            let (bound, resp) = mixture.e_step(z.view());
            let model = mixture.into_model().unwrap();
            let scores = model.score_samples(z.view()).unwrap();
            assert!((bound - scores.mean().unwrap()).abs() < 1e-12, "{kind:?}");
            let proba = model.predict_proba(z.view()).unwrap();
            assert!((&proba - &resp).iter().all(|v| v.abs() < 1e-12), "{kind:?}");
        }
    }

    #[test]
    fn m_step_moments_match_the_definitions() {
        let z = array![[0.0, 0.0], [2.0, 0.0], [0.0, 4.0], [2.0, 4.0]];
        let resp = array![[1.0], [1.0], [1.0], [1.0]];
        let m = Mixture::m_step(z.view(), resp.view(), CovarianceType::Diag, 0.5).unwrap();
        assert!((m.means[[0, 0]] - 1.0).abs() < 1e-12 && (m.means[[0, 1]] - 2.0).abs() < 1e-12);
        let Precision::Diag(u) = &m.precision else {
            panic!("diag")
        };
        // variances 1 + 0.5 and 4 + 0.5
        assert!((u[[0, 0]] - 1.5f64.powf(-0.5)).abs() < 1e-12);
        assert!((u[[0, 1]] - 4.5f64.powf(-0.5)).abs() < 1e-12);
        let s = Mixture::m_step(z.view(), resp.view(), CovarianceType::Spherical, 0.5).unwrap();
        let Precision::Spherical(s) = &s.precision else {
            panic!("spherical")
        };
        assert!((s[0] - 3.0f64.powf(-0.5)).abs() < 1e-12);
    }
}
