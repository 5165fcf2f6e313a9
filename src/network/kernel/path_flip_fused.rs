//! The flip-ordered path of `neon-flip` / `neon-focus` ([`super::path_flip`]) fused into the
//! q = 2 `neon-path` pass ([`super::path_squared`]): per sub-chunk, after the first pass
//! `R0`, from the distances that pass already has.
//!
//! With the row's distances `D_z = ||z - u||^2`, the reference's `D_r = ||r - u||^2`,
//! `delta = z - r`, `s = ||delta||^2`, the top group `G_1` ([`TOP`] features of `R0`),
//! `c_top = sum_(G_1) delta_i^2`, `s_rest = s - c_top` (summed over the rest) and the one
//! per-unit gather `B_1 = sum_(G_1) (z_i - u_i) delta_i`, the distances at the midpoints of
//! the halves of the two pieces are
//!
//! - piece 1 (`G_1` at `z - t delta`, the rest at z):
//!   `D_1(t) = D_z - 2 t B_1 + t^2 c_top`;
//! - piece 2 (`G_1` at r, the rest at `z - t delta`), with `t' = 1 - t`:
//!   `D_2(t) = D_r + t' (D_z - D_r - s - 2 B_1 + 2 c_top) + t'^2 s_rest`
//!   (the straight path's `D_r + t' (D_z - D_r - s) + t'^2 s` with the top group's terms
//!   `sum_(G_1) (r_i + t' delta_i - u_i)^2` swapped for `sum_(G_1) (r_i - u_i)^2`, using
//!   `sum_(G_1) (r_i - u_i) delta_i = B_1 - c_top`),
//!
//! at `t = 1/4, 3/4`. A distance below [`NEAR`](super::path_flip_weights::NEAR) times the size of its terms has lost digits
//! to cancellation (e.g. a row far out in its top features only) and is recomputed from
//! exact differences, as the forward pass recomputes its near pairs. Then
//! `W_k = p(piece k, 1/4) + p(piece k, 3/4)`, `p = softmin(beta h)`, `h = gamma D + b`
//! (max-shifted, vectorized exponentials), one matrix product `W_2 U` per sub-chunk, `W_1 U`
//! on the top group's columns only, and `N_i = delta_i (z_i + r_i - (W_k U)_i)`.
//!
//! The four weight vectors come from two exponentials per pair where that is exact
//! ([`super::path_flip_weights`]); at beta 1 the first, `F`, is the one the `neon-path`
//! pass kept ([`super::path_quarter`]), so only `G` is new.
//!
//! Per row and unit: [`TOP`] products (over the transposed centers, contiguous per
//! feature), one exponential at beta 1 (two otherwise); per sub-chunk: one matrix product. The arithmetic of a row depends on the row alone, so results do not
//! depend on the sub-chunk size or the thread count.

use super::flip_share::{flip_share, mix_into};
use super::path_flip::TOP;
use super::path_flip_weights::{
    near_count, piece_activations, quarter_exponentials, softmin_weights, top_dots, top_products,
    two_exponential_weights, RowTerms, HALVES,
};
use super::path_quarter::reference_activations;
use crate::method::RuleSet;
use crate::network::distance::DistanceLayer;
use ndarray::linalg::general_mat_mul;
use ndarray::{ArrayView2, ArrayViewMut2};

/// The per-model inputs of the flip-ordered pass.
pub(super) struct FlipInputs<'a> {
    layer: &'a DistanceLayer,
    /// The centers transposed (features x units, row-major): the top group's columns,
    /// contiguous.
    columns: Vec<f64>,
    reference: &'a [f64],
    reference_distances: &'a [f64],
    beta: f64,
    floor: f64,
    rule_set: RuleSet,
    /// `A^(1)` and `A^(3)` of the two-exponential form (`None` when the reference's
    /// activations are not all finite: then every row takes the four soft-mins).
    powers: Option<[Vec<f64>; 2]>,
}

/// The buffers of the flip-ordered pass, reused sub-chunk after sub-chunk.
#[derive(Debug, Default)]
pub(super) struct FlipScratch {
    /// Per row of the sub-chunk: its top group (rank order), or `None` when it keeps `R0`.
    top: Vec<Option<[usize; TOP]>>,
    /// Per row: `(W_1 U)_i` on its top group.
    top_pooled: Vec<[f64; TOP]>,
    /// One row's `B_1` per unit.
    b1: Vec<f64>,
    /// One row's `F` when the `neon-path` pass did not keep it.
    f: Vec<f64>,
    /// One row's activations (or terms).
    h: Vec<f64>,
    /// One row's `G`, then terms.
    g: Vec<f64>,
    /// One row's `W_1`.
    w1: Vec<f64>,
    /// One row's numerators, then `R_flip`.
    flip: Vec<f64>,
}

impl<'a> FlipInputs<'a> {
    /// The inputs for a layer (q = 2), the reference r and its distances `D_r`, the soft-min
    /// stiffness, the floor output `o_0` and the rule set (`neon-flip` or `neon-focus`).
    pub(super) fn new(
        layer: &'a DistanceLayer,
        (reference, reference_distances): (&'a [f64], &'a [f64]),
        (beta, floor): (f64, f64),
        rule_set: RuleSet,
    ) -> Self {
        let (c, low) = reference_activations(layer, reference_distances);
        let powers = c.iter().all(|v| v.is_finite()).then(|| {
            [0.75, 0.25].map(|k| c.iter().map(|&v| (-beta * k * (v - low)).exp()).collect())
        });
        FlipInputs {
            layer,
            columns: transposed(layer),
            reference,
            reference_distances,
            beta,
            floor,
            rule_set,
            powers,
        }
    }

    /// Mix the flip-ordered relevance into the first pass `rel` (rows x features) of the
    /// sub-chunk `rows`, with their distances `dist` (rows x units), the quarter
    /// exponentials `kept` (rows x units) when the `neon-path` pass kept them (beta 1,
    /// [`super::path_quarter`]) and outputs `out`; `weights` (rows x units) and `pooled`
    /// (rows x features) are free buffers.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn mix_sub_chunk(
        &self,
        rows: ArrayView2<f64>,
        (dist, kept): (&[f64], Option<&[f64]>),
        out: &[f64],
        weights: &mut [f64],
        pooled: &mut [f64],
        mut rel: ArrayViewMut2<f64>,
        sc: &mut FlipScratch,
    ) {
        let (n, d, units) = (rows.nrows(), rows.ncols(), self.layer.n_units());
        let (weights, pooled) = (&mut weights[..n * units], &mut pooled[..n * d]);
        sc.top.clear();
        sc.top_pooled.clear();
        debug_assert!(
            kept.is_none() || self.beta == 1.0,
            "F is kept at beta 1 only"
        );
        sc.b1.resize(units, 0.0);
        sc.f.resize(units, 0.0);
        sc.h.resize(units, 0.0);
        sc.g.resize(units, 0.0);
        sc.w1.resize(units, 0.0);
        for (r, w2) in weights.chunks_exact_mut(units).enumerate() {
            let z = rows.row(r);
            let z = z.as_slice().expect("standard layout");
            let first = rel.row(r);
            let first = first.as_slice().expect("standard layout");
            let excess = out[r] - self.floor;
            let top = (d > TOP && excess > 0.0).then(|| top_features(first));
            sc.top.push(top);
            let Some(top) = top else {
                w2.fill(0.0);
                sc.top_pooled.push([0.0; TOP]);
                continue;
            };
            let terms = self.row_terms(z, &top);
            self.gather_b1(z, &top, &mut sc.b1);
            let dz = &dist[r * units..(r + 1) * units];
            let inputs = (self.reference_distances, &sc.b1[..], terms);
            let fast = self.powers.as_ref().is_some_and(|powers| {
                if near_count(dz, inputs) > 0 {
                    return false;
                }
                let f = match kept {
                    Some(kept) => &kept[r * units..(r + 1) * units],
                    None => {
                        quarter_exponentials(self.layer, dz, self.beta, &mut sc.f[..]);
                        &sc.f[..]
                    }
                };
                two_exponential_weights(
                    (f, &sc.b1[..], powers),
                    (self.beta, self.layer.gamma()),
                    (&mut sc.g[..], &mut sc.h[..]),
                    (&mut sc.w1[..], &mut w2[..]),
                )
            });
            if !fast {
                for (piece, w) in [(0, &mut sc.w1[..]), (1, &mut w2[..])] {
                    for (k, &t) in HALVES.iter().enumerate() {
                        let h = &mut sc.h[..];
                        let flagged = piece_activations(self.layer, dz, inputs, piece, t, h);
                        if flagged > 0 {
                            self.exact_near(z, &top, (piece, t), h);
                        }
                        softmin_weights(h, self.beta, w, k > 0);
                    }
                }
            }
            sc.top_pooled.push(self.top_pooled(&top, &sc.w1));
        }
        let w = ArrayView2::from_shape((n, units), &*weights).expect("rows x units");
        let mut p = ArrayViewMut2::from_shape((n, d), &mut *pooled).expect("rows x features");
        general_mat_mul(1.0, &w, &self.layer.centers(), 0.0, &mut p);
        let flat = self.floor / d as f64;
        for (r, mut first) in rel.outer_iter_mut().enumerate() {
            let Some(top) = sc.top[r] else { continue };
            let z = rows.row(r);
            let z = z.as_slice().expect("standard layout");
            let p = &pooled[r * d..(r + 1) * d];
            let first = first.as_slice_mut().expect("standard layout");
            if self.flip_relevance(z, p, (&top, &sc.top_pooled[r]), out[r], flat, &mut sc.flip) {
                let share = flip_share(self.rule_set, first, &top);
                mix_into(first, &sc.flip, share);
            }
        }
    }

    /// `s`, `c_top` and `s_rest` of row `z`, each summed in feature order from exact
    /// differences (the top group adds an exact 0 to `s_rest`: no branch).
    fn row_terms(&self, z: &[f64], top: &[usize; TOP]) -> RowTerms {
        let (mut s, mut s_rest) = (0.0, 0.0);
        for (i, (a, b)) in z.iter().zip(self.reference).enumerate() {
            let sq = (a - b) * (a - b);
            s += sq;
            s_rest += if top.contains(&i) { 0.0 } else { sq };
        }
        let c_top = top
            .iter()
            .map(|&i| (z[i] - self.reference[i]) * (z[i] - self.reference[i]))
            .sum();
        RowTerms { s, c_top, s_rest }
    }

    /// The centers' column of feature `i` (its value in every unit).
    fn column(&self, i: usize) -> &[f64] {
        let units = self.layer.n_units();
        &self.columns[i * units..(i + 1) * units]
    }

    /// `B_1,j = sum_(G_1) (z_i - u_ji)(z_i - r_i)` for every unit ([`top_products`]).
    fn gather_b1(&self, z: &[f64], top: &[usize; TOP], b1: &mut [f64]) {
        let step = (top.map(|i| z[i]), top.map(|i| z[i] - self.reference[i]));
        top_products(top.map(|i| self.column(i)), step, b1);
    }

    /// `(W_1 U)_i = sum_j W_1,j u_ji` on the top group ([`top_dots`]).
    fn top_pooled(&self, top: &[usize; TOP], w1: &[f64]) -> [f64; TOP] {
        top_dots(top.map(|i| self.column(i)), w1)
    }

    /// The activations of the flagged units of a piece (see [`piece_activations`])
    /// recomputed from exact differences of the point on the path.
    fn exact_near(&self, z: &[f64], top: &[usize; TOP], (piece, t): (usize, f64), h: &mut [f64]) {
        let (gamma, bias) = (self.layer.gamma(), self.layer.bias());
        let r = self.reference;
        for (j, u) in self.layer.centers().outer_iter().enumerate() {
            if !h[j].is_nan() {
                continue;
            }
            let exact: f64 = (0..z.len())
                .map(|i| {
                    let moving = top.contains(&i) == (piece == 0);
                    let x = match (moving, piece) {
                        (true, _) => z[i] - t * (z[i] - r[i]),
                        (false, 0) => z[i],
                        (false, _) => r[i],
                    };
                    (x - u[i]) * (x - u[i])
                })
                .sum();
            h[j] = gamma * exact + bias[j];
        }
    }

    /// The row's `R_flip` into `flip` from `W_2 U` (`pooled`) and the top group's
    /// `W_1 U`: `N_i = delta_i (z_i + r_i - (W U)_i)`, `R_flip,i = (o - o_0) N_i / sum N
    /// + o_0 / d`; false when the numerators are unusable (`sum N` not finite, tiny or not
    /// > 0) or a relevance is not finite.
    fn flip_relevance(
        &self,
        z: &[f64],
        pooled: &[f64],
        (top, top_pooled): (&[usize; TOP], &[f64; TOP]),
        o: f64,
        flat: f64,
        flip: &mut Vec<f64>,
    ) -> bool {
        let r = self.reference;
        flip.clear();
        flip.extend(
            z.iter()
                .zip(r)
                .zip(pooled)
                .map(|((&zi, &ri), &pi)| (zi - ri) * (zi + ri - pi)),
        );
        for (&i, &p) in top.iter().zip(top_pooled) {
            flip[i] = (z[i] - r[i]) * (z[i] + r[i] - p);
        }
        let total: f64 = flip.iter().sum();
        let magnitude: f64 = flip.iter().map(|n| n.abs()).sum();
        if !total.is_finite() || total <= 1e-12 * magnitude {
            return false;
        }
        let scale = (o - self.floor) / total;
        flip.iter_mut().for_each(|n| *n = scale * *n + flat);
        flip.iter().all(|f| f.is_finite())
    }
}

/// The centers of `layer` transposed: features x units, row-major.
fn transposed(layer: &DistanceLayer) -> Vec<f64> {
    let units = layer.n_units();
    let centers = layer.centers();
    let mut columns = vec![0.0; centers.ncols() * units];
    for (j, u) in centers.outer_iter().enumerate() {
        for (i, &v) in u.iter().enumerate() {
            columns[i * units + j] = v;
        }
    }
    columns
}

/// The [`TOP`] features with the largest first-pass relevance, largest first (ties: lower
/// index first, the order of a stable sort by decreasing relevance); `first` has more than
/// [`TOP`] entries. Their values are kept beside them: most features fail the first
/// comparison, with the smallest kept value.
fn top_features(first: &[f64]) -> [usize; TOP] {
    let mut top = [0; TOP];
    let mut kept = [f64::NAN; TOP];
    let mut filled = 0;
    for (i, &v) in first.iter().enumerate() {
        let beats_last = v > kept[TOP - 1];
        if filled == TOP && !beats_last {
            continue;
        }
        let mut k = filled;
        while k > 0 && v > kept[k - 1] {
            k -= 1;
        }
        if k < TOP {
            let end = filled.min(TOP - 1);
            top.copy_within(k..end, k + 1);
            kept.copy_within(k..end, k + 1);
            top[k] = i;
            kept[k] = v;
            filled = (filled + 1).min(TOP);
        }
    }
    top
}

#[cfg(test)]
mod tests {
    use super::super::path_flip_weights::{quarter_exponentials_at, two_exponential_weights_at};
    use super::super::path_quarter::QuarterPowers;
    use super::*;
    use crate::network::dispatch::Level;
    use crate::network::power::Power;

    /// Where it applies, the two-exponential form gives the weights of the four soft-mins
    /// (within 1e-12) on every compiled copy, at several betas.
    #[test]
    fn the_two_exponential_form_matches_the_four_softmins() {
        let (units, d) = (200, 6);
        let (centers, layer, _) = super::super::test_network::rbf_density(units, d);
        let reference: Vec<f64> = (0..d).map(|i| 0.1 * i as f64).collect();
        let distances = |p: &[f64]| -> Vec<f64> {
            centers
                .outer_iter()
                .map(|u| Power::Two.distance(p, u.as_slice().unwrap()))
                .collect()
        };
        let dr = distances(&reference);
        let rows = crate::rng::test_matrix(8, d, 21);
        for beta in [0.3, 1.0, 4.0] {
            let inputs =
                FlipInputs::new(&layer, (&reference, &dr), (beta, 0.0), RuleSet::NeonFocus);
            let powers = inputs.powers.as_ref().unwrap();
            for z in rows.outer_iter() {
                let z = z.as_slice().unwrap();
                let first: Vec<f64> = z.iter().map(|v| v.abs()).collect();
                let top = top_features(&first);
                let terms = inputs.row_terms(z, &top);
                let mut b1 = vec![0.0; units];
                inputs.gather_b1(z, &top, &mut b1);
                let dz = distances(z);
                let row = (&dr[..], &b1[..], terms);
                assert_eq!(near_count(&dz, row), 0);
                let (mut w1, mut w2, mut h) =
                    (vec![0.0; units], vec![0.0; units], vec![0.0; units]);
                for (piece, w) in [(0, &mut w1), (1, &mut w2)] {
                    for (k, &t) in HALVES.iter().enumerate() {
                        assert_eq!(piece_activations(&layer, &dz, row, piece, t, &mut h), 0);
                        softmin_weights(&mut h, beta, w, k > 0);
                    }
                }
                for level in Level::available() {
                    let mut f = vec![0.0; units];
                    quarter_exponentials_at(level, &layer, &dz, beta, &mut f);
                    let mut buffers = [vec![0.0; units], vec![0.0; units]];
                    let mut weights = [vec![0.0; units], vec![0.0; units]];
                    let [g, t] = &mut buffers;
                    let [v1, v2] = &mut weights;
                    assert!(two_exponential_weights_at(
                        level,
                        (&f, &b1, powers),
                        (beta, layer.gamma()),
                        (g, t),
                        (v1, v2)
                    ));
                    for (got, want) in v1.iter().zip(&w1).chain(v2.iter().zip(&w2)) {
                        assert!(
                            (got - want).abs() <= 1e-12,
                            "{level:?} beta {beta}: {got} {want}"
                        );
                    }
                }
            }
        }
    }

    /// At beta 1 the quarter exponentials the `neon-path` pass keeps are the bits of the
    /// flip pass's own `F` on every compiled copy: reusing them changes no result.
    #[test]
    fn the_kept_quarter_exponentials_are_the_flip_pass_bits() {
        let (units, d) = (203, 6);
        let (centers, layer, _) = super::super::test_network::rbf_density(units, d);
        let distances = |p: &[f64]| -> Vec<f64> {
            centers
                .outer_iter()
                .map(|u| Power::Two.distance(p, u.as_slice().unwrap()))
                .collect()
        };
        let reference: Vec<f64> = (0..d).map(|i| 0.1 * i as f64).collect();
        let powers = QuarterPowers::new(&layer, &distances(&reference), 1.0, &HALVES)
            .expect("a narrow spread");
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        for z in crate::rng::test_matrix(8, d, 5).outer_iter() {
            let dz = distances(z.as_slice().unwrap());
            let mut h = vec![0.0; units];
            layer.activations_row_into(&dz, &mut h);
            let (mut w, mut kept) = (vec![0.0; units], vec![0.0; units]);
            powers.row(&mut h, &mut w, &mut kept);
            for level in Level::available() {
                let mut f = vec![0.0; units];
                quarter_exponentials_at(level, &layer, &dz, 1.0, &mut f);
                assert_eq!(bits(&f), bits(&kept), "{level:?}");
            }
        }
    }

    /// The top group is the first [`TOP`] of a stable sort by decreasing relevance.
    #[test]
    fn the_top_group_follows_a_stable_sort() {
        let cases: [&[f64]; 6] = [
            &[0.1, 0.5, 0.3, 0.5, -1.0, 0.5],
            &[1.0, 1.0, 1.0, 1.0],
            &[-3.0, -2.0, -1.0, 0.0, 5.0],
            &[4.0, 3.0, 2.0, 1.0, 0.0],
            &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            &[2.0, 0.5, 2.0, 7.0, 0.5, 2.0, 7.0, -0.0, 0.0],
        ];
        for first in cases {
            let mut order: Vec<usize> = (0..first.len()).collect();
            order.sort_by(|&a, &b| first[b].partial_cmp(&first[a]).unwrap().then(a.cmp(&b)));
            assert_eq!(top_features(first), order[..TOP], "{first:?}");
        }
    }
}
