//! The q = 2 (rbf) forward and NEON passes over one work chunk, fused and cache-sized.
//!
//! A chunk is cut into sub-chunks of `rows` rows with `rows x units` doubles about
//! [`BUFFER_BYTES`], so the distance buffer stays in L2 between its passes (but at least
//! [`MIN_ROWS`] rows: with many units, repacking the units' matrices for every few rows
//! costs more than the L3 traffic of a larger buffer). Per sub-chunk:
//!
//! 1. one matrix product: the cross terms `-2 x.v_j` of the distances;
//! 2. per row, over the units in L1: complete the distances (`+ ||x||^2 + ||v_j||^2`, near
//!    pairs exact) and the activations `h_j = gamma dist_j + b_j`, their min; one exponential
//!    pass with its sum (`e_j = exp(-beta (h_j - min h))`, at beta 1 as `F_j^4` with
//!    `F_j = exp(-(h_j - min h) / 4)`, as `pool::softmin_quarter_exps`); then
//!    scale and divide in one pass, `c_j = e_j (o - floor) / S / dist_j`, and the row sum of `c`;
//! 3. one matrix product `C [V | V^2]` and the share rule
//!    `R_i = x_i^2 sum_j c_j - 2 x_i (C V)_i + (C V^2)_i`, near pairs added exactly;
//! 4. [`spread_floor`]: the `neon-floor` floor spread over the features.
//!
//! Every buffer lives in a per-thread [`Scratch`] reused across chunks and calls (no
//! allocation per chunk). The arithmetic per row is exactly that of the unfused form
//! (`DistanceLayer::distances`, `pool::softmin_quarter_exps`, `propagate_share`): same
//! operations in the same order, so results are bit-identical to it and independent of the
//! sub-chunk size and the thread count.

use super::{check_finite, KernelNetwork};
use crate::error::Result;
use crate::lrp::distance::add_exact_share;
use crate::network::dispatch::{dispatched, Level};
use crate::network::distance::DistanceLayer;
use crate::network::power::Power;
use crate::network::scratch::{grow, with_local};
use crate::network::{lanes, CHUNK_ROWS};
use ndarray::linalg::general_mat_mul;
use ndarray::{s, ArrayView2, ArrayViewMut2};
use std::cell::RefCell;

/// Target size of the rows x units distance buffer of a sub-chunk: half of a 2 MB L2, so
/// the centers and the other operands of the passes fit beside it.
const BUFFER_BYTES: usize = 1 << 20;

/// Fewest rows of a sub-chunk: each matrix product repacks the units' matrix (units x
/// features, units x 2 features), which must be amortized over enough rows (at 10,000
/// units, 16 rows made an explanation 1.5x slower than 64).
const MIN_ROWS: usize = 64;

/// Rows per sub-chunk for `units` units: `rows x units` doubles about [`BUFFER_BYTES`].
pub(super) fn sub_chunk_rows(units: usize) -> usize {
    (BUFFER_BYTES / (8 * units.max(1))).clamp(MIN_ROWS, CHUNK_ROWS)
}

/// The sub-chunks of a work chunk `z` for `units` units: (first row in `z`, its rows).
pub(super) fn sub_chunks(
    z: ArrayView2<'_, f64>,
    units: usize,
) -> impl Iterator<Item = (usize, ArrayView2<'_, f64>)> {
    let step = sub_chunk_rows(units);
    (0..z.nrows()).step_by(step).map(move |start| {
        (
            start,
            z.slice_move(s![start..(start + step).min(z.nrows()), ..]),
        )
    })
}

/// A pair recomputed from exact differences, with its unit relevance.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Near {
    row: usize,
    unit: usize,
    dist: f64,
    relevance: f64,
}

/// The buffers of one thread, grown on demand and reused.
#[derive(Debug, Default)]
struct Scratch {
    /// Centered rows, rows x features.
    centered: Vec<f64>,
    /// `||x_r||^2`.
    norms: Vec<f64>,
    /// Distances, then coefficients `c = R / dist`, rows x units.
    dist: Vec<f64>,
    /// One row's activations, then exponentials.
    row: Vec<f64>,
    /// `sum_j c_j` per row.
    coef_sums: Vec<f64>,
    /// `[C V | C V^2]`, rows x 2 features.
    sums: Vec<f64>,
    near: Vec<Near>,
}

impl Scratch {
    /// Size the buffers for `rows` rows, `d` features and `units` units.
    fn fit(&mut self, rows: usize, d: usize, units: usize) {
        grow(&mut self.centered, rows * d);
        grow(&mut self.norms, rows);
        grow(&mut self.dist, rows * units);
        grow(&mut self.row, units);
        grow(&mut self.coef_sums, rows);
        grow(&mut self.sums, rows * 2 * d);
        self.near.clear();
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Run `f` with this thread's scratch (a fresh one if it is already in use).
fn with_scratch<T>(f: impl FnOnce(&mut Scratch) -> T) -> T {
    with_local(&SCRATCH, f)
}

/// The `neon-floor` floor spread: `R_i += flat` on every feature of a row, `flat = o_0 / d`
/// (`o_0` the network's floor output). The one place the spread of the floor is decided.
#[inline]
pub(super) fn spread_floor(relevance: &mut [f64], flat: f64) {
    if flat != 0.0 {
        for r in relevance.iter_mut() {
            *r += flat;
        }
    }
}

dispatched!(
    /// Step 2 of the forward pass for one row: complete the distances (`dist` holds the
    /// cross terms), activations into `h`, and the soft-min output.
    forward_row, forward_row_at, forward_row_generic,
    (layer: &DistanceLayer, z: &[f64], zz: f64, dist: &mut [f64], h: &mut [f64]) -> f64
);

#[inline(always)]
fn forward_row_generic(
    layer: &DistanceLayer,
    z: &[f64],
    zz: f64,
    dist: &mut [f64],
    h: &mut [f64],
) -> f64 {
    layer.complete_row(z, zz, dist, |_, _| {});
    layer.activations_row_into(dist, h);
    let h_min = lanes::min(h);
    h_min - lanes::sum_exp_quarter_generic(h, h_min).ln()
}

dispatched!(
    /// Step 2 of the NEON pass for row `r` of a sub-chunk: complete the distances (`coef`
    /// holds the cross terms), activations and exponentials in `e`, then
    /// `coef_j = R_j / dist_j` with near pairs moved to `near`; returns the output and
    /// `sum_j coef_j`.
    explain_row, explain_row_at, explain_row_generic,
    (layer: &DistanceLayer, z: &[f64], zz: f64, coef: &mut [f64], e: &mut [f64], beta_floor: (f64, f64), near: &mut Vec<Near>, r: usize) -> (f64, f64)
);

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn explain_row_generic(
    layer: &DistanceLayer,
    z: &[f64],
    zz: f64,
    coef: &mut [f64],
    e: &mut [f64],
    (beta, floor): (f64, f64),
    near: &mut Vec<Near>,
    r: usize,
) -> (f64, f64) {
    let first_near = near.len();
    layer.complete_row(z, zz, coef, |unit, dist| {
        near.push(Near {
            row: r,
            unit,
            dist,
            relevance: 0.0,
        })
    });
    layer.activations_row_into(coef, e);
    // `pool::softmin_quarter_exps`, with the copies of this level inlined.
    let h_min = lanes::min(e);
    let (o, total) = if beta == 1.0 {
        let total = lanes::exp_quarter_sum_inplace_generic(e, h_min);
        (h_min - total.ln(), total)
    } else {
        let output = h_min - lanes::sum_exp_quarter_generic(e, h_min).ln();
        (output, lanes::exp_sum_inplace_generic(e, h_min, beta))
    };
    let scale = (o - floor) / total;
    lanes::scale_divide(coef, e, scale);
    for pair in &mut near[first_near..] {
        pair.relevance = e[pair.unit] * scale;
        coef[pair.unit] = 0.0;
    }
    (o, lanes::sum_unrolled8(coef))
}

impl KernelNetwork {
    /// Outlierness of the rows of `z` (one work chunk, first row `first_row`) into `out`.
    pub(super) fn forward_squared(
        &self,
        z: ArrayView2<f64>,
        first_row: usize,
        out: &mut [f64],
    ) -> Result<()> {
        let layer = &self.distance;
        let (d, units) = (z.ncols(), layer.n_units());
        with_scratch(|s| {
            for (start, rows) in sub_chunks(z, units) {
                let n = rows.nrows();
                s.fit(n, d, units);
                let dist = &mut s.dist[..n * units];
                layer.cross_terms_into(rows, &mut s.centered[..n * d], &mut s.norms[..n], dist);
                for (r, dist_row) in dist.chunks_exact_mut(units).enumerate() {
                    let z_row = rows.row(r);
                    let z_row = z_row.as_slice().expect("standard layout");
                    let h = &mut s.row[..units];
                    let o = forward_row(layer, z_row, s.norms[r], dist_row, h);
                    check_finite(o, first_row + start + r)?;
                    out[start + r] = o;
                }
            }
            Ok(())
        })
    }

    /// The NEON pass (soft-min redistribution at `beta`, the excess over `floor`, then the
    /// share rule) of the rows of `z` (one work chunk): outlierness into `out`, relevance
    /// into `relevance` (rows x features), `flat` spread over the features.
    pub(super) fn explain_squared(
        &self,
        z: ArrayView2<f64>,
        first_row: usize,
        (beta, floor, flat): (f64, f64, f64),
        out: &mut [f64],
        mut relevance: ArrayViewMut2<f64>,
    ) -> Result<()> {
        let layer = &self.distance;
        let (d, units) = (z.ncols(), layer.n_units());
        with_scratch(|s| {
            for (start, rows) in sub_chunks(z, units) {
                let n = rows.nrows();
                s.fit(n, d, units);
                let Scratch {
                    centered,
                    norms,
                    dist,
                    row,
                    coef_sums,
                    sums,
                    near,
                } = s;
                let (centered, dist) = (&mut centered[..n * d], &mut dist[..n * units]);
                layer.cross_terms_into(rows, centered, &mut norms[..n], dist);
                for (r, coef) in dist.chunks_exact_mut(units).enumerate() {
                    let z_row = rows.row(r);
                    let z_row = z_row.as_slice().expect("standard layout");
                    let e = &mut row[..units];
                    let (o, coef_sum) =
                        explain_row(layer, z_row, norms[r], coef, e, (beta, floor), near, r);
                    check_finite(o, first_row + start + r)?;
                    out[start + r] = o;
                    coef_sums[r] = coef_sum;
                }
                let coef = ArrayView2::from_shape((n, units), &*dist).expect("rows x units");
                let mut both = ArrayViewMut2::from_shape((n, 2 * d), &mut sums[..n * 2 * d])
                    .expect("rows x 2 features");
                general_mat_mul(1.0, &coef, &layer.centered_and_squares(), 0.0, &mut both);
                let mut rel = relevance.slice_mut(s![start..start + n, ..]);
                for (r, mut out_row) in rel.outer_iter_mut().enumerate() {
                    let out_row = out_row.as_slice_mut().expect("standard layout");
                    let x = &centered[r * d..(r + 1) * d];
                    let (cross, squares) = sums[r * 2 * d..(r + 1) * 2 * d].split_at(d);
                    let s = coef_sums[r];
                    for (((o, &xi), &ci), &qi) in out_row.iter_mut().zip(x).zip(cross).zip(squares)
                    {
                        *o = xi * (xi * s - 2.0 * ci) + qi;
                    }
                }
                for pair in near.iter() {
                    let z_row = rows.row(pair.row);
                    let center = layer.centers();
                    let center = center.row(pair.unit);
                    add_exact_share(
                        Power::Two,
                        z_row.as_slice().expect("standard layout"),
                        center.as_slice().expect("standard layout"),
                        pair.dist,
                        pair.relevance,
                        rel.row_mut(pair.row)
                            .as_slice_mut()
                            .expect("standard layout"),
                    );
                }
                for mut out_row in rel.outer_iter_mut() {
                    spread_floor(out_row.as_slice_mut().expect("standard layout"), flat);
                }
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lrp::distance::propagate_share;
    use crate::network::distance::DistanceLayer;
    use crate::network::pool;
    use ndarray::{Array1, Array2};

    use crate::rng::test_matrix as matrix;

    /// The fused passes give the bits of the unfused form (whole-chunk distances, soft-min
    /// redistribution, matrix-form share), with sub-chunks smaller than the chunk and rows
    /// on top of centers (near pairs).
    #[test]
    #[allow(clippy::needless_range_loop)]
    fn fused_passes_match_the_unfused_form_bit_for_bit() {
        let (units, d, rows) = (3_000, 7, 200);
        assert!(sub_chunk_rows(units) < rows, "several sub-chunks per chunk");
        let (centers, layer, network) = super::super::test_network::rbf_density(units, d);
        let mut z = matrix(rows, d, 11);
        for r in [0, 57, 199] {
            z.row_mut(r).assign(&centers.row(r * 7));
        }
        let batch = layer.distances(z.view());
        assert!(!batch.near.is_empty());
        let h = layer.activations(&batch.dist);

        let mut forward = vec![0.0; rows];
        network.forward_squared(z.view(), 0, &mut forward).unwrap();
        for (r, h_row) in h.outer_iter().enumerate() {
            let expected = pool::soft_min_quarter(h_row.as_slice().unwrap());
            assert_eq!(forward[r].to_bits(), expected.to_bits(), "row {r}");
            let plain = pool::soft_min(h_row.as_slice().unwrap());
            assert!(
                (forward[r] - plain).abs() <= 1e-14 * (1.0 + plain.abs()),
                "row {r}"
            );
        }

        for (beta, floor) in [(1.0, 0.0), (0.6, 0.3)] {
            let flat = floor / d as f64;
            let mut unit_relevance = h.clone();
            let mut expected_out = Array1::zeros(rows);
            for (mut h_row, o) in unit_relevance.outer_iter_mut().zip(&mut expected_out) {
                let h_row = h_row.as_slice_mut().unwrap();
                let (output, total) = pool::softmin_quarter_exps(h_row, beta);
                let scale = (output - floor) / total;
                h_row.iter_mut().for_each(|v| *v *= scale);
                *o = output;
            }
            let mut expected = Array2::zeros((rows, d));
            propagate_share(
                &layer,
                z.view(),
                &batch,
                unit_relevance,
                expected.view_mut(),
            );
            expected.mapv_inplace(|r| r + flat);

            let mut out = vec![0.0; rows];
            let mut relevance = Array2::zeros((rows, d));
            network
                .explain_squared(
                    z.view(),
                    0,
                    (beta, floor, flat),
                    &mut out,
                    relevance.view_mut(),
                )
                .unwrap();
            for r in 0..rows {
                assert_eq!(out[r].to_bits(), expected_out[r].to_bits(), "row {r}");
                assert_eq!(out[r].to_bits(), forward[r].to_bits(), "row {r}");
                for i in 0..d {
                    let (a, b) = (relevance[[r, i]], expected[[r, i]]);
                    assert_eq!(a.to_bits(), b.to_bits(), "row {r} feature {i}: {a} {b}");
                }
            }
        }
    }

    /// The row passes of every compiled copy this CPU runs give the portable bits.
    #[test]
    fn every_compiled_copy_of_the_row_passes_gives_the_same_bits() {
        let (units, d, rows) = (300, 6, 40);
        let centers = matrix(units, d, 21);
        let bias = matrix(units, 1, 4).column(0).mapv(|b| 0.2 * b);
        let layer = DistanceLayer::new(Power::Two, 0.9, centers.clone(), bias);
        let mut z = matrix(rows, d, 13);
        z.row_mut(3).assign(&centers.row(17));
        let (mut centered, mut norms) = (vec![0.0; rows * d], vec![0.0; rows]);
        let mut cross = vec![0.0; rows * units];
        layer.cross_terms_into(z.view(), &mut centered, &mut norms, &mut cross);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        for level in Level::available() {
            for r in 0..rows {
                let z_row = z.row(r);
                let z_row = z_row.as_slice().unwrap();
                let row_cross = &cross[r * units..(r + 1) * units];
                let (mut a, mut b) = (row_cross.to_vec(), row_cross.to_vec());
                let (mut ea, mut eb) = (vec![0.0; units], vec![0.0; units]);
                let fa = forward_row_at(level, &layer, z_row, norms[r], &mut a, &mut ea);
                let fb = forward_row_generic(&layer, z_row, norms[r], &mut b, &mut eb);
                assert_eq!(fa.to_bits(), fb.to_bits(), "{level:?} row {r}");
                for beta_floor in [(1.0, 0.0), (0.4, -0.2)] {
                    let (mut a, mut b) = (row_cross.to_vec(), row_cross.to_vec());
                    let (mut na, mut nb) = (Vec::new(), Vec::new());
                    let ra = explain_row_at(
                        level, &layer, z_row, norms[r], &mut a, &mut ea, beta_floor, &mut na, r,
                    );
                    let rb = explain_row_generic(
                        &layer, z_row, norms[r], &mut b, &mut eb, beta_floor, &mut nb, r,
                    );
                    assert_eq!(
                        (ra.0.to_bits(), ra.1.to_bits()),
                        (rb.0.to_bits(), rb.1.to_bits())
                    );
                    assert_eq!(bits(&a), bits(&b), "{level:?} row {r}");
                    assert_eq!(bits(&ea), bits(&eb), "{level:?} row {r}");
                    assert_eq!(na.len(), nb.len());
                }
            }
        }
    }
}
