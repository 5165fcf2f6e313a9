//! `neon-path` at beta 1 for q = 2: both midpoints' weights and the output from ONE
//! exponential per row x unit pair.
//!
//! Along the path `a(t) = r + t (z - r)` the squared distance to a unit is a quadratic in
//! `t`, `||a(t) - u_j||^2 = D_r + t (D_z - D_r - s) + t^2 s` (`D_r = ||r - u_j||^2`,
//! `D_z = ||z - u_j||^2`, `s = ||z - r||^2`). With `c_j = gamma D_r + b_j` (the reference's
//! activations, fixed per model) and `H_j = gamma D_z + b_j` (the row's, from the forward
//! pass), the activations along the path are
//!
//! `h_j(t) = (1 - t) c_j + t H_j + t (t - 1) gamma s`,
//!
//! and the last term is the same for every unit, so it cancels in the soft-min weights:
//! `p_j(t) ∝ exp(-(1 - t) c_j) exp(-t H_j)`, the reference's pooling and the row's mixed
//! geometrically. With the row's quarter exponential `F_j = exp(-(H_j - min H) / 4)` (the
//! one exponential per pair) and the per-model constants
//! `A_j^(k) = exp(-(1 - k/4)(c_j - min c))`, the terms at the midpoints `t = 1/4, 3/4` of the
//! two pieces and at the row (`t = 1`) are powers of `F`:
//!
//! `T1_j = A_j^(1) F_j`, `T3_j = A_j^(3) F_j^3`, `T4_j = F_j^4`,
//!
//! so `W_j = p_j(1/4) + p_j(3/4) = T1_j / sum T1 + T3_j / sum T3`, and
//! `min H - ln sum T4` is the outlierness: the q = 2 forward pass pools with the same
//! `F_j^4` (`pool::soft_min_quarter`), in the same order of operations and of the sum, so
//! the explanation reports the bits that `score` prints with ONE exponential per pair.
//!
//! No overflow, no lost digits: `F_j <= 1` and `A_j^(k) <= 1`, so every term is at most 1;
//! the unit with `H_j = min H` has `F = 1`, so `sum T4 >= 1`, `sum T3 >= e^(-Δ/4)`,
//! `sum T1 >= e^(-3Δ/4)` with `Δ = max c - min c`. The form is used only when
//! `Δ <= `[`SPREAD_LIMIT`], so every sum is above `e^-450`, and a term that underflows (or
//! whose exponential is flushed to 0 below `e^-708`) is below `10^-112` of its sum. Models
//! with a wider spread (or another beta) keep the exact form, two more exponentials per
//! pair ([`super::path_squared`]).

use crate::network::dispatch::{dispatched, Level};
use crate::network::distance::DistanceLayer;
use crate::network::fast_exp::{exp_block, BLOCK};
use crate::network::lanes;

/// Largest spread `max c - min c` of the reference's activations for which the
/// one-exponential form keeps every sum above `e^-450` (module docs).
pub(super) const SPREAD_LIMIT: f64 = 600.0;

/// Independent partial sums of the row sums (a fixed order: deterministic results).
const LANES: usize = 8;

/// The per-model constants of the one-exponential form: `A_j^(1)` and `A_j^(3)`.
#[derive(Debug, Clone)]
pub(super) struct QuarterPowers {
    /// `exp(-3/4 (c_j - min c))`, the reference's share of the weights at `t = 1/4`.
    first: Vec<f64>,
    /// `exp(-1/4 (c_j - min c))`, the reference's share of the weights at `t = 3/4`.
    third: Vec<f64>,
}

/// The reference's activations `c_j = gamma D_r,j + b_j` and their minimum.
pub(super) fn reference_activations(
    layer: &DistanceLayer,
    reference_distances: &[f64],
) -> (Vec<f64>, f64) {
    let gamma = layer.gamma();
    let c: Vec<f64> = reference_distances
        .iter()
        .zip(layer.bias())
        .map(|(&dr, &b)| gamma * dr + b)
        .collect();
    let low = c.iter().copied().fold(f64::INFINITY, f64::min);
    (c, low)
}

impl QuarterPowers {
    /// The constants for a layer and its reference's distances `D_r`, or `None` where the
    /// form does not apply: beta other than 1, midpoints other than 1/4 and 3/4, or a
    /// spread of `c` above [`SPREAD_LIMIT`] (or not finite).
    pub(super) fn new(
        layer: &DistanceLayer,
        reference_distances: &[f64],
        beta: f64,
        midpoints: &[f64],
    ) -> Option<QuarterPowers> {
        if beta != 1.0 || midpoints != [0.25, 0.75] {
            return None;
        }
        let (c, low) = reference_activations(layer, reference_distances);
        let high = c.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        // NaN or infinite activations also refuse the form.
        let spread = high - low;
        if spread.is_nan() || spread > SPREAD_LIMIT {
            return None;
        }
        Some(QuarterPowers {
            first: c.iter().map(|&c| (-0.75 * (c - low)).exp()).collect(),
            third: c.iter().map(|&c| (-0.25 * (c - low)).exp()).collect(),
        })
    }

    /// [`quarter_row`] with these constants (`F` kept into `keep` unless it is empty).
    pub(super) fn row(&self, h: &mut [f64], w: &mut [f64], keep: &mut [f64]) -> f64 {
        quarter_row(h, &self.first, &self.third, w, keep)
    }
}

dispatched!(
    /// One row's activations `h` (`H_j`) to the summed midpoint weights
    /// `w_j = T1_j / sum T1 + T3_j / sum T3`; returns the outlierness `min H - ln sum T4`
    /// (the bits of `pool::soft_min_quarter`, the forward pass's).
    /// `h` is overwritten (it holds `T3` before the last pass). Unless `keep` is empty
    /// (then it is not touched) the quarter exponentials `F_j` are copied into it: the
    /// flip-ordered pass at beta 1 reuses them ([`super::path_flip_fused`]).
    quarter_row, quarter_row_at, quarter_row_generic,
    (h: &mut [f64], first: &[f64], third: &[f64], w: &mut [f64], keep: &mut [f64]) -> f64
);

#[inline(always)]
fn quarter_row_generic(
    h: &mut [f64],
    first: &[f64],
    third: &[f64],
    w: &mut [f64],
    keep: &mut [f64],
) -> f64 {
    let h_min = lanes::min(h);
    let mut sums = [Lanes::default(), Lanes::default()];
    // `sum T4` in the order of `lanes::sum_exp_quarter` (the forward pass's bits).
    let mut s4 = 0.0;
    let mut fourth = [0.0; BLOCK];
    let blocks = h
        .chunks_mut(BLOCK)
        .zip(w.chunks_mut(BLOCK))
        .zip(first.chunks(BLOCK).zip(third.chunks(BLOCK)));
    for (b, ((f, w), (a1, a3))) in blocks.enumerate() {
        // The operations of `lanes::quarter_exp_block` on `h_min - h_j`.
        for v in f.iter_mut() {
            *v = (h_min - *v) * 0.25;
        }
        exp_block(f);
        if let Some(kept) = keep.get_mut(b * BLOCK..b * BLOCK + f.len()) {
            kept.copy_from_slice(f);
        }
        // Plain maps (vectorized): T1 into `w`, T3 over `F`, T4 into a stack block.
        let t4 = &mut fourth[..f.len()];
        for ((((f, w), t4), &a1), &a3) in f
            .iter_mut()
            .zip(w.iter_mut())
            .zip(t4.iter_mut())
            .zip(a1)
            .zip(a3)
        {
            let f2 = *f * *f;
            *w = a1 * *f;
            *t4 = f2 * f2;
            *f = a3 * (f2 * *f);
        }
        sums[0].add(w);
        sums[1].add(f);
        s4 += lanes::block_sum(t4);
    }
    let [s1, s3] = sums.map(Lanes::total);
    let (inv1, inv3) = (1.0 / s1, 1.0 / s3);
    for (w, &t3) in w.iter_mut().zip(h.iter()) {
        *w = *w * inv1 + t3 * inv3;
    }
    h_min - s4.ln()
}

/// A sum kept in [`LANES`] independent partial sums plus a tail, added in a fixed order.
#[derive(Debug, Default, Clone, Copy)]
struct Lanes {
    partial: [f64; LANES],
    tail: f64,
}

impl Lanes {
    /// Add `values`: whole groups of [`LANES`] lane by lane, the rest to the tail in order.
    #[inline(always)]
    fn add(&mut self, values: &[f64]) {
        let groups = values.chunks_exact(LANES);
        let rest = groups.remainder();
        for group in groups {
            let group: &[f64; LANES] = group.try_into().expect("LANES values");
            for (p, &v) in self.partial.iter_mut().zip(group) {
                *p += v;
            }
        }
        for &v in rest {
            self.tail += v;
        }
    }

    /// The partial sums added in order, then the tail.
    #[inline(always)]
    fn total(self) -> f64 {
        self.partial.iter().fold(0.0, |a, &v| a + v) + self.tail
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::power::Power;
    use crate::rng::test_matrix as matrix;

    /// Softmax of `-h` (max-shifted, std exp): the weights' yardstick.
    fn softmin(h: &[f64]) -> Vec<f64> {
        let m = h.iter().copied().fold(f64::INFINITY, f64::min);
        let e: Vec<f64> = h.iter().map(|v| (m - v).exp()).collect();
        let s: f64 = e.iter().sum();
        e.iter().map(|v| v / s).collect()
    }

    fn layer(units: usize, d: usize, gamma: f64) -> DistanceLayer {
        let centers = matrix(units, d, 3);
        let bias = matrix(units, 1, 8).column(0).mapv(|b| 0.5 * b);
        DistanceLayer::new(Power::Two, gamma, centers, bias)
    }

    /// The weights and the output agree with the exact soft-min at the midpoints' own
    /// activations `gamma ||m - u||^2 + b` (exact differences), also for far rows.
    #[test]
    fn the_powers_give_the_midpoint_weights_and_the_output() {
        let (units, d) = (203, 5);
        for gamma in [0.05, 0.7, 3.0] {
            let layer = layer(units, d, gamma);
            let centers = layer.centers().to_owned();
            let bias = layer.bias().to_owned();
            let reference = matrix(1, d, 17).row(0).mapv(|v| 0.3 * v);
            let dist =
                |p: &[f64], j: usize| Power::Two.distance(p, centers.row(j).as_slice().unwrap());
            let d_r: Vec<f64> = (0..units)
                .map(|j| dist(reference.as_slice().unwrap(), j))
                .collect();
            let Some(powers) = QuarterPowers::new(&layer, &d_r, 1.0, &[0.25, 0.75]) else {
                continue;
            };
            let rows = matrix(6, d, 23);
            for scale in [0.1, 1.0, 4.0, 1e3] {
                for z in rows.outer_iter() {
                    let z: Vec<f64> = z.iter().map(|v| v * scale).collect();
                    let h: Vec<f64> = (0..units).map(|j| gamma * dist(&z, j) + bias[j]).collect();
                    let mut expected = vec![0.0; units];
                    for t in [0.25, 0.75] {
                        let m: Vec<f64> = reference
                            .iter()
                            .zip(&z)
                            .map(|(r, z)| r + t * (z - r))
                            .collect();
                        let hm: Vec<f64> =
                            (0..units).map(|j| gamma * dist(&m, j) + bias[j]).collect();
                        for (e, p) in expected.iter_mut().zip(softmin(&hm)) {
                            *e += p;
                        }
                    }
                    let m = h.iter().copied().fold(f64::INFINITY, f64::min);
                    let o_expected = m - h.iter().map(|v| (m - v).exp()).sum::<f64>().ln();
                    let (mut hh, mut w) = (h.clone(), vec![0.0; units]);
                    let mut kept = vec![0.0; units];
                    let o = powers.row(&mut hh, &mut w, &mut kept);
                    for (f, &hj) in kept.iter().zip(&h) {
                        let want = (-(hj - m) / 4.0).exp();
                        assert!((f - want).abs() <= 1e-15, "F {f} {want}");
                    }
                    let forward = crate::network::pool::soft_min_quarter(&h);
                    assert_eq!(o.to_bits(), forward.to_bits(), "the forward pass's bits");
                    assert!(
                        (o - o_expected).abs() <= 1e-12 * (1.0 + o_expected.abs()),
                        "{o} {o_expected}"
                    );
                    for (a, b) in w.iter().zip(&expected) {
                        assert!(
                            (a - b).abs() <= 1e-9,
                            "gamma {gamma} scale {scale}: {a} {b}"
                        );
                    }
                }
            }
        }
    }

    /// The form is refused where it does not apply.
    #[test]
    fn the_form_is_refused_off_beta_1_and_for_wide_spreads() {
        let layer = layer(50, 4, 0.5);
        let d_r = vec![1.0; 50];
        assert!(QuarterPowers::new(&layer, &d_r, 1.0, &[0.25, 0.75]).is_some());
        assert!(QuarterPowers::new(&layer, &d_r, 0.9, &[0.25, 0.75]).is_none());
        assert!(QuarterPowers::new(&layer, &d_r, 1.0, &[0.5]).is_none());
        let mut wide = d_r.clone();
        wide[7] = 2.0 * SPREAD_LIMIT / 0.5;
        assert!(QuarterPowers::new(&layer, &wide, 1.0, &[0.25, 0.75]).is_none());
        wide[7] = f64::INFINITY;
        assert!(QuarterPowers::new(&layer, &wide, 1.0, &[0.25, 0.75]).is_none());
    }

    /// Every compiled copy this CPU runs gives the portable bits.
    #[test]
    fn every_compiled_copy_gives_the_same_bits() {
        let units = 1_003;
        let h: Vec<f64> = (0..units)
            .map(|j| (j as f64 * 0.37).sin() * 30.0 + if j % 101 == 0 { 900.0 } else { 0.0 })
            .collect();
        let first: Vec<f64> = (0..units).map(|j| (-(j as f64 % 13.0)).exp()).collect();
        let third: Vec<f64> = first.iter().map(|a| a.powf(1.0 / 3.0)).collect();
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let (mut hp, mut wp, mut kp) = (h.clone(), vec![0.0; units], vec![0.0; units]);
        let op = quarter_row_generic(&mut hp, &first, &third, &mut wp, &mut kp);
        for level in Level::available() {
            for keep in [true, false] {
                let (mut hl, mut wl) = (h.clone(), vec![0.0; units]);
                let mut kl = vec![0.0; if keep { units } else { 0 }];
                let ol = quarter_row_at(level, &mut hl, &first, &third, &mut wl, &mut kl);
                assert_eq!(ol.to_bits(), op.to_bits(), "{level:?}");
                assert_eq!(bits(&wl), bits(&wp), "{level:?}");
                if keep {
                    assert_eq!(bits(&kl), bits(&kp), "{level:?}");
                }
            }
        }
    }
}
