//! Soft-min pooling: forward and redistribution in one pass.

use crate::network::lanes;

/// Computes the pooled output `o = -log sum_j exp(-h_j)` (max-shifted) and overwrites `h`
/// with the unit relevances `R_j = softmin_j(beta h) * (o - floor)`, normalized by the
/// computed sum so that `sum_j R_j = o - floor` up to rounding (`floor` = 0: the NEON rule;
/// see `RuleSet::NeonFloor`). Returns `o`.
///
/// With `beta = 1` the exponentials of the forward pass are reused.
pub(crate) fn softmin_forward_redistribute(h: &mut [f64], beta: f64, floor: f64) -> f64 {
    let (output, total) = softmin_forward_exps(h, beta);
    let scale = (output - floor) / total;
    for v in h.iter_mut() {
        *v *= scale;
    }
    output
}

/// The first half of [`softmin_forward_redistribute`]: returns the pooled output `o` and
/// `S = sum_j e_j`, and overwrites `h` with `e_j = exp(-beta (h_j - min h))`; the unit
/// relevances are then `R_j = e_j (o - floor) / S`. One exponential pass when `beta = 1`.
pub(crate) fn softmin_forward_exps(h: &mut [f64], beta: f64) -> (f64, f64) {
    let h_min = lanes::min(h);
    if beta == 1.0 {
        let total = lanes::exp_sum_inplace(h, h_min, 1.0);
        (h_min - total.ln(), total)
    } else {
        let output = h_min - lanes::sum_exp(h, h_min).ln();
        (output, lanes::exp_sum_inplace(h, h_min, beta))
    }
}
