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
use super::top_group::top_group;
use crate::lrp::rescale::usable_totals;
use crate::network::distance::DistanceLayer;
use crate::network::lanes;
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
    ///
    /// Returns the [`TOP`] group of the result (as `top_group` would) where it is known
    /// without a new scan: the first pass's group, which keeps its values, when every
    /// mixed value stays below them; `None` otherwise.
    pub(super) fn mix_row(
        &self,
        z: &[f64],
        reference: &[f64],
        (excess, flat): (f64, f64),
        relevance: &mut [f64],
        numer: &mut [f64],
    ) -> Option<[usize; TOP]> {
        let (share, top) = lean_share(relevance);
        if share <= 0.0 || excess.is_nan() || excess <= 0.0 {
            return Some(top);
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
        // The largest mixed value (the top group's places hold placeholders, which only
        // make the answer more cautious).
        let (mut mixed, mut highest) = (false, f64::NEG_INFINITY);
        if rest_excess > 0.0 && usable_totals(total, magnitude, rest_excess) {
            let scale = rest_excess / total;
            let mut finite = true;
            for (n, &r0) in numer.iter_mut().zip(relevance.iter()) {
                *n = (1.0 - share) * r0 + share * (scale * *n + flat);
                finite &= n.is_finite();
            }
            if finite {
                highest = lanes::max(numer);
                relevance.copy_from_slice(numer);
                mixed = true;
            }
        }
        for (&t, &v) in top.iter().zip(&kept) {
            if let Some(r) = relevance.get_mut(t) {
                *r = v;
            }
        }
        (!mixed || (in_top == TOP && highest < kept[TOP - 1])).then_some(top)
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
    let top = top_group(first);
    let positive = positive_sum(first);
    if positive.is_nan() || positive <= 0.0 {
        return (0.0, top);
    }
    let held: f64 = top
        .iter()
        .filter_map(|&i| first.get(i))
        .map(|v| v.max(0.0))
        .sum();
    let c = (held / positive).min(1.0);
    (LEAN_SCALE * c * c, top)
}

/// `sum_i max(v_i, 0)` in four independent partial sums (a fixed order), then the rest.
fn positive_sum(values: &[f64]) -> f64 {
    const LANES: usize = 4;
    let mut partial = [0.0; LANES];
    let blocks = values.chunks_exact(LANES);
    let tail = blocks.remainder();
    for block in blocks {
        for (p, &v) in partial.iter_mut().zip(block) {
            *p += v.max(0.0);
        }
    }
    let head = partial.iter().fold(0.0, |s, &p| s + p);
    tail.iter().fold(head, |s, &v| s + v.max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::power::Power;
    use crate::rng::test_matrix as matrix;
    use ndarray::Array1;

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
        let group = anchor.mix_row(&z, &r, (excess, flat), &mut rel, &mut numer);
        assert_eq!(group, Some(top_group(&rel)));
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
        let group = anchor.mix_row(&r, &r, (excess, flat), &mut at, &mut numer);
        assert_eq!(at, first);
        assert_eq!(group, Some(top_group(&first)));
    }

    /// Where the mix names the result's top group, it is the group a scan of the result
    /// finds; rows with a flat first pass (the mix lifts the rest past the top) get `None`.
    #[test]
    fn the_named_top_group_is_the_results() {
        let (units, d) = (30, 9);
        let centers = matrix(units, d, 5);
        let layer = DistanceLayer::new(Power::Two, 0.2, centers.clone(), Array1::zeros(units));
        let r = vec![0.0; d];
        let d_r: Vec<f64> = centers
            .outer_iter()
            .map(|u| Power::Two.distance(&r, u.as_slice().unwrap()))
            .collect();
        let anchor = LeanAnchor::new(&layer, &d_r, 1.0);
        let (mut named, mut unnamed) = (0, 0);
        for seed in 0..200 {
            let z = matrix(1, d, 100 + seed).row(0).mapv(|v| 2.0 * v).to_vec();
            let mut rel = matrix(1, d, 400 + seed).row(0).mapv(|v| v.abs()).to_vec();
            if seed % 4 == 0 {
                // Nearly flat: the mixed rest can pass the top group.
                rel.iter_mut().for_each(|v| *v = 1.0 + 1e-3 * *v);
            }
            let excess: f64 = rel.iter().sum();
            let mut numer = vec![0.0; d];
            match anchor.mix_row(&z, &r, (excess, 0.0), &mut rel, &mut numer) {
                Some(group) => {
                    assert_eq!(group, top_group(&rel), "seed {seed}");
                    named += 1;
                }
                None => unnamed += 1,
            }
        }
        assert!(named > 100 && unnamed > 0, "{named} named, {unnamed} not");
    }
}
