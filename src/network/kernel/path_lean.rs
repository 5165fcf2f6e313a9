//! `neon-lean` on an rbf kernel network (q = 2): `neon-path` with the relevance of all but
//! its top features re-shared, per row, by the path rule whose soft-min weights are frozen
//! at the reference.
//!
//! With `delta = z - r`, the reference's soft-min weights `p(r) = softmin(beta h(r))`
//! (`h_j(r) = gamma ||r - u_j||^2 + b_j`) and its pooled centers `a = p(r) U` (one vector
//! of `d` values per model), each unit's change from r to z split exactly over the features
//! (squared distances are separable) under the frozen weights gives
//!
//! `N_ref,i = sum_j p_j(r) ((z_i - u_ji)^2 - (r_i - u_ji)^2) = delta_i (z_i + r_i - 2 a_i)`.
//!
//! With `R0` the `neon-path` relevance, `T` its [`TOP`] largest values (ties: lower index
//! first), `c = sum_T max(R0_i, 0) / sum_i max(R0_i, 0)` and the rest's relevance above its
//! flat floor `E = sum_(i not in T) (R0_i - o_0 / d)`:
//!
//! `R_i = R0_i` for `i` in `T`,
//! `R_i = (1 - l) R0_i + l (E N_ref,i / sum_(k not in T) N_ref,k + o_0 / d)` otherwise,
//! `l = c^2`,
//!
//! which conserves (the rest's sum is kept) and keeps the top group's values, so its order
//! and `neon-path`'s top-3 precision. Rows where a few features dominate (e.g. a few pixels
//! far out after a scaler) re-share nearly all of the rest: the other features are then
//! weighed against the units near the reference rather than against the units that the few
//! far features pick out, which is what feature flipping sees once those few are flipped
//! (`neon-focus` measures that state along a second path, at the cost of a second
//! exponential per pair; this rule needs no new exponential and no new matrix product).
//! Rows with spread relevance keep nearly `neon-path`. Rows whose `neon-path` numerators
//! are unusable keep their `neon-floor` relevance; rows with `o <= o_0`, `E <= 0`, the
//! rest's `sum N_ref` tiny or not > 0, or a non-finite mix keep `R0`.
//!
//! Cost per row over `neon-path`: `O(d)` (a top-3 scan, the numerators, the mix).

use super::path_flip::TOP;
use super::path_quarter::reference_activations;
use crate::lrp::rescale::usable_totals;
use crate::network::distance::DistanceLayer;
use crate::network::pool;

/// `neon-lean`'s share of the reference-pooled relevance of the rest: `l = LEAN_SCALE c^2`
/// (1: chosen over 1/2 on the documented held-out sets, confirmed on the fresh ones;
/// docs/faithfulness.md, "Reference-pooled rest").
pub(crate) const LEAN_SCALE: f64 = 1.0;

/// The per-model input of `neon-lean`: the reference's pooled centers.
#[derive(Debug, Clone)]
pub(super) struct LeanAnchor {
    /// `2 a = 2 p(r) U`, `d` values.
    twice_pooled: Vec<f64>,
}

impl LeanAnchor {
    /// The reference's pooled centers `p(r) U` at `beta`, from its distances to the units.
    pub(super) fn new(layer: &DistanceLayer, reference_distances: &[f64], beta: f64) -> Self {
        let (h, _) = reference_activations(layer, reference_distances);
        let mut p = vec![0.0; h.len()];
        pool::softmin_weights_into(&h, beta, &mut p);
        let centers = layer.centers();
        let mut twice_pooled = vec![0.0; layer.n_features()];
        for (&pj, u) in p.iter().zip(centers.outer_iter()) {
            if pj == 0.0 {
                continue;
            }
            for (a, &v) in twice_pooled.iter_mut().zip(u.iter()) {
                *a += pj * v;
            }
        }
        twice_pooled.iter_mut().for_each(|a| *a *= 2.0);
        LeanAnchor { twice_pooled }
    }

    /// Mix the row's `neon-path` relevance `relevance` (usable, summing to `o`) with the
    /// reference-pooled relevance of its other features in place; `excess = o - o_0`,
    /// `flat = o_0 / d`, `numer` a buffer of `d` values. Leaves `relevance` unchanged where
    /// the share is 0 or the reference-pooled numerators are unusable.
    pub(super) fn mix_row(
        &self,
        z: &[f64],
        reference: &[f64],
        (excess, flat): (f64, f64),
        relevance: &mut [f64],
        numer: &mut [f64],
    ) {
        let (share, top) = lean_share(relevance);
        if share <= 0.0 || excess.is_nan() || excess <= 0.0 {
            return;
        }
        let d = relevance.len();
        let numer = &mut numer[..d];
        for (((n, &zi), &ri), &ai) in numer
            .iter_mut()
            .zip(z)
            .zip(reference)
            .zip(&self.twice_pooled)
        {
            *n = (zi - ri) * (zi + ri - ai);
        }
        // The top group out of both sums: zeros in its places (exact), restored below.
        let mut kept = [0.0; TOP];
        let mut in_top = 0;
        for (k, &t) in top.iter().enumerate() {
            if let Some(v) = relevance.get_mut(t) {
                kept[k] = *v;
                *v = 0.0;
                numer[t] = 0.0;
                in_top += 1;
            }
        }
        let (total, magnitude, rest) = rest_sums(numer, relevance);
        // The rest's relevance above its flat floor, shared by the numerators.
        let rest_excess = rest - (d - in_top) as f64 * flat;
        if rest_excess > 0.0 && usable_totals(total, magnitude, rest_excess) {
            let scale = rest_excess / total;
            let mut finite = true;
            for (n, &r0) in numer.iter_mut().zip(relevance.iter()) {
                *n = (1.0 - share) * r0 + share * (scale * *n + flat);
                finite &= n.is_finite();
            }
            if finite {
                relevance.copy_from_slice(numer);
            }
        }
        for (&t, &v) in top.iter().zip(&kept) {
            if let Some(r) = relevance.get_mut(t) {
                *r = v;
            }
        }
    }
}

/// `(sum_i N_i, sum_i |N_i|, sum_i R_i)` in four independent partial sums each (a fixed
/// order: the same bits whatever the sub-chunk), then the rest in order.
fn rest_sums(numer: &[f64], relevance: &[f64]) -> (f64, f64, f64) {
    const LANES: usize = 4;
    let (mut t, mut m, mut r) = ([0.0; LANES], [0.0; LANES], [0.0; LANES]);
    let pairs = numer.chunks_exact(LANES).zip(relevance.chunks_exact(LANES));
    for (n, rel) in pairs {
        for k in 0..LANES {
            t[k] += n[k];
            m[k] += n[k].abs();
            r[k] += rel[k];
        }
    }
    let done = numer.len() / LANES * LANES;
    let fold = |a: [f64; LANES]| a.iter().fold(0.0, |s, &v| s + v);
    let (mut total, mut magnitude, mut rest) = (fold(t), fold(m), fold(r));
    for (&n, &rel) in numer[done..].iter().zip(&relevance[done..]) {
        total += n;
        magnitude += n.abs();
        rest += rel;
    }
    (total, magnitude, rest)
}

/// `(l, top)`: the indices `top` of the [`TOP`] largest values of `first` (ties: lower
/// index first; `usize::MAX` where `first` has fewer) and `l = LEAN_SCALE c^2`, `c` the
/// share of the positive values of `first` held by them (0 without positive values).
pub(super) fn lean_share(first: &[f64]) -> (f64, [usize; TOP]) {
    let mut top = [usize::MAX; TOP];
    let mut values = [f64::NEG_INFINITY; TOP];
    let mut positive = 0.0;
    for (i, &v) in first.iter().enumerate() {
        positive += v.max(0.0);
        // Keep the TOP largest, descending; strict comparisons keep the lower index first.
        if v > values[TOP - 1] {
            let mut k = TOP - 1;
            while k > 0 && values[k - 1] < v {
                values[k] = values[k - 1];
                top[k] = top[k - 1];
                k -= 1;
            }
            values[k] = v;
            top[k] = i;
        }
    }
    if positive.is_nan() || positive <= 0.0 {
        return (0.0, top);
    }
    let held: f64 = values.iter().map(|v| v.max(0.0)).sum();
    let c = (held / positive).min(1.0);
    (LEAN_SCALE * c * c, top)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::power::Power;
    use crate::rng::test_matrix as matrix;

    /// The share follows the formula (only positive relevance counts) and the top group is
    /// the 3 largest values, ties by lower index.
    #[test]
    fn the_share_follows_the_formula() {
        let first = [4.0, -1.0, 1.0, 0.5, 2.0, -3.0];
        let c: f64 = 7.0 / 7.5;
        let (l, top) = lean_share(&first);
        assert!((l - c * c).abs() < 1e-15);
        assert_eq!(top, [0, 4, 2]);
        assert_eq!(lean_share(&[-1.0, 0.0, -2.0]), (0.0, [1, 0, 2]));
        assert_eq!(lean_share(&[3.0, -1.0, 0.0, -2.0]), (1.0, [0, 2, 1]));
        let c: f64 = 5.0 / 7.0;
        let (l, top) = lean_share(&[1.0, 2.0, 1.0, 2.0, 1.0]);
        assert!((l - c * c).abs() < 1e-15);
        assert_eq!(top, [1, 3, 0]);
        assert_eq!(lean_share(&[2.0, 1.0]), (1.0, [0, 1, usize::MAX]));
    }

    /// The top 3 keep their values; the rest's total is shared over the rest by the exact
    /// split of each unit's change under the reference's weights; the mix conserves.
    #[test]
    fn the_rest_is_shared_by_the_reference_pooled_split_and_the_mix_conserves() {
        let (units, d) = (40, 6);
        let centers = matrix(units, d, 3);
        let bias = matrix(units, 1, 8).column(0).mapv(|b| 0.5 * b);
        let layer = DistanceLayer::new(Power::Two, 0.3, centers.clone(), bias.clone());
        let r = matrix(1, d, 17).row(0).mapv(|v| 0.3 * v).to_vec();
        let d_r: Vec<f64> = centers
            .outer_iter()
            .map(|u| Power::Two.distance(&r, u.as_slice().unwrap()))
            .collect();
        let beta = 0.7;
        let anchor = LeanAnchor::new(&layer, &d_r, beta);
        let h: Vec<f64> = d_r.iter().zip(&bias).map(|(dr, b)| 0.3 * dr + b).collect();
        let mut p = vec![0.0; units];
        pool::softmin_weights_into(&h, beta, &mut p);
        let mut z: Vec<f64> = matrix(1, d, 29).row(0).to_vec();
        z[2] += 9.0;
        for i in [1, 3, 5] {
            z[i] += 3.0;
        }
        let mut split = vec![0.0; d];
        for (j, u) in centers.outer_iter().enumerate() {
            for i in 0..d {
                split[i] += p[j] * ((z[i] - u[i]).powi(2) - (r[i] - u[i]).powi(2));
            }
        }
        let (excess, flat) = (2.5, -0.1);
        // A first pass summing to excess + d flat, with a dominant feature.
        let mut rel = vec![0.6, 0.05, 0.9, 0.1, 0.2, 0.05];
        let shift = (excess + d as f64 * flat - rel.iter().sum::<f64>()) / d as f64;
        rel.iter_mut().for_each(|v| *v += shift);
        let first = rel.clone();
        let (l, top) = lean_share(&first);
        assert_eq!(top, [2, 0, 4]);
        assert!(l > 0.3, "{l}");
        let rest = [1, 3, 5];
        let rest_excess: f64 = rest.iter().map(|&i| first[i] - flat).sum();
        let total: f64 = rest.iter().map(|&i| split[i]).sum();
        assert!(total > 0.0 && rest_excess > 0.0);
        let mut numer = vec![0.0; d];
        anchor.mix_row(&z, &r, (excess, flat), &mut rel, &mut numer);
        for i in 0..d {
            let want = if top.contains(&i) {
                first[i]
            } else {
                (1.0 - l) * first[i] + l * (rest_excess * split[i] / total + flat)
            };
            assert!(
                (rel[i] - want).abs() < 1e-12,
                "feature {i}: {} {want}",
                rel[i]
            );
        }
        let sum: f64 = rel.iter().sum();
        assert!((sum - (excess + d as f64 * flat)).abs() < 1e-12);
        // At the reference every numerator is 0: unchanged.
        let mut at = first.clone();
        anchor.mix_row(&r, &r, (excess, flat), &mut at, &mut numer);
        assert_eq!(at, first);
    }
}
