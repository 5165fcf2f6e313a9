//! Soft-min pooling: forward and redistribution in one pass.

use crate::network::fast_exp::exp;

/// Computes the pooled output `o = -log sum_j exp(-h_j)` (max-shifted) and overwrites `h`
/// with the unit relevances `R_j = softmin_j(beta h) * o`, normalized by the computed sum
/// so that `sum_j R_j = o` up to rounding. Returns `o`.
///
/// With `beta = 1` the exponentials of the forward pass are reused.
pub fn softmin_forward_redistribute(h: &mut [f64], beta: f64) -> f64 {
    let h_min = crate::network::pool::min(h);
    let output;
    let mut weight_sum = 0.0;
    if beta == 1.0 {
        for v in h.iter_mut() {
            *v = exp(h_min - *v);
            weight_sum += *v;
        }
        output = h_min - weight_sum.ln();
    } else {
        let mut sum = 0.0;
        for v in h.iter_mut() {
            sum += exp(h_min - *v);
            *v = exp(beta * (h_min - *v));
            weight_sum += *v;
        }
        output = h_min - sum.ln();
    }
    let scale = output / weight_sum;
    for v in h.iter_mut() {
        *v *= scale;
    }
    output
}

/// Unit relevances `R_k = softmin_k(beta h) * output` for a pool whose output is given
/// (hard-min forward, soft-min backward: the k-means logit).
pub fn softmin_redistribute_into(h: &[f64], beta: f64, output: f64, out: &mut [f64]) {
    crate::network::pool::softmin_weights_into(h, beta, out);
    for r in out.iter_mut() {
        *r *= output;
    }
}
