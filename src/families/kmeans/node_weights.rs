//! The soft-min weights of the k-means path rules for one row of the batch pass, from its
//! exponentials `A_k` and the reference's factors `B_jk` ([`super::path`]'s module docs):
//! the node terms as vectorized maps, their sums in eight lanes, then the normalized means.
//! Compiled for the CPU's best [`Level`] (the same IEEE operations in the same order on
//! every level, so the same bits).
//!
//! Node terms: `e1 = B_1k A_k`, `e3 = B_3k A_k^3`, `e5 = B_5k A_k^5` (the midpoints 1/6, 1/2,
//! 5/6 of `neon-path`'s pieces) and `e6 = A_k^6` (the row, s = 1, for `neon-spread`). With
//! `T_j` their sums:
//!
//! `p̄0_k = e1_k / (3 T_1) + e3_k / (3 T_3) + e5_k / (3 T_5)`,   `p̄2_k = e5_k / (2 T_5) + e6_k / (2 T_6)`.
//!
//! A row whose sums are not all finite and positive has no weights here (`None`): the
//! callers take the exact per-row form.

use crate::network::dispatch::{dispatched, Level};
use crate::network::lanes::sum_unrolled8;

// The means' 3 and 2 are `neon-path`'s pieces and `neon-spread`'s nodes nearer the row.
const _: () = assert!(super::path::PIECES == 3);

/// The reference's factors of one cluster range: `B_1k`, `B_3k`, `B_5k`.
pub(super) type Factors<'a> = (&'a [f64], &'a [f64], &'a [f64]);

dispatched!(
    /// `neon-path`'s mean weights `p̄0` into `p_mean` and their sum, from the row's
    /// exponentials `a` and `factors`; `terms` (3 k values) is scratch.
    path_weights, path_weights_at, path_weights_generic,
    (a: &[f64], factors: Factors<'_>, terms: &mut [f64], p_mean: &mut [f64]) -> Option<f64>
);

#[inline(always)]
fn path_weights_generic(
    a: &[f64],
    factors: Factors<'_>,
    terms: &mut [f64],
    p_mean: &mut [f64],
) -> Option<f64> {
    let k = a.len();
    let (e1, rest) = terms[..3 * k].split_at_mut(k);
    let (e3, e5) = rest.split_at_mut(k);
    midpoint_terms(a, factors, [&mut *e1, &mut *e3, &mut *e5]);
    let totals = [sum_unrolled8(e1), sum_unrolled8(e3), sum_unrolled8(e5)];
    let inv = usable(totals)?.map(|t| 1.0 / (3.0 * t));
    mean_of_midpoints([e1, e3, e5], inv, &mut p_mean[..k]);
    Some(sum_unrolled8(&p_mean[..k]))
}

dispatched!(
    /// `neon-spread`'s two mean weights, `p̄0` (the bits of [`path_weights`]) into `p_mean`
    /// and `p̄2` into `q_mean`, and their sums; `terms` (4 k values) is scratch.
    spread_weights, spread_weights_at, spread_weights_generic,
    (a: &[f64], factors: Factors<'_>, terms: &mut [f64], means: (&mut [f64], &mut [f64])) -> Option<(f64, f64)>
);

#[inline(always)]
fn spread_weights_generic(
    a: &[f64],
    factors: Factors<'_>,
    terms: &mut [f64],
    (p_mean, q_mean): (&mut [f64], &mut [f64]),
) -> Option<(f64, f64)> {
    let k = a.len();
    let (e1, rest) = terms[..4 * k].split_at_mut(k);
    let (e3, rest) = rest.split_at_mut(k);
    let (e5, e6) = rest.split_at_mut(k);
    midpoint_terms(a, factors, [&mut *e1, &mut *e3, &mut *e5]);
    for (e6, &a) in e6.iter_mut().zip(a) {
        let a2 = a * a;
        *e6 = a2 * a2 * a2;
    }
    let totals = [&*e1, &*e3, &*e5, &*e6].map(sum_unrolled8);
    let totals = usable(totals)?;
    let inv = [totals[0], totals[1], totals[2]].map(|t| 1.0 / (3.0 * t));
    let (p_mean, q_mean) = (&mut p_mean[..k], &mut q_mean[..k]);
    mean_of_midpoints([e1, e3, e5], inv, p_mean);
    let (n5, n6) = (1.0 / (2.0 * totals[2]), 1.0 / (2.0 * totals[3]));
    for ((q, &e5), &e6) in q_mean.iter_mut().zip(&*e5).zip(&*e6) {
        *q = e5 * n5 + e6 * n6;
    }
    Some((sum_unrolled8(p_mean), sum_unrolled8(q_mean)))
}

/// `e1 = B_1 A`, `e3 = B_3 A^3`, `e5 = B_5 A^5` per cluster.
#[inline(always)]
fn midpoint_terms(a: &[f64], (b1, b3, b5): Factors<'_>, [e1, e3, e5]: [&mut [f64]; 3]) {
    let k = a.len();
    let (b1, b3, b5) = (&b1[..k], &b3[..k], &b5[..k]);
    for (i, &a) in a.iter().enumerate() {
        let a2 = a * a;
        e1[i] = b1[i] * a;
        e3[i] = b3[i] * a2 * a;
        e5[i] = b5[i] * a2 * a2 * a;
    }
}

/// `p̄0_k = e1_k inv_1 + e3_k inv_3 + e5_k inv_5`.
#[inline(always)]
fn mean_of_midpoints([e1, e3, e5]: [&[f64]; 3], inv: [f64; 3], p_mean: &mut [f64]) {
    for (((p, &e1), &e3), &e5) in p_mean.iter_mut().zip(e1).zip(e3).zip(e5) {
        *p = e1 * inv[0] + e3 * inv[1] + e5 * inv[2];
    }
}

/// The sums where all are finite and positive.
#[inline(always)]
fn usable<const N: usize>(totals: [f64; N]) -> Option<[f64; N]> {
    totals
        .iter()
        .all(|t| t.is_finite() && *t > 0.0)
        .then_some(totals)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::test_matrix;

    /// Every compiled copy gives the bits of the portable one, `spread_weights`' first
    /// means are `path_weights`' bits, both means sum to 1 within rounding, and a row
    /// whose terms all underflow has no weights.
    #[test]
    fn the_weights_agree_across_levels_and_rules() {
        let k = 37;
        let draws = test_matrix(4, k, 3).mapv(|v| (-v.abs()).exp());
        let column = |j: usize| draws.row(j).to_vec();
        let (a, b1, b3, b5) = (column(0), column(1), column(2), column(3));
        let factors = (&b1[..], &b3[..], &b5[..]);
        let mut terms = vec![0.0; 4 * k];
        let spread_at = |level| {
            let (mut p, mut q) = (vec![0.0; k], vec![0.0; k]);
            let sums =
                spread_weights_at(level, &a, factors, &mut vec![0.0; 4 * k], (&mut p, &mut q));
            (sums, p, q)
        };
        let (sums, p, q) = spread_at(Level::Portable);
        let (p_sum, q_sum) = sums.expect("usable");
        assert!((p_sum - 1.0).abs() < 1e-14 && (q_sum - 1.0).abs() < 1e-14);
        for level in Level::available() {
            assert_eq!(spread_at(level), (sums, p.clone(), q.clone()), "{level:?}");
            let mut path = vec![0.0; k];
            let path_sum = path_weights_at(level, &a, factors, &mut terms, &mut path);
            assert_eq!((path_sum, &path), (Some(p_sum), &p), "{level:?}");
        }
        let zeros = vec![0.0; k];
        let mut out = vec![0.0; k];
        assert_eq!(path_weights(&zeros, factors, &mut terms, &mut out), None);
    }
}
