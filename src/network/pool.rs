//! Min pooling and soft-min (log-sum-exp) pooling.

use super::lanes;

/// Soft-min pooling `-log sum_j exp(-h_j)`, max-shifted:
/// `min h - log sum_j exp(-(h_j - min h))`, finite whenever every `h_j` is finite.
pub(crate) fn soft_min(h: &[f64]) -> f64 {
    let h_min = min(h);
    h_min - lanes::sum_exp(h, h_min).ln()
}

/// The soft-min pooling of the q = 2 kernel networks (rbf, Gaussian KDE):
/// `min h - log sum_j F_j^4`, `F_j = exp(-(h_j - min h) / 4)` (`lanes::quarter_exp_block`),
/// the same value as [`soft_min`] to a few ulp. Every pass that reports their output uses
/// this form, so that `neon-path@1` can take the output from the quarter exponentials of its
/// midpoints (one exponential per pair) and still print the bits of the forward pass.
#[cfg(test)]
pub(crate) fn soft_min_quarter(h: &[f64]) -> f64 {
    let h_min = min(h);
    h_min - lanes::sum_exp_quarter(h, h_min).ln()
}

/// [`soft_min_quarter`] and the soft-min exponentials at `beta` in one go: returns the
/// output `o` and `S = sum_j e_j`, and overwrites `h` with `e_j`: `F_j^4` at beta 1 (one
/// exponential pass, its sum gives `o`), `exp(-beta (h_j - min h))` otherwise.
pub(crate) fn softmin_quarter_exps(h: &mut [f64], beta: f64) -> (f64, f64) {
    let h_min = min(h);
    if beta == 1.0 {
        let total = lanes::exp_quarter_sum_inplace(h, h_min);
        (h_min - total.ln(), total)
    } else {
        let output = h_min - lanes::sum_exp_quarter(h, h_min).ln();
        (output, lanes::exp_sum_inplace(h, h_min, beta))
    }
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
