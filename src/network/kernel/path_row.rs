//! The last step of `neon-path` (q = 2) for one row, on slices: the numerators from the
//! pooled centers and their rescaling to the output, in a few vectorized passes.
//!
//! With `W U` the pooled centers of the row (`(W U)_i = sum_j W_j u_ij`, one row of the
//! sub-chunk's matrix product), `K` pieces with midpoints `t_k` and `delta_i = z_i - r_i`:
//!
//! `N_i = (2 / K) delta_i (K r_i + (sum_k t_k) delta_i - (W U)_i)`,
//!
//! and, when usable (`sum N` not tiny and of the sign of `o - o_0`,
//! [`crate::lrp::rescale::usable_totals`]),
//!
//! `R_i = (o - o_0) N_i / sum N + o_0 / d`.
//!
//! `sum N` and `sum |N_i|` are each kept in [`LANES`] independent partial sums added in a
//! fixed order (the same bits on every compiled copy), instead of one serial chain per
//! sum: for a few dozen features the chains' latency, not the arithmetic, was the cost.

use crate::lrp::rescale::usable_totals;
use crate::network::dispatch::{dispatched, Level};

/// Independent partial sums of `sum N` and `sum |N_i|`.
const LANES: usize = 8;

/// The per-model constants of the numerators: `K`, `sum_k t_k` and `2 / K`.
#[derive(Debug, Clone, Copy)]
pub(super) struct PathConstants {
    /// `K`, the number of pieces.
    pub segments: f64,
    /// `sum_k t_k`.
    pub t_sum: f64,
    /// `2 / K`.
    pub scale: f64,
}

dispatched!(
    /// One row's numerators written into `relevance`, then, when usable, rescaled in place
    /// to `R_i = excess N_i / sum N + flat` (`excess = o - o_0`, `flat = o_0 / d`). Returns
    /// whether the row got its relevance: false when the numerators are unusable or a
    /// relevance is NaN (the caller then gives the row its `neon-floor` relevance).
    path_row_relevance, path_row_relevance_at, path_row_relevance_generic,
    (z: &[f64], reference: &[f64], pooled: &[f64], constants: PathConstants, excess: f64, flat: f64, relevance: &mut [f64]) -> bool
);

#[inline(always)]
fn path_row_relevance_generic(
    z: &[f64],
    reference: &[f64],
    pooled: &[f64],
    constants: PathConstants,
    excess: f64,
    flat: f64,
    relevance: &mut [f64],
) -> bool {
    let PathConstants {
        segments,
        t_sum,
        scale,
    } = constants;
    let d = relevance.len();
    let (z, reference, pooled) = (&z[..d], &reference[..d], &pooled[..d]);
    for (((n, &zi), &ri), &pi) in relevance.iter_mut().zip(z).zip(reference).zip(pooled) {
        let delta = zi - ri;
        let midpoint_sum = segments * ri + t_sum * delta;
        *n = scale * delta * (midpoint_sum - pi);
    }
    let (total, magnitude) = totals(relevance);
    if !usable_totals(total, magnitude, excess) {
        return false;
    }
    let share = excess / total;
    let mut nan = false;
    for r in relevance.iter_mut() {
        *r = share * *r + flat;
        nan |= r.is_nan();
    }
    !nan
}

/// `(sum_i N_i, sum_i |N_i|)`: [`LANES`] partial sums each over the whole groups, added in
/// lane order, then the rest in order.
#[inline(always)]
fn totals(values: &[f64]) -> (f64, f64) {
    let (mut total, mut magnitude) = ([0.0; LANES], [0.0; LANES]);
    let groups = values.chunks_exact(LANES);
    let rest = groups.remainder();
    for group in groups {
        for ((t, m), &v) in total.iter_mut().zip(magnitude.iter_mut()).zip(group) {
            *t += v;
            *m += v.abs();
        }
    }
    let add = |lanes: [f64; LANES]| lanes.iter().fold(0.0, |a, &v| a + v);
    let (mut total, mut magnitude) = (add(total), add(magnitude));
    for &v in rest {
        total += v;
        magnitude += v.abs();
    }
    (total, magnitude)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lrp::rescale::usable;

    const CONSTANTS: PathConstants = PathConstants {
        segments: 2.0,
        t_sum: 1.0,
        scale: 1.0,
    };

    fn row(d: usize, seed: f64) -> Vec<f64> {
        (0..d).map(|i| ((i as f64 + seed) * 1.37).sin()).collect()
    }

    /// The numerators and the rescaled relevance follow the formulas of the module docs
    /// (within rounding), conserve `excess + d flat`, and every compiled copy gives the
    /// portable bits; unusable rows are refused as `usable` refuses them.
    #[test]
    fn the_row_follows_the_formulas_on_every_compiled_copy() {
        for d in [1, 7, 8, 30, 61] {
            let (z, reference, pooled) = (row(d, 0.3), row(d, 5.1), row(d, 9.7));
            let numerators: Vec<f64> = (0..d)
                .map(|i| {
                    let delta = z[i] - reference[i];
                    delta * (2.0 * reference[i] + delta - pooled[i])
                })
                .collect();
            let sum: f64 = numerators.iter().sum();
            for excess in [0.7, -0.7, 0.0] {
                let flat = 0.01;
                let mut portable = vec![0.0; d];
                let ok = path_row_relevance_generic(
                    &z,
                    &reference,
                    &pooled,
                    CONSTANTS,
                    excess,
                    flat,
                    &mut portable,
                );
                assert_eq!(ok, usable(&numerators, excess), "d {d} excess {excess}");
                if ok {
                    for (r, n) in portable.iter().zip(&numerators) {
                        let expected = excess * n / sum + flat;
                        assert!((r - expected).abs() <= 1e-12 * (1.0 + expected.abs()));
                    }
                    let total: f64 = portable.iter().sum();
                    assert!((total - (excess + d as f64 * flat)).abs() < 1e-12);
                }
                for level in Level::available() {
                    let mut copy = vec![0.0; d];
                    let ok_level = path_row_relevance_at(
                        level, &z, &reference, &pooled, CONSTANTS, excess, flat, &mut copy,
                    );
                    assert_eq!(ok_level, ok, "{level:?}");
                    if ok {
                        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                        assert_eq!(bits(&copy), bits(&portable), "{level:?} d {d}");
                    }
                }
            }
        }
    }

    /// A row whose numerators cancel (`sum N` tiny against `sum |N|`) is refused.
    #[test]
    fn cancelling_numerators_are_refused() {
        // reference 0, delta = (1, 1), pooled (0, 2): N_i = delta_i (delta_i - pooled_i)
        // = (1, -1), sum 0.
        let ok = path_row_relevance_generic(
            &[1.0, 1.0],
            &[0.0, 0.0],
            &[0.0, 2.0],
            CONSTANTS,
            0.5,
            0.0,
            &mut [0.0, 0.0],
        );
        assert!(!ok);
    }
}
