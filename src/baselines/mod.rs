//! The other explainers of the field, run by [`crate::Explainer::explain`] for the
//! techniques that are not LRP rule sets.
//!
//! Each explains the same output as NEON (outlierness for one-class SVMs and kernel
//! densities, the logit of the explained cluster for k-means, the cluster being fixed per
//! row to the one explained at x), against the explainer's reference x̃:
//!
//! | method | relevance `R_i` |
//! |---|---|
//! | `occlusion` | `f(x) - f(x with x_i <- x̃_i)` |
//! | `gradient-x-input` | `df/dx_i(x) (x_i - x̃_i)`, analytic gradient ([`Target`]) |
//! | `sensitivity` | `(df/dx_i(x))^2` |
//! | `integrated-gradients` | midpoint rule, `steps` points ([`gradient`]) |
//! | `taylor` | `df/dx_i(x0) (x_i - x0_i)` at a root point x0 ([`taylor`]) |
//! | `meaningful-perturbation` | deletion mask times `f(x)` ([`perturbation`]) |
//! | `shapley-sampling` | Monte-Carlo permutation Shapley values, `samples` permutations ([`shapley`]) |
//! | `random` | `U(-1, 1)`, a sanity baseline |
//!
//! Sampling methods draw from the stream `(seed, row index)`: results depend on the seed
//! and the row's index only, not on the thread count or the batch split.

pub(crate) mod gradient;
mod occlusion;
pub(crate) mod perturbation;
pub(crate) mod shapley;
mod target;
pub(crate) mod taylor;

pub(crate) use target::Target;

use crate::error::Result;
use crate::explainer::{Explanation, Prediction};
use crate::method::{Method, Technique};
use crate::rng::Rng;
use crate::Explainer;
use ndarray::{Array2, ArrayView2, Axis};
use occlusion::occlusion;
use rayon::prelude::*;

/// The cluster explained at each row: the chosen one, else the row's label (k-means); `None`
/// for models with a single explained output.
pub(crate) fn explained_clusters(
    prediction: &Prediction,
    cluster: Option<usize>,
) -> Vec<Option<usize>> {
    match prediction {
        Prediction::Labels(labels) => labels.iter().map(|&a| Some(cluster.unwrap_or(a))).collect(),
        Prediction::Values(values) => vec![None; values.len()],
    }
}

/// Explain every (checked, input-space) row of `x` with a method that is not an LRP rule
/// set. `first_row` is the index of `x`'s first row in the whole input.
pub(crate) fn explain_rows(
    explainer: &Explainer,
    x: ArrayView2<f64>,
    method: &Method,
    first_row: usize,
) -> Result<Explanation> {
    let forward = explainer.forward(x, method.cluster())?;
    let clusters = explained_clusters(&forward.prediction, method.cluster());
    let reference = explainer.reference().to_vec();
    let mut relevance = Array2::zeros(x.raw_dim());
    relevance
        .axis_iter_mut(Axis(0))
        .into_par_iter()
        .enumerate()
        .try_for_each(|(r, mut out)| {
            let target = Target::new(explainer, clusters[r]);
            let row = x.row(r).to_vec();
            let out = out.as_slice_mut().expect("owned rows");
            let mut rng = Rng::new(method.seed(), (first_row + r) as u64);
            let fx = forward.output[r];
            explain_row(&target, &row, fx, &reference, method, &mut rng, out)
        })?;
    Ok(Explanation {
        prediction: forward.prediction,
        output: forward.output,
        relevance,
    })
}

fn explain_row(
    target: &Target<'_>,
    x: &[f64],
    fx: f64,
    reference: &[f64],
    method: &Method,
    rng: &mut Rng,
    out: &mut [f64],
) -> Result<()> {
    match method.technique() {
        Technique::Occlusion => occlusion(target, x, fx, reference, out)?,
        Technique::GradientXInput => gradient::gradient_x_input(target, x, reference, out)?,
        Technique::Sensitivity => gradient::sensitivity(target, x, out)?,
        Technique::IntegratedGradients => {
            gradient::integrated_gradients(target, x, reference, method.steps(), out)?
        }
        Technique::Taylor => taylor::taylor(target, x, fx, reference, out)?,
        Technique::MeaningfulPerturbation => {
            perturbation::meaningful_perturbation(target, x, fx, reference, rng, out)?
        }
        Technique::ShapleySampling => {
            shapley::shapley_sampling(target, x, reference, method.samples(), rng, out)?
        }
        Technique::Random => out.iter_mut().for_each(|o| *o = 2.0 * rng.uniform() - 1.0),
        // The LRP rule sets are run by the networks (`Explainer::resolve`).
        Technique::Default | Technique::Neon(_) => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests;
