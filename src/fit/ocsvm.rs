//! Fit a one-class SVM: libsvm's nu one-class problem, solved by [`smo`](super::smo).
//!
//! The fitted model follows scikit-learn's `OneClassSVM`: `dual_coef_` are the alphas > 0
//! (libsvm's one-class alphas, not rescaled: they sum to `nu * n`), `intercept_ = -rho`,
//! `offset_ = rho`, support vectors are the training rows with alpha > 0, and
//! `f(x) = sum_j alpha_j K(x, u_j) - rho`.

use super::ocsvm_params::OcSvmParams;
use super::one_class_q::OneClassQ;
use super::smo::{self, Solution};
use super::training::prepare;
use crate::error::{Error, Result};
use crate::{Model, OneClassSvm};
use ndarray::{Array1, ArrayView2, Axis};

/// A fitted one-class SVM with the solver's raw output.
#[derive(Debug, Clone)]
pub struct OcSvmFit {
    /// The model file's content: support vectors, dual coefficients, rho, scaler, reference,
    /// feature names and provenance.
    pub model: Model,
    /// The dual solution and rho, alpha indexed like the training rows.
    pub solution: Solution,
    /// The resolved kernel parameter.
    pub gamma: f64,
}

/// Solve libsvm's one-class dual on rows `z` (already in model space).
///
/// `min_a 1/2 a'Qa  s.t.  0 <= a_i <= 1, sum_i a_i = nu n`, `Q_ij = K(z_i, z_j)`; kernel
/// columns come from an LRU cache of `cache_mb` megabytes (the n x n matrix is never built).
/// `kernel_f32` rounds kernel values to f32 as libsvm does (see `OcSvmParams::kernel_f32`).
fn solve_one_class(
    z: ArrayView2<f64>,
    kernel: crate::Kernel,
    nu: f64,
    tol: f64,
    cache_mb: f64,
    shrinking: bool,
    kernel_f32: bool,
) -> Solution {
    let cache_bytes = (cache_mb * (1u64 << 20) as f64) as usize;
    let mut q = OneClassQ::new(kernel, kernel_f32, z, cache_bytes);
    smo::solve(&mut q, nu, tol, shrinking)
}

/// Fit on training rows `x` (input space, n x d); `feature_names`, one per column, are
/// stored in the model and name columns in errors.
pub fn fit_one_class_svm(
    x: ArrayView2<f64>,
    feature_names: Option<&[String]>,
    params: &OcSvmParams,
) -> Result<OcSvmFit> {
    params.check()?;
    let training = prepare(x, feature_names, params.standardize, 2)?;
    let gamma = params.gamma.resolve(training.z.view());
    if !(gamma.is_finite() && gamma > 0.0) {
        return Err(Error::parameter(
            "gamma",
            format!("resolved to {gamma}, which is not a finite number > 0"),
        ));
    }
    let kernel = params.kernel.with_gamma(gamma);
    let solution = solve_one_class(
        training.z.view(),
        kernel,
        params.nu,
        params.tol,
        params.cache_mb,
        params.shrinking,
        params.kernel_f32,
    );
    let support: Vec<usize> = (0..solution.alpha.len())
        .filter(|&i| solution.alpha[i] > 0.0)
        .collect();
    let svm = OneClassSvm::new(
        kernel,
        training.z.select(Axis(0), &support),
        support
            .iter()
            .map(|&i| solution.alpha[i])
            .collect::<Array1<f64>>(),
        solution.rho,
    )?;
    let mut provenance = serde_json::json!({
        "estimator": "one_class_svm",
        "gamma_value": gamma,
        "n_samples": x.nrows(),
        "n_support": support.len(),
        "iterations": solution.iterations,
    });
    if let (Some(into), serde_json::Value::Object(fields)) =
        (provenance.as_object_mut(), params.to_json())
    {
        into.extend(fields);
    }
    Ok(OcSvmFit {
        model: training.describe(Model::from(svm), provenance)?,
        solution,
        gamma,
    })
}
