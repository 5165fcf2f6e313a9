//! `neon-path` for q = 2 (rbf) over one work chunk, fused and cache-sized in the style of
//! [`super::fused`].
//!
//! Per sub-chunk of [`sub_chunk_rows`] rows, with every buffer in a per-thread scratch:
//!
//! 1. one matrix product: the cross terms of the row's distances;
//! 2. per row, over the units in L1: complete the distances and the soft-min output (the
//!    forward pass, [`forward_row`]); then at every midpoint `t_k` of the path the distances
//!    `||a(t_k) - u_j||^2 = D_r + t (D_z - D_r - s) + t^2 s` (`D_r` the reference's,
//!    `s = ||z - r||^2`), their soft-min weights `p(m_k)` (fast exponentials), summed into
//!    `W_j = sum_k p_j(m_k)`;
//! 3. one matrix product `W U` and the numerators
//!    `N_i = (2 / K)(z_i - r_i)(sum_k m_k,i - (W U)_i)`, rescaled to
//!    `R_i = (o - o_0) N_i / sum N + o_0 / d`.
//!
//! Rows whose numerators are unusable are collected and get `neon-floor` through the fused
//! NEON pass ([`KernelNetwork::explain_squared`]) on those rows only, once per work chunk.
//! The arithmetic per row is that of the unfused form (same operations in the same order),
//! so results do not depend on the sub-chunk size or the thread count.

use super::fused::{forward_row, spread_floor, sub_chunk_rows};
use super::path::midpoints;
use super::{check_finite, KernelNetwork};
use crate::error::Result;
use crate::lrp::rescale::{rescale_into, usable};
use crate::network::dispatch::{dispatched, Level};
use crate::network::distance::DistanceLayer;
use crate::network::lanes;
use ndarray::linalg::general_mat_mul;
use ndarray::{s, Array2, ArrayView1, ArrayView2, ArrayViewMut2, Axis};
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
    /// Summed midpoint weights `W`, rows x units.
    weights: Vec<f64>,
    /// One row's activations.
    row: Vec<f64>,
    /// `W U`, rows x features.
    pooled: Vec<f64>,
    /// One row's numerators.
    numerators: Vec<f64>,
}

impl Scratch {
    /// Size the buffers for `rows` rows, `d` features and `units` units.
    fn fit(&mut self, rows: usize, d: usize, units: usize) {
        let grow = |v: &mut Vec<f64>, n: usize| {
            if v.len() < n {
                v.resize(n, 0.0);
            }
        };
        grow(&mut self.centered, rows * d);
        grow(&mut self.norms, rows);
        grow(&mut self.dist, rows * units);
        grow(&mut self.weights, rows * units);
        grow(&mut self.row, units);
        grow(&mut self.pooled, rows * d);
        grow(&mut self.numerators, d);
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Run `f` with this thread's scratch (a fresh one if it is already in use).
fn with_scratch<T>(f: impl FnOnce(&mut Scratch) -> T) -> T {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => f(&mut scratch),
        Err(_) => f(&mut Scratch::default()),
    })
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
    #[allow(clippy::too_many_arguments)]
    pub(super) fn explain_path_squared(
        &self,
        z: ArrayView2<f64>,
        first_row: usize,
        reference: ArrayView1<f64>,
        reference_distances: &[f64],
        (beta, floor): (f64, f64),
        out: &mut [f64],
        mut relevance: ArrayViewMut2<f64>,
    ) -> Result<()> {
        let layer = &self.distance;
        let (d, units) = (z.ncols(), layer.n_units());
        let flat = floor / d as f64;
        let step = sub_chunk_rows(units);
        let ts = midpoints();
        let t_sum: f64 = ts.iter().sum();
        let scale = 2.0 / ts.len() as f64;
        let segments = ts.len() as f64;
        let reference = reference.as_slice().expect("owned");
        let mut fallback = Vec::new();
        with_scratch(|sc| -> Result<()> {
            for start in (0..z.nrows()).step_by(step) {
                let rows = z.slice(s![start..(start + step).min(z.nrows()), ..]);
                let n = rows.nrows();
                sc.fit(n, d, units);
                let Scratch {
                    centered,
                    norms,
                    dist,
                    weights,
                    row,
                    pooled,
                    numerators,
                } = sc;
                let dist = &mut dist[..n * units];
                let weights = &mut weights[..n * units];
                layer.cross_terms_into(rows, &mut centered[..n * d], &mut norms[..n], dist);
                for (r, (dist_row, w)) in dist
                    .chunks_exact_mut(units)
                    .zip(weights.chunks_exact_mut(units))
                    .enumerate()
                {
                    let z_row = rows.row(r);
                    let z_row = z_row.as_slice().expect("standard layout");
                    let h = &mut row[..units];
                    let o = forward_row(layer, z_row, norms[r], dist_row, h);
                    check_finite(o, first_row + start + r)?;
                    out[start + r] = o;
                    let s: f64 = z_row
                        .iter()
                        .zip(reference)
                        .map(|(a, b)| (a - b) * (a - b))
                        .sum();
                    path_weights_row(layer, dist_row, reference_distances, s, beta, h, w);
                }
                let w = ArrayView2::from_shape((n, units), &*weights).expect("rows x units");
                let mut p = ArrayViewMut2::from_shape((n, d), &mut pooled[..n * d])
                    .expect("rows x features");
                general_mat_mul(1.0, &w, &layer.centers(), 0.0, &mut p);
                let numerators = &mut numerators[..d];
                let mut rel = relevance.slice_mut(s![start..start + n, ..]);
                for (r, mut out_row) in rel.outer_iter_mut().enumerate() {
                    let z_row = rows.row(r);
                    for (i, nu) in numerators.iter_mut().enumerate() {
                        let delta = z_row[i] - reference[i];
                        let midpoint_sum = segments * reference[i] + t_sum * delta;
                        *nu = scale * delta * (midpoint_sum - p[[r, i]]);
                    }
                    let excess = out[start + r] - floor;
                    if usable(numerators, excess) {
                        rescale_into(numerators, excess, 0.0, out_row.view_mut());
                        let out_row = out_row.as_slice_mut().expect("standard layout");
                        spread_floor(out_row, flat);
                        if !out_row.iter().any(|v| v.is_nan()) {
                            continue;
                        }
                    }
                    fallback.push(start + r);
                }
            }
            Ok(())
        })?;
        if !fallback.is_empty() {
            let rows = z.select(Axis(0), &fallback);
            let mut floor_out = vec![0.0; fallback.len()];
            let mut floor_rel = Array2::zeros(rows.raw_dim());
            self.explain_squared(
                rows.view(),
                first_row,
                (beta, floor, flat),
                &mut floor_out,
                floor_rel.view_mut(),
            )?;
            for (k, &r) in fallback.iter().enumerate() {
                out[r] = floor_out[k];
                relevance.row_mut(r).assign(&floor_rel.row(k));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::kernel::Readout;
    use crate::network::pool;
    use crate::network::power::Power;
    use crate::rng::test_matrix as matrix;
    use ndarray::Array1;

    /// Several sub-chunks per chunk give the bits of each row explained alone, including
    /// rows on a center (near pairs) and rows at the reference (the `neon-floor` fallback).
    #[test]
    fn sub_chunks_give_the_bits_of_rows_explained_alone() {
        let (units, d, rows) = (3_000, 7, 200);
        assert!(sub_chunk_rows(units) < rows, "several sub-chunks per chunk");
        let centers = matrix(units, d, 5);
        let bias = matrix(units, 1, 9).column(0).mapv(|b| 0.3 * b);
        let layer = DistanceLayer::new(Power::Two, 0.7, centers.clone(), bias);
        let network = KernelNetwork::new(
            layer.clone(),
            Readout::LogDensity {
                log_normalizer: 0.0,
            },
        );
        let reference: Array1<f64> = centers.mean_axis(Axis(0)).unwrap();
        let reference_distances: Vec<f64> = centers
            .outer_iter()
            .map(|u| Power::Two.distance(reference.as_slice().unwrap(), u.as_slice().unwrap()))
            .collect();
        let floor = pool::soft_min(layer.bias().as_slice().unwrap());
        let mut z = matrix(rows, d, 11);
        for r in [0, 57, 199] {
            z.row_mut(r).assign(&centers.row(r * 7));
        }
        for r in [3, 130] {
            z.row_mut(r).assign(&reference);
        }
        let run = |z: ArrayView2<f64>| {
            let mut out = vec![0.0; z.nrows()];
            let mut rel = Array2::zeros(z.raw_dim());
            network
                .explain_path_squared(
                    z,
                    0,
                    reference.view(),
                    &reference_distances,
                    (0.8, floor),
                    &mut out,
                    rel.view_mut(),
                )
                .unwrap();
            (out, rel)
        };
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
    }
}
