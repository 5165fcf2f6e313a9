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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::test_matrix as matrix;

    /// The quarter form against the plain soft-min: within 1e-15 of `1 + |o|` on near rows,
    /// far rows (activations about 1e150) and spread activations, never NaN or inf; the
    /// one-pass exponentials give the same output and sum.
    #[test]
    fn the_quarter_form_follows_the_plain_soft_min() {
        let (mut worst, mut worst_sum): (f64, f64) = (0.0, 0.0);
        for (units, seed) in [(1, 1), (7, 2), (64, 3), (1_003, 4), (3_000, 5)] {
            let base = matrix(units, 1, seed).column(0).to_vec();
            for (offset, scale) in [(0.0, 1.0), (0.0, 40.0), (5.0, 900.0), (1e150, 1e149)] {
                let h: Vec<f64> = base.iter().map(|b| offset + scale * b.abs()).collect();
                let (quarter, plain) = (soft_min_quarter(&h), soft_min(&h));
                assert!(quarter.is_finite(), "{units} {offset} {scale}");
                let difference = (quarter - plain).abs() / (1.0 + plain.abs());
                assert!(
                    difference <= 1e-15,
                    "{units} {offset} {scale}: {difference}"
                );
                worst = worst.max(difference);
                let m = min(&h);
                let (sq, sp) = (lanes::sum_exp_quarter(&h, m), lanes::sum_exp(&h, m));
                assert!(
                    (sq - sp).abs() <= 2e-15 * sp,
                    "{units} {offset} {scale}: {sq} {sp}"
                );
                worst_sum = worst_sum.max((sq - sp).abs() / sp);
                let mut e = h.clone();
                let (o, total) = softmin_quarter_exps(&mut e, 1.0);
                assert_eq!(o.to_bits(), quarter.to_bits());
                assert!(total >= 1.0 && e.iter().all(|v| v.is_finite() && *v >= 0.0));
            }
        }
        eprintln!(
            "quarter form vs plain soft-min: max |difference| / (1 + |o|) = {worst:e}, \
             of the sums (relative) {worst_sum:e}"
        );
    }
}
