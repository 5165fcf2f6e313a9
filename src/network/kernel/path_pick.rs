//! `neon-pick` on an rbf kernel network (q = 2): `neon-lean` whose three top places go to
//! the group of three features that an exact test prefers.
//!
//! Per row, two candidate groups:
//!
//! - `T`, the [`TOP`] largest `neon-lean` relevances (the group `neon-path` ranks first);
//! - `T'`, the [`TOP`] largest numerators of the split with the soft-min weights frozen at the
//!   row itself, `N_row,i = delta_i (z_i + r_i - 2 mu_i)`, `delta = z - r`, `mu = p(z) U`,
//!   `p(z) = softmin(beta h(z))`: each unit's change from the reference to the row split
//!   exactly over the features (squared distances are separable). This group is the one
//!   occlusion's second-order expansion at the row tends to rank first: it weighs every
//!   feature against the units near the row.
//!
//! The test moves each group to the reference together and keeps the one whose removal lowers
//! the outlierness more, `o(z with T' at r) < o(z with T at r)`, where
//!
//! `h_j(z with S at r) = h_j(z) + gamma sum_(i in S) (r_i - z_i)(r_i + z_i - 2 u_ji)`
//!
//! is exact. When `T'` wins, the features that leave the top group and those that enter it
//! exchange their `neon-lean` values, the entering ones taking the larger values in the
//! order of `N_row`: the row's values stay `neon-lean`'s (so it conserves, and the rest of
//! the order is `neon-lean`'s), its three top places are the tested group's.
//!
//! Only on wide kernels, `gamma s <=` [`PICK_MAX_GAP`] (`s` the median pairwise squared
//! distance of the units, as `@auto`): there the reference is a typical point of the model and
//! the joint removal measures what a group explains. On narrow kernels (kernel densities with
//! a small bandwidth) the test prefers groups that hit fewer planted features than
//! `neon-lean`'s (docs/faithfulness.md, "Top-3 by an exact group test"), and the rule is
//! `neon-lean` there.
//!
//! Cost per row over `neon-lean`: the row's weights (at beta 1 from the quarter exponentials
//! the `neon-path` pass keeps, else one exponential per unit), `p(z) U` (in the same matrix
//! product as the path's weights), and where the groups differ two exponentials per unit.

use super::path_flip::TOP;
use super::top_group::top_group;
use crate::network::distance::DistanceLayer;
use crate::network::lanes;
use crate::network::scratch::grow;
use ndarray::{ArrayView2, ArrayViewMut2};

/// The widest kernel (`gamma s`, the typical gap between two units' activations) on which
/// `neon-pick` tests the groups: between the one-class SVMs measured (`gamma = 'scale'`:
/// 0.9-3.9) and the kernel densities (11.3-58.4), at their geometric midpoint.
pub(crate) const PICK_MAX_GAP: f64 = 6.6;

/// The per-model input of `neon-pick`: the units' coordinates feature by feature (features x
/// units), so that moving a group changes every unit from three contiguous columns.
#[derive(Debug, Clone)]
pub(super) struct PickColumns {
    columns: Vec<f64>,
    units: usize,
}

impl PickColumns {
    pub(super) fn new(layer: &DistanceLayer) -> Self {
        let centers = layer.centers();
        let units = centers.nrows();
        let columns = centers.t().iter().copied().collect();
        PickColumns { columns, units }
    }

    fn column(&self, i: usize) -> &[f64] {
        &self.columns[i * self.units..(i + 1) * self.units]
    }
}

/// The buffers of one sub-chunk's tests, grown on demand and reused.
#[derive(Debug, Default)]
pub(super) struct PickScratch {
    /// One row's activations.
    h: Vec<f64>,
    /// One group's activations.
    moved: Vec<f64>,
    /// One row's numerators `N_row`.
    numer: Vec<f64>,
}

/// The rows of one sub-chunk and what the test needs of them.
pub(super) struct PickRows<'a> {
    /// The rows (standardized), rows x features.
    pub rows: ArrayView2<'a, f64>,
    /// The units by feature.
    pub columns: &'a PickColumns,
    /// Their squared distances to the units, rows x units.
    pub dist: &'a [f64],
    /// The reference (standardized).
    pub reference: &'a [f64],
    /// The soft-min stiffness of the row's weights.
    pub beta: f64,
    /// At beta 1, the quarter exponentials `F_j = exp((min h - h_j) / 4)` the `neon-path`
    /// pass kept (rows x units): the row's weights are then `F^4 / sum F^4`, no new
    /// exponential.
    pub quarter: Option<&'a [f64]>,
}

/// The rows' soft-min weights, unnormalized, into `weights` (rows x units), and their sums
/// into `totals`: the left operand of `p(z) U`, which the caller multiplies by the units
/// together with the `neon-path` weights (one matrix product).
pub(super) fn pick_weights(
    layer: &DistanceLayer,
    input: &PickRows<'_>,
    weights: &mut [f64],
    totals: &mut [f64],
) {
    let units = layer.n_units();
    for (r, ((w, dist), total)) in weights
        .chunks_exact_mut(units)
        .zip(input.dist.chunks_exact(units))
        .zip(totals.iter_mut())
        .enumerate()
    {
        *total = match input.quarter {
            Some(f) => {
                for (w, &f) in w.iter_mut().zip(&f[r * units..(r + 1) * units]) {
                    let f2 = f * f;
                    *w = f2 * f2;
                }
                lanes::sum_unrolled8(w)
            }
            None => {
                layer.activations_row_into(dist, w);
                let h_min = lanes::min(w);
                lanes::exp_sum_inplace(w, h_min, input.beta)
            }
        };
    }
}

/// Apply the group test to every row of `input` whose `neon-lean` relevance (or its
/// `neon-floor` fallback) is in `relevance` (rows x features), in place; `pooled` and
/// `totals` from [`pick_weights`] times the units (rows x features), `tops` the rows'
/// `neon-lean` top groups where the mix knew them (else found here).
pub(super) fn pick_sub_chunk(
    layer: &DistanceLayer,
    input: &PickRows<'_>,
    (pooled, totals): (&[f64], &[f64]),
    tops: &[Option<[usize; TOP]>],
    mut relevance: ArrayViewMut2<f64>,
    sc: &mut PickScratch,
) {
    let (n, d) = input.rows.dim();
    let units = layer.n_units();
    if d <= TOP || n == 0 {
        return;
    }
    grow(&mut sc.h, units);
    grow(&mut sc.moved, units);
    grow(&mut sc.numer, d);
    for (r, mut out) in relevance.outer_iter_mut().enumerate() {
        let z = input.rows.row(r);
        let z = z.as_slice().expect("standard layout");
        let out = out.as_slice_mut().expect("standard layout");
        let numer = &mut sc.numer[..d];
        let scale = 2.0 / totals[r];
        for (((n, &zi), &ri), &mi) in numer
            .iter_mut()
            .zip(z)
            .zip(input.reference)
            .zip(&pooled[r * d..(r + 1) * d])
        {
            *n = (zi - ri) * (zi + ri - scale * mi);
        }
        let top = tops[r].unwrap_or_else(|| top_group(out));
        let tested = top_group(numer);
        // Non-finite values (never from finite rows) leave empty places: no test.
        let empty = top.contains(&usize::MAX) || tested.contains(&usize::MAX);
        if empty || same_group(&top, &tested) {
            continue;
        }
        let h = &mut sc.h[..units];
        layer.activations_row_into(&input.dist[r * units..(r + 1) * units], h);
        let moved = &mut sc.moved[..units];
        let mut removed = |group: &[usize; TOP]| {
            group_output(
                layer.gamma(),
                input.columns,
                h,
                (z, input.reference),
                group,
                moved,
            )
        };
        if removed(&tested) < removed(&top) {
            exchange(out, &top, &tested);
        }
    }
}

/// Whether two groups hold the same features.
fn same_group(a: &[usize; TOP], b: &[usize; TOP]) -> bool {
    a.iter().all(|i| b.contains(i))
}

/// The outlierness of the row with the features of `group` at the reference (the model's own
/// soft-min, beta 1), from the row's activations `h`: `min h' - ln sum_j exp(min h' - h'_j)`.
fn group_output(
    gamma: f64,
    columns: &PickColumns,
    h: &[f64],
    (z, reference): (&[f64], &[f64]),
    group: &[usize; TOP],
    moved: &mut [f64],
) -> f64 {
    // h_j + sum_(i in S) g_i (r_i + z_i) - 2 sum_(i in S) g_i u_ji, g_i = gamma (r_i - z_i).
    let [a, b, c] = *group;
    let g = |i: usize| gamma * (reference[i] - z[i]);
    let (ga, gb, gc) = (g(a), g(b), g(c));
    let constant =
        ga * (reference[a] + z[a]) + gb * (reference[b] + z[b]) + gc * (reference[c] + z[c]);
    let (ua, ub, uc) = (columns.column(a), columns.column(b), columns.column(c));
    for ((((m, &hj), &ja), &jb), &jc) in moved.iter_mut().zip(h).zip(ua).zip(ub).zip(uc) {
        *m = hj + constant - 2.0 * (ga * ja + gb * jb + gc * jc);
    }
    let low = lanes::min(moved);
    low - lanes::sum_exp(moved, low).ln()
}

/// Give the features of `tested` the top places: those leaving `top` and those entering from
/// `tested` exchange values, the larger values to the entering ones in `tested`'s order.
fn exchange(relevance: &mut [f64], top: &[usize; TOP], tested: &[usize; TOP]) {
    let leaving: Vec<usize> = top
        .iter()
        .copied()
        .filter(|i| !tested.contains(i))
        .collect();
    let entering: Vec<usize> = tested
        .iter()
        .copied()
        .filter(|i| !top.contains(i))
        .collect();
    let mut high: Vec<f64> = leaving.iter().map(|&i| relevance[i]).collect();
    let mut low: Vec<f64> = entering.iter().map(|&i| relevance[i]).collect();
    high.sort_by(|a, b| b.total_cmp(a));
    low.sort_by(|a, b| b.total_cmp(a));
    for (&i, &v) in entering.iter().zip(&high) {
        relevance[i] = v;
    }
    for (&i, &v) in leaving.iter().zip(&low) {
        relevance[i] = v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exchange keeps the row's values (a permutation) and puts the tested group on top,
    /// in its order.
    #[test]
    fn the_exchange_permutes_values_and_tops_the_tested_group() {
        let mut r = [5.0, 4.0, 3.0, 2.0, 1.0, 0.5];
        // tested = [4, 0, 3]: features 4 and 3 enter (4 first), 1 and 2 leave.
        exchange(&mut r, &[0, 1, 2], &[4, 0, 3]);
        assert_eq!(r, [5.0, 2.0, 1.0, 3.0, 4.0, 0.5]);
        let mut sorted = r;
        sorted.sort_by(|a, b| b.total_cmp(a));
        assert_eq!(sorted, [5.0, 4.0, 3.0, 2.0, 1.0, 0.5]);
        assert!(same_group(&[0, 1, 2], &[2, 0, 1]));
        assert!(!same_group(&[0, 1, 2], &[2, 0, 3]));
    }
}
