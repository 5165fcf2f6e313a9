//! Fit a Gaussian mixture by expectation-maximization, as scikit-learn's `GaussianMixture`
//! (1.9, `init_params="kmeans"`): each of `n_init` runs starts from the one-hot
//! responsibilities of a seeded k-means (k-means++ seeding, Lloyd iterations), then
//! alternates M- and E-steps (`em.rs`) until the mean log-likelihood (the lower bound)
//! changes by less than `tol` or `max_iter` steps have run. The run with the highest final
//! lower bound is kept, its parameters after the last M-step, as scikit-learn does.
//!
//! Numerics in f64, exact differences `z - μ_k`, a max-shifted log-sum-exp, `reg_covar`
//! added to every covariance's diagonal.

mod em;
mod init;
mod params;

pub use params::GmmParams;

use super::training::{distinct_rows, prepare};
use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::Model;
use em::Mixture;
use ndarray::ArrayView2;

/// A fitted Gaussian mixture with what the kept run gave.
#[derive(Debug, Clone)]
pub struct GmmFit {
    /// The `gaussian_mixture` model (scaler, reference, feature names, provenance).
    pub model: Model,
    /// Mean `log p(z_i)` of the final model over the training rows (model space):
    /// scikit-learn's `score(z)`.
    pub log_likelihood: f64,
    /// The kept run's final lower bound (scikit-learn's `lower_bound_`: the mean
    /// log-likelihood before the last M-step).
    pub lower_bound: f64,
    /// EM iterations of the kept run.
    pub n_iter: usize,
    /// Whether the kept run converged within `max_iter`.
    pub converged: bool,
    /// The seed of the kept run.
    pub best_seed: u64,
}

/// One EM run: (final lower bound, iterations, converged, mixture).
fn run(z: ArrayView2<f64>, params: &GmmParams, seed: u64) -> Result<(f64, usize, bool, Mixture)> {
    let resp = init::kmeans_responsibilities(z, params.components, &mut Rng::new(seed, 0));
    let mut mixture = Mixture::m_step(z, resp.view(), params.covariance, params.reg_covar)?;
    let mut bound = f64::NEG_INFINITY;
    for iteration in 1..=params.max_iter {
        let previous = bound;
        let (mean_log_p, resp) = mixture.e_step(z);
        mixture = Mixture::m_step(z, resp.view(), params.covariance, params.reg_covar)?;
        bound = mean_log_p;
        if (bound - previous).abs() < params.tol {
            return Ok((bound, iteration, true, mixture));
        }
    }
    Ok((bound, params.max_iter, false, mixture))
}

/// Fit on training rows `x` (input space). Errors: bad parameters, fewer distinct rows
/// than components, non-finite values, and a covariance that is not positive definite even
/// with `reg_covar` (named by component).
pub fn fit_gaussian_mixture(
    x: ArrayView2<f64>,
    feature_names: Option<&[String]>,
    params: &GmmParams,
) -> Result<GmmFit> {
    params.check()?;
    let training = prepare(x, feature_names, params.standardize, 2)?;
    let z = training.z.view();
    if params.components > z.nrows() {
        return Err(Error::parameter(
            "components",
            format!(
                "components = {} is greater than the number of training rows ({})",
                params.components,
                z.nrows()
            ),
        ));
    }
    let distinct = distinct_rows(z);
    if params.components > distinct {
        return Err(Error::parameter(
            "components",
            format!(
                "components = {} is greater than the number of distinct training rows ({distinct})",
                params.components
            ),
        ));
    }
    let mut best: Option<(f64, usize, bool, Mixture, u64)> = None;
    for r in 0..params.n_init {
        let seed = params.seed.wrapping_add(r as u64);
        let (bound, n_iter, converged, mixture) = run(z, params, seed)?;
        if best.as_ref().is_none_or(|b| bound > b.0) {
            best = Some((bound, n_iter, converged, mixture, seed));
        }
    }
    let (lower_bound, n_iter, converged, mixture, best_seed) = best.expect("n_init >= 1");
    let mixture = mixture.into_model()?;
    let log_likelihood = mixture.score_samples(z)?.mean().expect("rows >= 2");
    if !log_likelihood.is_finite() {
        return Err(Error::parameter(
            "input",
            format!("the fitted mixture's mean log-likelihood is not finite ({log_likelihood}); standardize the input"),
        ));
    }
    let provenance = serde_json::json!({
        "estimator": "gaussian_mixture",
        "backend": "neuralize EM",
        "components": params.components,
        "covariance_type": params.covariance.name(),
        "reg_covar": params.reg_covar,
        "n_init": params.n_init,
        "max_iter": params.max_iter,
        "tol": params.tol,
        "seed": params.seed,
        "best_seed": best_seed,
        "standardize": params.standardize,
        "n_samples": x.nrows(),
        "n_iter": n_iter,
        "converged": converged,
        "lower_bound": lower_bound,
        "log_likelihood": log_likelihood,
    });
    let model = training.describe(Model::from(mixture), provenance)?;
    Ok(GmmFit {
        model,
        log_likelihood,
        lower_bound,
        n_iter,
        converged,
        best_seed,
    })
}
