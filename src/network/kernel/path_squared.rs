//! `neon-path` for q = 2 (rbf) over one work chunk, fused and cache-sized in the style of
//! [`super::fused`].
//!
//! Per sub-chunk of [`super::fused::sub_chunk_rows`] rows, with every buffer in a per-thread scratch:
//!
//! 1. one matrix product: the cross terms of the row's distances;
//! 2. per row, over the units in L1: complete the distances and the soft-min output (the
//!    forward pass, [`forward_row`]); then at every midpoint `t_k` of the path the distances
//!    `||a(t_k) - u_j||^2 = D_r + t (D_z - D_r - s) + t^2 s` (`D_r` the reference's,
//!    `s = ||z - r||^2`), their soft-min weights `p(m_k)` (fast exponentials), summed into
//!    `W_j = sum_k p_j(m_k)`. At beta 1 (the default) [`super::path_quarter`] gives `W`
//!    and the output from ONE exponential per pair instead of three (the weights at the
//!    midpoints are powers of the row's quarter exponential times per-model constants, the
//!    output its fourth power summed as the forward pass does: the bits of `score`);
//! 3. one matrix product `W U` and the numerators
//!    `N_i = (2 / K)(z_i - r_i)(sum_k m_k,i - (W U)_i)`, rescaled to
//!    `R_i = (o - o_0) N_i / sum N + o_0 / d`, per row on slices ([`super::path_row`]);
//! 4. the rows whose numerators are unusable get `neon-floor` from the same distances
//!    (then, for `neon-flip` and `neon-focus`, the flip-ordered path is mixed in from the
//!    same distances and, at beta 1, the quarter exponentials kept by step 2,
//!    [`super::path_flip_fused`]):
//!    `c_j = e_j (o - o_0) / S / dist_j` (`e_j = exp(-beta (h_j - min h))`, `S = sum_j e_j`),
//!    one product `C [V | V^2]` over those rows and the share rule of the fused NEON pass
//!    ([`KernelNetwork::explain_squared`]), near pairs exact, the floor spread flat.
//!
//! The arithmetic per row depends on the row alone (same operations in the same order
//! whatever the sub-chunk), so results do not depend on the sub-chunk size or the thread
//! count.

use super::fused::{spread_floor, sub_chunks};
use super::path::midpoints;
use super::path_flip::TOP;
use super::path_flip_fused::{FlipInputs, FlipScratch};
use super::path_lean::LeanAnchor;
use super::path_pick::{pick_sub_chunk, pick_weights, PickColumns, PickRows, PickScratch};
use super::path_quarter::QuarterPowers;
use super::path_row::{path_row_relevance, PathConstants};
use super::{check_finite, KernelNetwork};
use crate::error::Result;
use crate::lrp::distance::add_exact_share;
use crate::method::RuleSet;
use crate::network::dispatch::{dispatched, Level};
use crate::network::distance::DistanceLayer;
use crate::network::lanes;
use crate::network::pool;
use crate::network::power::Power;
use crate::network::scratch::{grow, with_local};
use ndarray::linalg::general_mat_mul;
use ndarray::{s, ArrayView1, ArrayView2, ArrayViewMut2};
use std::cell::RefCell;

/// The buffers of one thread, grown on demand and reused.
#[derive(Debug, Default)]
struct Scratch {
    /// Centered rows, rows x features.
    centered: Vec<f64>,
    /// `||x_r||^2`.
    norms: Vec<f64>,
    /// Cross terms, then distances, rows x units.
    dist: Vec<f64>,
    /// Summed midpoint weights `W`, rows x units; with `neon-pick` the rows' own soft-min
    /// weights below them (2 rows x units), multiplied by the units in one product.
    weights: Vec<f64>,
    /// The quarter exponentials `F` of the one-exponential form, rows x units, kept for
    /// the flip-ordered pass (empty otherwise).
    kept: Vec<f64>,
    /// One row's activations.
    row: Vec<f64>,
    /// `W U`, rows x features (with `neon-pick`, `p(z) U` below: 2 rows x features).
    pooled: Vec<f64>,
    /// The sums of the rows' own soft-min weights (`neon-pick`).
    pick_totals: Vec<f64>,
    /// `sum_j c_j` of the fallback rows.
    coef_sums: Vec<f64>,
    /// `[C V | C V^2]` of the fallback rows, rows x 2 features.
    sums: Vec<f64>,
    /// Pairs recomputed from exact differences: (row, unit, distance).
    near: Vec<(usize, usize, f64)>,
    /// Near pairs of the fallback rows: (row, unit, distance, unit relevance).
    floor_near: Vec<(usize, usize, f64, f64)>,
    /// The fallback rows of the sub-chunk.
    fallback: Vec<usize>,
    /// The buffers of the flip-ordered pass (`neon-flip`, `neon-focus`).
    flip: FlipScratch,
    /// One row's reference-pooled numerators (`neon-lean`).
    lean: Vec<f64>,
    /// The buffers of the group test (`neon-pick`).
    pick: PickScratch,
    /// The rows' `neon-lean` top groups where the mix knows them (`neon-pick`).
    tops: Vec<Option<[usize; TOP]>>,
}

impl Scratch {
    /// Size the buffers for `rows` rows, `d` features and `units` units (`keep`: room for
    /// the kept quarter exponentials; `products`: 2 with `neon-pick`'s weights, else 1).
    fn fit(&mut self, rows: usize, d: usize, units: usize, keep: bool, products: usize) {
        grow(&mut self.centered, rows * d);
        grow(&mut self.norms, rows);
        grow(&mut self.dist, rows * units);
        grow(&mut self.weights, products * rows * units);
        if keep {
            grow(&mut self.kept, rows * units);
        }
        grow(&mut self.row, units);
        grow(&mut self.pooled, products * rows * d);
        grow(&mut self.pick_totals, rows);
        grow(&mut self.coef_sums, rows);
        grow(&mut self.sums, rows * 2 * d);
        grow(&mut self.lean, d);
        if self.tops.len() < rows {
            self.tops.resize(rows, None);
        }
        self.near.clear();
        self.floor_near.clear();
        self.fallback.clear();
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Run `f` with this thread's scratch (a fresh one if it is already in use).
fn with_scratch<T>(f: impl FnOnce(&mut Scratch) -> T) -> T {
    with_local(&SCRATCH, f)
}

dispatched!(
    /// The forward pass of one row (as `forward_row`), recording the near pairs; with
    /// `output` false only the distances and activations (the output is then taken from
    /// [`QuarterPowers::row`], the same bits) and NaN is returned.
    path_forward_row, path_forward_row_at, path_forward_row_generic,
    (layer: &DistanceLayer, z: &[f64], zz: f64, dist: &mut [f64], h: &mut [f64], near: &mut Vec<(usize, usize, f64)>, r: usize, output: bool) -> f64
);

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn path_forward_row_generic(
    layer: &DistanceLayer,
    z: &[f64],
    zz: f64,
    dist: &mut [f64],
    h: &mut [f64],
    near: &mut Vec<(usize, usize, f64)>,
    r: usize,
    output: bool,
) -> f64 {
    layer.complete_row(z, zz, dist, |unit, d| near.push((r, unit, d)));
    layer.activations_row_into(dist, h);
    if !output {
        return f64::NAN;
    }
    let h_min = lanes::min(h);
    h_min - lanes::sum_exp_quarter_generic(h, h_min).ln()
}

/// `neon-floor` coefficients of one fallback row from its distances (as the fused NEON
/// pass): `coef_j = R_j / dist_j`, `R_j = e_j (o - floor) / S`, near pairs' `coef` zero
/// and their `R_j` pushed to `floor_near`; returns the output `o` (the bits of the
/// `neon-floor` pass) and `sum_j coef_j`.
#[allow(clippy::too_many_arguments)]
fn floor_row(
    layer: &DistanceLayer,
    dist: &[f64],
    coef: &mut [f64],
    e: &mut [f64],
    (beta, floor): (f64, f64),
    (near, r): (&[(usize, usize, f64)], usize),
    floor_near: &mut Vec<(usize, usize, f64, f64)>,
) -> (f64, f64) {
    layer.activations_row_into(dist, e);
    let (o, total) = pool::softmin_quarter_exps(e, beta);
    let scale = (o - floor) / total;
    coef.copy_from_slice(dist);
    lanes::scale_divide(coef, e, scale);
    for &(_, unit, d) in near.iter().filter(|p| p.0 == r) {
        floor_near.push((r, unit, d, e[unit] * scale));
        coef[unit] = 0.0;
    }
    (o, lanes::sum_unrolled8(coef))
}

dispatched!(
    /// Step 2 of the path pass for one row after its distances: `w_j = sum_k p_j(m_k)`,
    /// `p(m_k) = softmin(beta h(m_k))`, `h_j(m_k) = gamma ||m_k - u_j||^2 + b_j`.
    path_weights_row, path_weights_row_at, path_weights_row_generic,
    (layer: &DistanceLayer, dist: &[f64], reference_distances: &[f64], s: f64, beta: f64, h: &mut [f64], w: &mut [f64]) -> ()
);

#[inline(always)]
fn path_weights_row_generic(
    layer: &DistanceLayer,
    dist: &[f64],
    reference_distances: &[f64],
    s: f64,
    beta: f64,
    h: &mut [f64],
    w: &mut [f64],
) {
    let gamma = layer.gamma();
    let bias = layer.bias();
    let bias = bias.as_slice().expect("contiguous");
    for (k, t) in midpoints().into_iter().enumerate() {
        for (((h, &dz), &dr), &b) in h.iter_mut().zip(dist).zip(reference_distances).zip(bias) {
            let dm = (dr + t * (dz - dr - s) + t * t * s).max(0.0);
            *h = gamma * dm + b;
        }
        let h_min = lanes::min(h);
        let total = lanes::exp_sum_inplace_generic(h, h_min, beta);
        if k == 0 {
            for (w, &e) in w.iter_mut().zip(h.iter()) {
                *w = e / total;
            }
        } else {
            for (w, &e) in w.iter_mut().zip(h.iter()) {
                *w += e / total;
            }
        }
    }
}

impl KernelNetwork {
    /// `neon-path` (q = 2) of the rows of `z` (one work chunk, first row `first_row`):
    /// outlierness into `out`, relevance into `relevance`; `neon-floor` (same beta) for the
    /// rows whose numerators are unusable. `floor` is the network's floor output `o_0`.
    /// With `flip` (`neon-flip` or `neon-focus`) this first pass is mixed with the
    /// flip-ordered path's relevance ([`super::path_flip_fused`]); with `lean`
    /// (`neon-lean`) each row with usable numerators with the reference-pooled relevance
    /// ([`super::path_lean`]); with `pick` (`neon-pick` on a wide kernel) every row's top
    /// group then tested ([`super::path_pick`]).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn explain_path_squared(
        &self,
        z: ArrayView2<f64>,
        first_row: usize,
        reference: ArrayView1<f64>,
        reference_distances: &[f64],
        quarter: Option<&QuarterPowers>,
        (beta, floor): (f64, f64),
        (flip, lean, pick): (Option<RuleSet>, Option<&LeanAnchor>, Option<&PickColumns>),
        out: &mut [f64],
        mut relevance: ArrayViewMut2<f64>,
    ) -> Result<()> {
        let layer = &self.distance;
        let (d, units) = (z.ncols(), layer.n_units());
        let flat = floor / d as f64;
        let ts = midpoints();
        let constants = PathConstants {
            segments: ts.len() as f64,
            t_sum: ts.iter().sum(),
            scale: 2.0 / ts.len() as f64,
        };
        let reference = reference.as_slice().expect("owned");
        let flip = flip.map(|rule_set| {
            FlipInputs::new(
                layer,
                (reference, reference_distances),
                (beta, floor),
                rule_set,
            )
        });
        // At beta 1 the flip-ordered pass reuses the quarter exponentials of this one.
        let keep = (flip.is_some() || pick.is_some()) && quarter.is_some();
        with_scratch(|sc| -> Result<()> {
            for (start, rows) in sub_chunks(z, units) {
                let n = rows.nrows();
                let products = if pick.is_some() { 2 } else { 1 };
                sc.fit(n, d, units, keep, products);
                let Scratch {
                    centered,
                    norms,
                    dist,
                    weights,
                    kept,
                    row,
                    pooled,
                    pick_totals,
                    coef_sums,
                    sums,
                    near,
                    floor_near,
                    fallback: floor_rows,
                    flip: flip_scratch,
                    lean: lean_numer,
                    pick: pick_scratch,
                    tops,
                } = sc;
                let dist = &mut dist[..n * units];
                let weights = &mut weights[..products * n * units];
                let kept = &mut kept[..if keep { n * units } else { 0 }];
                layer.cross_terms_into(rows, &mut centered[..n * d], &mut norms[..n], dist);
                for (r, (dist_row, w)) in dist
                    .chunks_exact_mut(units)
                    .zip(weights[..n * units].chunks_exact_mut(units))
                    .enumerate()
                {
                    let z_row = rows.row(r);
                    let z_row = z_row.as_slice().expect("standard layout");
                    let h = &mut row[..units];
                    // The output (the bits of the forward pass, which `score` prints), then
                    // the weights; at beta 1 both from one quarter exponential per pair.
                    let alone = quarter.is_none();
                    let o = path_forward_row(layer, z_row, norms[r], dist_row, h, near, r, alone);
                    if let Some(powers) = quarter {
                        let f = kept.get_mut(r * units..(r + 1) * units).unwrap_or_default();
                        let o = powers.row(h, w, f);
                        check_finite(o, first_row + start + r)?;
                        out[start + r] = o;
                        continue;
                    }
                    check_finite(o, first_row + start + r)?;
                    out[start + r] = o;
                    let s: f64 = z_row
                        .iter()
                        .zip(reference)
                        .map(|(a, b)| (a - b) * (a - b))
                        .sum();
                    path_weights_row(layer, dist_row, reference_distances, s, beta, h, w);
                }
                // `neon-pick`'s rows below the path's: one product by the units for both.
                let pick = pick.map(|columns| PickRows {
                    rows,
                    columns,
                    dist,
                    reference,
                    beta,
                    quarter: keep.then_some(&*kept),
                });
                if let Some(input) = &pick {
                    pick_weights(layer, input, &mut weights[n * units..], pick_totals);
                }
                let m = products * n;
                let w = ArrayView2::from_shape((m, units), &*weights).expect("rows x units");
                let mut p = ArrayViewMut2::from_shape((m, d), &mut pooled[..m * d])
                    .expect("rows x features");
                general_mat_mul(1.0, &w, &layer.centers(), 0.0, &mut p);
                let (pooled_rows, pick_pooled) = pooled[..m * d].split_at(n * d);
                let mut rel = relevance.slice_mut(s![start..start + n, ..]);
                for (r, mut out_row) in rel.outer_iter_mut().enumerate() {
                    let z_row = rows.row(r);
                    let done = path_row_relevance(
                        z_row.as_slice().expect("standard layout"),
                        reference,
                        &pooled_rows[r * d..(r + 1) * d],
                        constants,
                        out[start + r] - floor,
                        flat,
                        out_row.as_slice_mut().expect("standard layout"),
                    );
                    tops[r] = None;
                    if !done {
                        floor_rows.push(r);
                    } else if let Some(lean) = lean {
                        tops[r] = lean.mix_row(
                            z_row.as_slice().expect("standard layout"),
                            reference,
                            (out[start + r] - floor, flat),
                            out_row.as_slice_mut().expect("standard layout"),
                            lean_numer,
                        );
                    }
                }
                // The fallback rows' `neon-floor` from the same distances: coefficients
                // into the (consumed) weights buffer, packed, then one product
                // `C [V | V^2]` and the share rule, as the fused NEON pass.
                for (k, &r) in floor_rows.iter().enumerate() {
                    let (dist_row, coef) = (
                        &dist[r * units..(r + 1) * units],
                        &mut weights[k * units..(k + 1) * units],
                    );
                    let (o, coef_sum) = floor_row(
                        layer,
                        dist_row,
                        coef,
                        &mut row[..units],
                        (beta, floor),
                        (near, r),
                        floor_near,
                    );
                    out[start + r] = o;
                    coef_sums[k] = coef_sum;
                }
                let k = floor_rows.len();
                if k > 0 {
                    let coef = ArrayView2::from_shape((k, units), &weights[..k * units])
                        .expect("rows x units");
                    let mut both = ArrayViewMut2::from_shape((k, 2 * d), &mut sums[..k * 2 * d])
                        .expect("rows x 2 features");
                    general_mat_mul(1.0, &coef, &layer.centered_and_squares(), 0.0, &mut both);
                    for (k, &r) in floor_rows.iter().enumerate() {
                        let mut out_row = rel.row_mut(r);
                        let out_row = out_row.as_slice_mut().expect("standard layout");
                        let x = &centered[r * d..(r + 1) * d];
                        let (cross, squares) = sums[k * 2 * d..(k + 1) * 2 * d].split_at(d);
                        let s = coef_sums[k];
                        for (((o, &xi), &ci), &qi) in
                            out_row.iter_mut().zip(x).zip(cross).zip(squares)
                        {
                            *o = xi * (xi * s - 2.0 * ci) + qi;
                        }
                    }
                    for &(r, unit, dist, relevance) in floor_near.iter() {
                        let z_row = rows.row(r);
                        let center = layer.centers();
                        let center = center.row(unit);
                        add_exact_share(
                            Power::Two,
                            z_row.as_slice().expect("standard layout"),
                            center.as_slice().expect("standard layout"),
                            dist,
                            relevance,
                            rel.row_mut(r).as_slice_mut().expect("standard layout"),
                        );
                    }
                    for &r in floor_rows.iter() {
                        spread_floor(
                            rel.row_mut(r).as_slice_mut().expect("standard layout"),
                            flat,
                        );
                    }
                }
                if let Some(input) = &pick {
                    let pooled = (pick_pooled, &pick_totals[..n]);
                    pick_sub_chunk(layer, input, pooled, tops, rel.view_mut(), pick_scratch);
                }
                if let Some(flip) = &flip {
                    flip.mix_sub_chunk(
                        rows,
                        (dist, keep.then_some(&*kept)),
                        &out[start..start + n],
                        weights,
                        pooled,
                        rel,
                        flip_scratch,
                    );
                }
            }
            Ok(())
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::pool;
    use crate::network::power::Power;
    use crate::rng::test_matrix as matrix;
    use ndarray::{Array1, Array2};

    /// A log-density network on random centers, a reference row with its distances to the
    /// centers, and the bias floor: the set-up of the tests below.
    struct PathCase {
        centers: Array2<f64>,
        layer: DistanceLayer,
        network: KernelNetwork,
        reference: Array1<f64>,
        reference_distances: Vec<f64>,
        floor: f64,
    }

    impl PathCase {
        fn new(
            units: usize,
            d: usize,
            reference: impl FnOnce(&Array2<f64>) -> Array1<f64>,
        ) -> Self {
            let (centers, layer, network) = super::super::test_network::rbf_density(units, d);
            let reference = reference(&centers);
            let reference_distances = centers
                .outer_iter()
                .map(|u| Power::Two.distance(reference.as_slice().unwrap(), u.as_slice().unwrap()))
                .collect();
            let floor = pool::soft_min(layer.bias().as_slice().unwrap());
            PathCase {
                centers,
                layer,
                network,
                reference,
                reference_distances,
                floor,
            }
        }

        /// `neon-path` at `beta` of the rows of `z`: outputs and relevances.
        fn run(
            &self,
            z: ArrayView2<f64>,
            quarter: Option<&QuarterPowers>,
            beta: f64,
        ) -> (Vec<f64>, Array2<f64>) {
            let mut out = vec![0.0; z.nrows()];
            let mut rel = Array2::zeros(z.raw_dim());
            self.network
                .explain_path_squared(
                    z,
                    0,
                    self.reference.view(),
                    &self.reference_distances,
                    quarter,
                    (beta, self.floor),
                    (None, None, None),
                    &mut out,
                    rel.view_mut(),
                )
                .unwrap();
            (out, rel)
        }
    }

    /// At beta 1 the one-exponential form agrees with the three-exponential form (within
    /// rounding), and several sub-chunks per chunk give the bits of each row explained
    /// alone; far rows stay finite and conserve.
    #[test]
    fn the_one_exponential_form_matches_the_exact_form() {
        let (units, d, rows) = (3_000, 7, 200);
        let case = PathCase::new(units, d, |_| matrix(1, d, 31).row(0).mapv(|v| 0.2 * v));
        let PathCase {
            centers,
            layer,
            reference,
            reference_distances,
            ..
        } = &case;
        let quarter = QuarterPowers::new(layer, reference_distances, 1.0, &midpoints())
            .expect("a narrow spread");
        let mut z = matrix(rows, d, 11);
        for r in [0, 57] {
            z.row_mut(r).assign(&centers.row(r * 7));
        }
        z.row_mut(3).assign(reference);
        for r in [10, 11] {
            let far = (&z.row(r) - reference) * 1e150 + reference;
            z.row_mut(r).assign(&far);
        }
        let run = |z: ArrayView2<f64>, quarter: Option<&QuarterPowers>| case.run(z, quarter, 1.0);
        let (out, rel) = run(z.view(), Some(&quarter));
        let (exact_out, exact_rel) = run(z.view(), None);
        for r in 0..rows {
            let o = out[r];
            assert!(o.is_finite(), "row {r}");
            assert!(
                (o - exact_out[r]).abs() <= 1e-12 * (1.0 + o.abs()),
                "row {r}"
            );
            let total: f64 = rel.row(r).sum();
            assert!((total - o).abs() < 1e-9 * (1.0 + o.abs()), "row {r}");
            for i in 0..d {
                let (a, b) = (rel[[r, i]], exact_rel[[r, i]]);
                assert!(
                    (a - b).abs() <= 1e-8 * (1.0 + o.abs()),
                    "row {r} feature {i}: {a} {b}"
                );
            }
            let (o_alone, alone) = run(z.slice(s![r..r + 1, ..]), Some(&quarter));
            assert_eq!(o.to_bits(), o_alone[0].to_bits(), "row {r}");
            for i in 0..d {
                assert_eq!(
                    rel[[r, i]].to_bits(),
                    alone[[0, i]].to_bits(),
                    "row {r} feature {i}"
                );
            }
        }
    }

    /// Several sub-chunks per chunk give the bits of each row explained alone, including
    /// rows on a center (near pairs) and rows at the reference (the `neon-floor` fallback).
    #[test]
    fn sub_chunks_give_the_bits_of_rows_explained_alone() {
        let (units, d, rows) = (3_000, 7, 200);
        assert!(
            super::super::fused::sub_chunk_rows(units) < rows,
            "several sub-chunks per chunk"
        );
        // A reference on a center: the fallback rows at it have a near pair.
        let case = PathCase::new(units, d, |centers| centers.row(1_400).to_owned());
        let PathCase {
            centers,
            network,
            reference,
            floor,
            ..
        } = &case;
        let mut z = matrix(rows, d, 11);
        for r in [0, 57, 199] {
            z.row_mut(r).assign(&centers.row(r * 7));
        }
        for r in [3, 130] {
            z.row_mut(r).assign(reference);
        }
        let run = |z: ArrayView2<f64>| case.run(z, None, 0.8);
        let (out, rel) = run(z.view());
        for r in 0..rows {
            let (o, alone) = run(z.slice(s![r..r + 1, ..]));
            assert_eq!(out[r].to_bits(), o[0].to_bits(), "row {r}");
            let total: f64 = rel.row(r).sum();
            assert!(
                (total - out[r]).abs() < 1e-9 * (1.0 + out[r].abs()),
                "row {r}"
            );
            for i in 0..d {
                let (a, b) = (rel[[r, i]], alone[[0, i]]);
                assert_eq!(a.to_bits(), b.to_bits(), "row {r} feature {i}: {a} {b}");
            }
        }
        // The rows at the reference (on a center) get the bits of the fused `neon-floor` pass.
        z.row_mut(199).assign(reference);
        let (out, rel) = run(z.view());
        for r in [3, 130, 199] {
            let mut o = vec![0.0];
            let mut floor_rel = Array2::zeros((1, d));
            let flat = floor / d as f64;
            network
                .explain_squared(
                    z.slice(s![r..r + 1, ..]),
                    0,
                    (0.8, *floor, flat),
                    &mut o,
                    floor_rel.view_mut(),
                )
                .unwrap();
            assert_eq!(out[r].to_bits(), o[0].to_bits(), "row {r}");
            for i in 0..d {
                let (a, b) = (rel[[r, i]], floor_rel[[0, i]]);
                assert_eq!(a.to_bits(), b.to_bits(), "row {r} feature {i}: {a} {b}");
            }
        }
    }
}
