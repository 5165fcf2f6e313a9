//! Min pooling and soft-min (log-sum-exp) pooling.

use super::lanes;

/// Soft-min pooling `-log sum_j exp(-h_j)`, max-shifted:
/// `min h - log sum_j exp(-(h_j - min h))`, finite whenever every `h_j` is finite.
pub(crate) fn soft_min(h: &[f64]) -> f64 {
    let h_min = min(h);
    h_min - lanes::sum_exp(h, h_min).ln()
}

/// Hard min pooling.
pub(crate) fn min(h: &[f64]) -> f64 {
    lanes::min(h)
}

/// Soft-min weights `p_j = exp(-beta h_j) / sum_k exp(-beta h_k)` written into `out`
/// (max-shifted; normalized by the computed sum, so they add up to 1 up to rounding).
pub(crate) fn softmin_weights_into(h: &[f64], beta: f64, out: &mut [f64]) {
    let h_min = min(h);
    let mut sum = 0.0;
    for (p, &v) in out.iter_mut().zip(h) {
        *p = (-beta * (v - h_min)).exp();
        sum += *p;
    }
    for p in out.iter_mut() {
        *p /= sum;
    }
}
