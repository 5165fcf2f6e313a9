//! Shapley values against the reference by Monte-Carlo permutation sampling
//! (Castro et al. 2009; Štrumbelj & Kononenko 2014): the value of a coalition S is
//! `v(S) = f(x_S, x̃_rest)`, and for P random permutations pi
//! `phi_i = (1/P) sum_pi [v(pre_pi(i) + {i}) - v(pre_pi(i))]`.
//! Each permutation is one chain of d + 1 points from x̃ to x, all evaluated as one batch;
//! `sum_i phi_i = f(x) - f(x̃)` exactly (up to rounding) for any P.

use super::Target;
use crate::error::Result;
use crate::rng::Rng;
use ndarray::Array2;

/// Sampled Shapley values of one row, `permutations` chains drawn from `rng`.
pub(crate) fn shapley_sampling(
    target: &Target<'_>,
    x: &[f64],
    reference: &[f64],
    permutations: usize,
    rng: &mut Rng,
    out: &mut [f64],
) -> Result<()> {
    let d = x.len();
    let mut orders = vec![vec![0usize; d]; permutations];
    let mut chains = Array2::zeros((permutations * (d + 1), d));
    for (p, order) in orders.iter_mut().enumerate() {
        rng.permutation_into(order);
        let mut point = reference.to_vec();
        chains.row_mut(p * (d + 1)).assign(&ndarray::aview1(&point));
        for (k, &i) in order.iter().enumerate() {
            point[i] = x[i];
            chains
                .row_mut(p * (d + 1) + k + 1)
                .assign(&ndarray::aview1(&point));
        }
    }
    let values = target.outputs(chains.view())?;
    out.fill(0.0);
    for (p, order) in orders.iter().enumerate() {
        for (k, &i) in order.iter().enumerate() {
            let base = p * (d + 1) + k;
            out[i] += values[base + 1] - values[base];
        }
    }
    for o in out.iter_mut() {
        *o /= permutations as f64;
    }
    Ok(())
}
