//! Soft-min pooling: forward and redistribution in one pass.

use crate::network::lanes;

/// Computes the pooled output `o = -log sum_j exp(-h_j)` (max-shifted) and overwrites `h`
/// with the unit relevances `R_j = softmin_j(beta h) * (o - floor)`, normalized by the
/// computed sum so that `sum_j R_j = o - floor` up to rounding (`floor` = 0: the NEON rule;
/// see `RuleSet::NeonFloor`). Returns `o`.
///
/// With `beta = 1` the exponentials of the forward pass are reused.
pub(crate) fn softmin_forward_redistribute(h: &mut [f64], beta: f64, floor: f64) -> f64 {
    let h_min = lanes::min(h);
    let output = if beta == 1.0 {
        lanes::exp_inplace(h, h_min, 1.0);
        h_min - lanes::sum(h).ln()
    } else {
        let output = h_min - lanes::sum_exp(h, h_min).ln();
        lanes::exp_inplace(h, h_min, beta);
        output
    };
    let scale = (output - floor) / lanes::sum(h);
    for v in h.iter_mut() {
        *v *= scale;
    }
    output
}

/// Unit relevances `R_k = softmin_k(beta h) * output` for a pool whose output is given
/// (hard-min forward, soft-min backward: the k-means logit).
pub(crate) fn softmin_redistribute_into(h: &[f64], beta: f64, output: f64, out: &mut [f64]) {
    crate::network::pool::softmin_weights_into(h, beta, out);
    for r in out.iter_mut() {
        *r *= output;
    }
}
