//! `neon-lean` on an rbf kernel network (q = 2): `neon-path` mixed, per row, with the path
//! rule whose soft-min weights are frozen at the reference.
//!
//! With `delta = z - r`, the reference's soft-min weights `p(r) = softmin(beta h(r))`
//! (`h_j(r) = gamma ||r - u_j||^2 + b_j`) and its pooled centers `a = p(r) U` (one vector
//! of `d` values per model), each unit's change from r to z split exactly over the features
//! (squared distances are separable) under the frozen weights gives
//!
//! `N_ref,i = sum_j p_j(r) ((z_i - u_ji)^2 - (r_i - u_ji)^2) = delta_i (z_i + r_i - 2 a_i)`,
//!
//! `R_ref,i = (o - o_0) N_ref,i / sum_i' N_ref,i' + o_0 / d` (conserving, as `neon-path`).
//! With `R0` the `neon-path` relevance and `c` the share of the row's positive `R0` held by
//! its [`TOP`] largest values, `c = sum_top max(R0_i, 0) / sum_i max(R0_i, 0)`,
//!
//! `R = (1 - l) R0 + l R_ref`,   `l = `[`LEAN_SCALE`]` c^2`
//!
//! (both sum to `o`, so every `l` conserves). Rows where a few features dominate (e.g. a
//! few pixels far out after a scaler) take up to half of the reference-pooled rule: their
//! other features are then weighed against the units near the reference rather than
//! against the units that the few far features pick out, which is what feature flipping
//! sees once those few are flipped (`neon-focus` measures that state along a second path,
//! at the cost of a second exponential per pair; this rule needs no new exponential and no
//! new matrix product). Rows with spread relevance keep nearly `neon-path`. Rows whose
//! `neon-path` numerators are unusable keep their `neon-floor` relevance, rows whose
//! `N_ref` is unusable (`sum N_ref` tiny or not > 0, or `o <= o_0`) or not finite keep
//! `R0`.
//!
//! Cost per row over `neon-path`: `O(d)` (the numerators, a top-3 scan, the mix).

use super::path_flip::TOP;
use super::path_quarter::reference_activations;
use crate::lrp::rescale::usable_totals;
use crate::network::distance::DistanceLayer;
use crate::network::pool;

/// `neon-lean`'s share of the reference-pooled relevance: `l = LEAN_SCALE c^2` (at most
/// 1/2, the largest share `neon-focus` gives its second path).
pub(crate) const LEAN_SCALE: f64 = 0.5;

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
    /// reference-pooled relevance in place; `excess = o - o_0`, `flat = o_0 / d`, `numer`
    /// a buffer of `d` values. Leaves `relevance` unchanged where the share is 0 or the
    /// reference-pooled numerators are unusable.
    pub(super) fn mix_row(
        &self,
        z: &[f64],
        reference: &[f64],
        (excess, flat): (f64, f64),
        relevance: &mut [f64],
        numer: &mut [f64],
    ) {
        let share = lean_share(relevance);
        if share <= 0.0 || excess.is_nan() || excess <= 0.0 {
            return;
        }
        let d = relevance.len();
        let numer = &mut numer[..d];
        let (mut total, mut magnitude) = (0.0, 0.0);
        for (((n, &zi), &ri), &ai) in numer
            .iter_mut()
            .zip(z)
            .zip(reference)
            .zip(&self.twice_pooled)
        {
            *n = (zi - ri) * (zi + ri - ai);
            total += *n;
            magnitude += n.abs();
        }
        if !usable_totals(total, magnitude, excess) {
            return;
        }
        let scale = excess / total;
        for (n, &r0) in numer.iter_mut().zip(relevance.iter()) {
            *n = (1.0 - share) * r0 + share * (scale * *n + flat);
        }
        if numer.iter().all(|v| v.is_finite()) {
            relevance.copy_from_slice(numer);
        }
    }
}

/// `l = LEAN_SCALE c^2`, `c` the share of the positive values of `first` held by its
/// [`TOP`] largest (0 without positive values).
pub(super) fn lean_share(first: &[f64]) -> f64 {
    let mut top = [0.0f64; TOP];
    let mut positive = 0.0;
    for &v in first {
        let v = v.max(0.0);
        positive += v;
        // Keep the TOP largest positive values, descending.
        if v > top[TOP - 1] {
            let mut k = TOP - 1;
            while k > 0 && top[k - 1] < v {
                top[k] = top[k - 1];
                k -= 1;
            }
            top[k] = v;
        }
    }
    if positive.is_nan() || positive <= 0.0 {
        return 0.0;
    }
    let held: f64 = top.iter().sum();
    let c = (held / positive).min(1.0);
    LEAN_SCALE * c * c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::power::Power;
    use crate::rng::test_matrix as matrix;

    /// The share follows the formula: only positive relevance counts, the top 3 by value.
    #[test]
    fn the_share_follows_the_formula() {
        let first = [4.0, -1.0, 1.0, 0.5, 2.0, -3.0];
        let c: f64 = 7.0 / 7.5;
        assert!((lean_share(&first) - 0.5 * c * c).abs() < 1e-15);
        assert_eq!(lean_share(&[-1.0, 0.0, -2.0]), 0.0);
        assert_eq!(lean_share(&[3.0, -1.0, 0.0, -2.0]), 0.5);
        // Ties and order do not matter.
        let c: f64 = 6.0 / 7.0;
        assert!((lean_share(&[1.0, 2.0, 1.0, 2.0, 1.0]) - 0.5 * c * c).abs() < 1e-15);
        assert!((lean_share(&[2.0, 1.0, 1.0, 1.0, 2.0]) - 0.5 * c * c).abs() < 1e-15);
    }

    /// The reference-pooled numerators are the exact split of each unit's change under the
    /// reference's weights, and the mix conserves.
    #[test]
    fn the_numerators_split_the_units_changes_and_the_mix_conserves() {
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
        // A row far out in one feature: the share is large.
        let mut z: Vec<f64> = matrix(1, d, 29).row(0).to_vec();
        z[2] += 9.0;
        let mut split = vec![0.0; d];
        for (j, u) in centers.outer_iter().enumerate() {
            for i in 0..d {
                split[i] += p[j] * ((z[i] - u[i]).powi(2) - (r[i] - u[i]).powi(2));
            }
        }
        let (excess, flat) = (2.5, -0.1);
        // A first pass summing to excess + d flat with a dominant feature.
        let mut rel: Vec<f64> = (0..d).map(|i| if i == 2 { 2.0 } else { 0.1 }).collect();
        let shift = (excess + d as f64 * flat - rel.iter().sum::<f64>()) / d as f64;
        rel.iter_mut().for_each(|v| *v += shift);
        let first = rel.clone();
        let l = lean_share(&first);
        assert!(l > 0.3, "{l}");
        let mut numer = vec![0.0; d];
        anchor.mix_row(&z, &r, (excess, flat), &mut rel, &mut numer);
        let total: f64 = split.iter().sum();
        for i in 0..d {
            let want = (1.0 - l) * first[i] + l * (excess * split[i] / total + flat);
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
