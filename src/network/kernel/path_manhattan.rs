//! `neon-path` for q = 1 (laplacian), fused: one loop over the features per row evaluates
//! the three distances of every unit (row, midpoints `t = 1/4, 3/4`), vectorized over the
//! units, and one more gives the numerators; every buffer in a per-thread scratch.
//!
//! Per row `z` (reference `r`, `delta = z - r`, the pieces' ends `a_k = r + (k / 2) delta`
//! and midpoints `m_k`):
//!
//! 1. `D_z,j = sum_i |z_i - u_ij|`, `D_1,j = sum_i |m_0,i - u_ij|`,
//!    `D_3,j = sum_i |m_1,i - u_ij|`, summed over `i` in order, from the centers stored
//!    features x units (contiguous over the units);
//! 2. the output `o = min H - ln sum_j exp(min H - H_j)`, `H_j = gamma D_z,j + b_j`, and the
//!    weights `p(m_k) = softmin(beta (gamma D + b))` at both midpoints (fast exponentials);
//! 3. `N_i = sum_j p_j(m_0) (|a_1,i - u_ij| - |r_i - u_ij|) + p_j(m_1) (|a_2,i - u_ij| - |a_1,i - u_ij|)`,
//!    with `|r_i - u_ij|` stored per model, summed over `j` in [`LANES`] partial sums.
//!
//! The arithmetic of a row depends on that row alone, so results do not depend on the
//! chunk size or the thread count; every compiled copy gives the same bits.

use super::path::SEGMENTS;
use crate::network::dispatch::{dispatched, Level};
use crate::network::distance::DistanceLayer;
use crate::network::lanes;
use crate::network::scratch::{grow, with_local};
use ndarray::{ArrayView1, ArrayView2, ArrayViewMut2};
use std::cell::RefCell;

/// Independent partial sums of the numerators' sums over the units.
const LANES: usize = 8;

/// The per-model operands of the q = 1 pass.
#[derive(Debug, Clone)]
pub(super) struct ManhattanPath {
    /// The centers, features x units.
    centers_t: Vec<f64>,
    /// `|r_i - u_ij|`, features x units.
    reference_gaps: Vec<f64>,
}

/// The buffers of one thread, grown on demand and reused.
#[derive(Debug, Default)]
struct Scratch {
    /// `D_z`, then the activations `H`, then their exponentials.
    row: Vec<f64>,
    /// `D` at the first midpoint, then its weights.
    first: Vec<f64>,
    /// `D` at the second midpoint, then its weights.
    second: Vec<f64>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

impl ManhattanPath {
    /// The operands for a layer and its reference point.
    pub(super) fn new(layer: &DistanceLayer, reference: ArrayView1<f64>) -> ManhattanPath {
        let centers_t: Vec<f64> = layer.centers().t().iter().copied().collect();
        let units = layer.n_units();
        let reference_gaps = centers_t
            .iter()
            .enumerate()
            .map(|(k, &u)| (reference[k / units] - u).abs())
            .collect();
        ManhattanPath {
            centers_t,
            reference_gaps,
        }
    }

    /// The outlierness of every row of `z` into `out` and its numerators into `numerators`
    /// (rows x features), at `beta`.
    pub(super) fn explain_into(
        &self,
        layer: &DistanceLayer,
        z: ArrayView2<f64>,
        reference: ArrayView1<f64>,
        beta: f64,
        out: &mut [f64],
        mut numerators: ArrayViewMut2<f64>,
    ) {
        let units = layer.n_units();
        let bias = layer.bias();
        let bias = bias.as_slice().expect("contiguous");
        let reference = reference.as_slice().expect("contiguous");
        with_local(&SCRATCH, |s| {
            grow(&mut s.row, units);
            grow(&mut s.first, units);
            grow(&mut s.second, units);
            for ((z, o), mut n) in z
                .outer_iter()
                .zip(out.iter_mut())
                .zip(numerators.outer_iter_mut())
            {
                *o = manhattan_row(
                    &self.centers_t,
                    &self.reference_gaps,
                    (layer.gamma(), bias, beta),
                    (z.as_slice().expect("standard layout"), reference),
                    (
                        &mut s.row[..units],
                        &mut s.first[..units],
                        &mut s.second[..units],
                    ),
                    n.as_slice_mut().expect("standard layout"),
                );
            }
        });
    }
}

dispatched!(
    /// Steps 1-3 of the module docs for one row: returns the outlierness, writes the
    /// numerators.
    manhattan_row, manhattan_row_at, manhattan_row_generic,
    (centers_t: &[f64], gaps: &[f64], layer: (f64, &[f64], f64), points: (&[f64], &[f64]), buffers: (&mut [f64], &mut [f64], &mut [f64]), numerators: &mut [f64]) -> f64
);

#[inline(always)]
fn manhattan_row_generic(
    centers_t: &[f64],
    gaps: &[f64],
    (gamma, bias, beta): (f64, &[f64], f64),
    (z, reference): (&[f64], &[f64]),
    (dz, d1, d3): (&mut [f64], &mut [f64], &mut [f64]),
    numerators: &mut [f64],
) -> f64 {
    let units = bias.len();
    let step = 1.0 / SEGMENTS as f64;
    let point = |i: usize, t: f64| reference[i] + t * (z[i] - reference[i]);
    dz.fill(0.0);
    d1.fill(0.0);
    d3.fill(0.0);
    for (i, u) in centers_t.chunks_exact(units).enumerate() {
        let (zi, m1, m3) = (z[i], point(i, 0.5 * step), point(i, 1.5 * step));
        for (((dz, d1), d3), &u) in dz.iter_mut().zip(d1.iter_mut()).zip(d3.iter_mut()).zip(u) {
            *dz += (zi - u).abs();
            *d1 += (m1 - u).abs();
            *d3 += (m3 - u).abs();
        }
    }
    // The output, at the model's own soft-min.
    for (h, &b) in dz.iter_mut().zip(bias) {
        *h = gamma * *h + b;
    }
    let h_min = lanes::min(dz);
    let output = h_min - lanes::sum_exp_generic(dz, h_min).ln();
    // The midpoints' weights at beta.
    for p in [&mut *d1, &mut *d3] {
        for (h, &b) in p.iter_mut().zip(bias) {
            *h = gamma * *h + b;
        }
        let h_min = lanes::min(p);
        let inverse = 1.0 / lanes::exp_sum_inplace_generic(p, h_min, beta);
        for w in p.iter_mut() {
            *w *= inverse;
        }
    }
    for ((i, n), (u, g)) in numerators
        .iter_mut()
        .enumerate()
        .zip(centers_t.chunks_exact(units).zip(gaps.chunks_exact(units)))
    {
        let (mid, end) = (point(i, step), point(i, 2.0 * step));
        let share = |u: f64, g: f64, p1: f64, p3: f64| {
            let at_mid = (mid - u).abs();
            p1 * (at_mid - g) + p3 * ((end - u).abs() - at_mid)
        };
        let mut acc = [0.0; LANES];
        let groups = u
            .chunks_exact(LANES)
            .zip(g.chunks_exact(LANES))
            .zip(d1.chunks_exact(LANES).zip(d3.chunks_exact(LANES)));
        let whole = units - units % LANES;
        for ((u, g), (p1, p3)) in groups {
            let u: &[f64; LANES] = u.try_into().expect("LANES values");
            let g: &[f64; LANES] = g.try_into().expect("LANES values");
            let p1: &[f64; LANES] = p1.try_into().expect("LANES values");
            let p3: &[f64; LANES] = p3.try_into().expect("LANES values");
            for l in 0..LANES {
                acc[l] += share(u[l], g[l], p1[l], p3[l]);
            }
        }
        let mut tail = 0.0;
        for (((&u, &g), &p1), &p3) in u[whole..]
            .iter()
            .zip(&g[whole..])
            .zip(&d1[whole..])
            .zip(&d3[whole..])
        {
            tail += share(u, g, p1, p3);
        }
        *n = acc.iter().fold(0.0, |a, &v| a + v) + tail;
    }
    output
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::power::Power;
    use crate::rng::test_matrix as matrix;

    fn layer(units: usize, d: usize) -> DistanceLayer {
        let centers = matrix(units, d, 3);
        let bias = matrix(units, 1, 8).column(0).mapv(|b| 0.5 * b);
        DistanceLayer::new(Power::One, 0.4, centers, bias)
    }

    /// Every compiled copy this CPU runs gives the portable bits.
    #[test]
    fn every_compiled_copy_gives_the_same_bits() {
        let (units, d) = (203, 9);
        let layer = layer(units, d);
        let reference = matrix(1, d, 17).row(0).mapv(|v| 0.3 * v);
        let path = ManhattanPath::new(&layer, reference.view());
        let bias = layer.bias().to_vec();
        let z = matrix(1, d, 29).row(0).to_vec();
        let run = |level: Level| {
            let (mut a, mut b, mut c) = (vec![0.0; units], vec![0.0; units], vec![0.0; units]);
            let mut n = vec![0.0; d];
            let o = manhattan_row_at(
                level,
                &path.centers_t[..],
                &path.reference_gaps[..],
                (0.4, &bias[..], 0.7),
                (&z[..], reference.as_slice().unwrap()),
                (&mut a, &mut b, &mut c),
                &mut n,
            );
            let mut bits = vec![o.to_bits()];
            bits.extend(n.iter().map(|v| v.to_bits()));
            bits
        };
        // `Level::Portable` runs the generic copy, compiled without target features.
        let portable = run(Level::Portable);
        for level in Level::available() {
            assert_eq!(run(level), portable, "{level:?}");
        }
    }
}
