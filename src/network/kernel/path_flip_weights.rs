//! The per-row weight kernels of the fused flip-ordered pass ([`super::path_flip_fused`]):
//! the activations at a piece's midpoint from the row's distances, the count of distances
//! lost to cancellation, and the four soft-min weight vectors of a row.
//!
//! The four weight vectors need only TWO exponentials per pair: with the row's activations
//! `H_j = gamma D_z + b_j`, the reference's `c_j = gamma D_r + b_j`, and
//! `F_j = exp(-beta (H_j - min H) / 4)`, `G_j = exp(beta gamma (B_1,j - max B_1) / 2)`,
//! `A_j^(k) = exp(-beta (1 - k/4)(c_j - min c))` (per model), the activations are, up to
//! terms common to all units (which cancel in the soft-min),
//! piece 1: `H_j - 2 t gamma B_1,j`, so `p(1/4) ∝ F^4 G`, `p(3/4) ∝ F^4 G^3`;
//! piece 2: `(1 - t') c_j + t' H_j - 2 t' gamma B_1,j`, so `p(t' = 3/4) ∝ A^(3) F^3 G^3`,
//! `p(t' = 1/4) ∝ A^(1) F G`.
//! Every term is at most 1; a row uses this form when none of its distances is flagged
//! and each of the four sums is at least [`MIN_SUM`] (terms lost to underflow are then
//! below `1e-108` of their sum), else the four soft-mins run on the activations.
//!
//! At beta 1 with the one-exponential `neon-path` pass ([`super::path_quarter`]) that pass
//! has already computed `F` for the same row, in the same operations
//! ([`quarter_exponentials`] gives its bits): it keeps `F` and this pass reads it, so the
//! flip-ordered path adds ONE exponential per pair (`G`).

use super::path_flip::TOP;
use crate::network::dispatch::{dispatched, Level};
use crate::network::distance::DistanceLayer;
use crate::network::fast_exp::{exp_block, BLOCK};
use crate::network::lanes;

/// A piece's distance below `NEAR` times the sum of its terms' magnitudes is recomputed
/// from exact differences (as [`DistanceLayer`]'s near pairs).
pub(super) const NEAR: f64 = 1e-4;

/// The smallest sum of the two-exponential form's terms (module docs); below it a row
/// takes the four soft-mins.
pub(super) const MIN_SUM: f64 = 1e-200;

/// The midpoints of the two halves of each piece.
pub(super) const HALVES: [f64; 2] = [0.25, 0.75];

/// One row's quantities of the piece distances ([`super::path_flip_fused`]'s module docs).
#[derive(Debug, Clone, Copy)]
pub(crate) struct RowTerms {
    /// `s = ||z - r||^2`.
    pub(super) s: f64,
    /// `sum_(G_1) delta_i^2`.
    pub(super) c_top: f64,
    /// `sum_(rest) delta_i^2`.
    pub(super) s_rest: f64,
}

dispatched!(
    /// A piece's activations at `t` into `h`: `h_j = gamma D_k(t) + b_j` (module docs;
    /// piece 0 the top group moving, 1 the rest); distances below [`NEAR`] times their
    /// terms' size are marked NaN for [`super::path_flip_fused`]'s exact recompute, and their count returned.
    piece_activations, piece_activations_at, piece_activations_generic,
    (layer: &DistanceLayer, dz: &[f64], inputs: (&[f64], &[f64], RowTerms), piece: usize, t: f64, h: &mut [f64]) -> usize
);

#[inline(always)]
fn piece_activations_generic(
    layer: &DistanceLayer,
    dz: &[f64],
    (dr, b1, terms): (&[f64], &[f64], RowTerms),
    piece: usize,
    t: f64,
    h: &mut [f64],
) -> usize {
    let gamma = layer.gamma();
    let bias = layer.bias();
    let bias = bias.as_slice().expect("contiguous");
    let units = h.len();
    let (dz, dr, b1, bias) = (&dz[..units], &dr[..units], &b1[..units], &bias[..units]);
    let mut flagged = 0usize;
    for ((((h, &dz), &dr), &b1), &b) in h.iter_mut().zip(dz).zip(dr).zip(b1).zip(bias) {
        let (dist, size) = piece_distance(dz, dr, b1, terms, piece, t);
        let near = dist <= NEAR * size;
        flagged += usize::from(near);
        *h = if near { f64::NAN } else { gamma * dist + b };
    }
    flagged
}

/// One unit's distance at a piece's point `t` (module docs) and the sum of its terms'
/// magnitudes: piece 0 `D_z - 2 t B_1 + t^2 c_top`, piece 1
/// `D_r + t' (D_z - D_r - s - 2 B_1 + 2 c_top) + t'^2 s_rest` (`t' = 1 - t`).
#[inline(always)]
fn piece_distance(dz: f64, dr: f64, b1: f64, terms: RowTerms, piece: usize, t: f64) -> (f64, f64) {
    let RowTerms { s, c_top, s_rest } = terms;
    if piece == 0 {
        let (a, c) = (2.0 * t, t * t * c_top);
        (dz - a * b1 + c, dz + a * b1.abs() + c)
    } else {
        let (tp, q) = (1.0 - t, (1.0 - t) * (1.0 - t) * s_rest);
        (
            dr + tp * (dz - dr - 2.0 * b1 + (2.0 * c_top - s)) + q,
            dr + tp * (dz + dr + 2.0 * b1.abs() + 2.0 * c_top + s) + q,
        )
    }
}

dispatched!(
    /// `B_1,j = sum_(G_1) (z_i - u_ji) delta_i` for every unit into `b1`, summed over the
    /// top group in rank order (one contiguous pass per feature): `columns[k]` holds
    /// feature `top_k` of every unit, `z_top` and `delta` the row's values and steps there.
    top_products, top_products_at, top_products_generic,
    (columns: [&[f64]; TOP], step: ([f64; TOP], [f64; TOP]), b1: &mut [f64]) -> ()
);

#[inline(always)]
fn top_products_generic(
    columns: [&[f64]; TOP],
    (z_top, delta): ([f64; TOP], [f64; TOP]),
    b1: &mut [f64],
) {
    let mut features = columns.into_iter().zip(z_top).zip(delta);
    // The first feature assigns `0 + term` (the bits of a sum started at 0), no fill.
    if let Some(((column, zi), dl)) = features.next() {
        for (b, &u) in b1.iter_mut().zip(column) {
            *b = 0.0 + (zi - u) * dl;
        }
    }
    for ((column, zi), dl) in features {
        for (b, &u) in b1.iter_mut().zip(column) {
            *b += (zi - u) * dl;
        }
    }
}

dispatched!(
    /// `sum_j w_j columns[k]_j` for each of the top group's columns (`(W_1 U)_i`), each
    /// in 8 independent partial sums over whole groups of 8 (added in a fixed order), then
    /// the rest in order: the same bits for the same row whatever the sub-chunk.
    top_dots, top_dots_at, top_dots_generic,
    (columns: [&[f64]; TOP], w: &[f64]) -> [f64; TOP]
);

#[inline(always)]
fn top_dots_generic(columns: [&[f64]; TOP], w: &[f64]) -> [f64; TOP] {
    columns.map(|column| {
        let mut lanes = [0.0; 8];
        let (groups_w, groups_c) = (w.chunks_exact(8), column.chunks_exact(8));
        let rest = groups_w.remainder().iter().zip(groups_c.remainder());
        for (x, y) in groups_w.zip(groups_c) {
            for ((p, &x), &y) in lanes.iter_mut().zip(x).zip(y) {
                *p += x * y;
            }
        }
        let total = lanes.iter().fold(0.0, |acc, &p| acc + p);
        rest.fold(total, |acc, (&x, &y)| acc + x * y)
    })
}

dispatched!(
    /// The number of the row's flagged distances (below [`NEAR`] times their terms' size)
    /// over both pieces and both halves.
    near_count, near_count_at, near_count_generic,
    (dz: &[f64], inputs: (&[f64], &[f64], RowTerms)) -> usize
);

#[inline(always)]
fn near_count_generic(dz: &[f64], (dr, b1, terms): (&[f64], &[f64], RowTerms)) -> usize {
    let units = dz.len();
    let (dr, b1) = (&dr[..units], &b1[..units]);
    let mut flagged = 0usize;
    for ((&dz, &dr), &b1) in dz.iter().zip(dr).zip(b1) {
        for piece in [0, 1] {
            for t in HALVES {
                let (dist, size) = piece_distance(dz, dr, b1, terms, piece, t);
                flagged += usize::from(dist <= NEAR * size);
            }
        }
    }
    flagged
}

dispatched!(
    /// The row's quarter exponentials `F_j = exp(-beta (H_j - min H) / 4)` into `f`, from
    /// its distances `dz` (`H_j = gamma D_z,j + b_j`), in the operations of
    /// [`super::path_quarter`]'s `quarter_row`: at beta 1 the bits that pass keeps.
    quarter_exponentials, quarter_exponentials_at, quarter_exponentials_generic,
    (layer: &DistanceLayer, dz: &[f64], beta: f64, f: &mut [f64]) -> ()
);

#[inline(always)]
fn quarter_exponentials_generic(layer: &DistanceLayer, dz: &[f64], beta: f64, f: &mut [f64]) {
    layer.activations_row_into(dz, f);
    let h_min = lanes::min(f);
    lanes::exp_sum_inplace_generic(f, h_min, 0.25 * beta);
}

dispatched!(
    /// `W_1` and `W_2` of one row (module docs) from its quarter exponentials `f` (`F`)
    /// and one more exponential per unit, `G` into `g`; `g` and `t` are then overwritten
    /// by terms. False, with the weights unusable, when a sum of terms is below
    /// [`MIN_SUM`].
    two_exponential_weights, two_exponential_weights_at, two_exponential_weights_generic,
    (row: (&[f64], &[f64], &[Vec<f64>; 2]), scale: (f64, f64), buffers: (&mut [f64], &mut [f64]), weights: (&mut [f64], &mut [f64])) -> bool
);

#[inline(always)]
fn two_exponential_weights_generic(
    (f, b1, [a1, a3]): (&[f64], &[f64], &[Vec<f64>; 2]),
    (beta, gamma): (f64, f64),
    (g, t): (&mut [f64], &mut [f64]),
    (w1, w2): (&mut [f64], &mut [f64]),
) -> bool {
    let units = g.len();
    let (f, b1, t, a1, a3, w1, w2) = (
        &f[..units],
        &b1[..units],
        &mut t[..units],
        &a1[..units],
        &a3[..units],
        &mut w1[..units],
        &mut w2[..units],
    );
    // G = exp(beta gamma (B_1 - max B_1) / 2), block by block.
    let (b_max, scale) = (max_lanes(b1), 0.5 * beta * gamma);
    for (g, b1) in g.chunks_mut(BLOCK).zip(b1.chunks(BLOCK)) {
        for (g, &b) in g.iter_mut().zip(b1) {
            *g = scale * (b - b_max);
        }
        exp_block(g);
    }
    // piece 1: F^4 G (t = 1/4) into w1, F^4 G^3 (t = 3/4) into t;
    // piece 2: A^(3) F^3 G^3 (t' = 3/4) into w2, A^(1) F G (t' = 1/4) into g.
    for ((((((&fv, g), t), w1), w2), &a1), &a3) in f
        .iter()
        .zip(g.iter_mut())
        .zip(t.iter_mut())
        .zip(w1.iter_mut())
        .zip(w2.iter_mut())
        .zip(a1)
        .zip(a3)
    {
        let gv = *g;
        let f2 = fv * fv;
        let fg = fv * gv;
        *w1 = f2 * f2 * gv;
        *t = *w1 * (gv * gv);
        *w2 = a3 * (fg * fg * fg);
        *g = a1 * fg;
    }
    let sums = [
        lanes::sum_unrolled8(w1),
        lanes::sum_unrolled8(t),
        lanes::sum_unrolled8(w2),
        lanes::sum_unrolled8(g),
    ];
    if sums.iter().any(|&v| v.is_nan() || v < MIN_SUM) {
        return false;
    }
    let inv = sums.map(|v| 1.0 / v);
    for (w1, &t) in w1.iter_mut().zip(t.iter()) {
        *w1 = *w1 * inv[0] + t * inv[1];
    }
    for (w2, &t) in w2.iter_mut().zip(g.iter()) {
        *w2 = *w2 * inv[2] + t * inv[3];
    }
    true
}

/// The largest value (NaN ignored, as `f64::max`), over 8 independent lanes.
#[inline(always)]
fn max_lanes(values: &[f64]) -> f64 {
    let mut lanes = [f64::NEG_INFINITY; 8];
    let groups = values.chunks_exact(8);
    let rest = groups.remainder();
    for group in groups {
        for (m, &v) in lanes.iter_mut().zip(group) {
            *m = m.max(v);
        }
    }
    lanes
        .iter()
        .chain(rest)
        .fold(f64::NEG_INFINITY, |m, &v| m.max(v))
}

/// `w_j (+)= softmin_j(beta h)` (`add`: accumulate), max-shifted by `min h`, the
/// exponentials vectorized ([`lanes::exp_sum_inplace`]); `h` is overwritten.
pub(super) fn softmin_weights(h: &mut [f64], beta: f64, w: &mut [f64], add: bool) {
    let h_min = lanes::min(h);
    let total = lanes::exp_sum_inplace(h, h_min, beta);
    let inv = 1.0 / total;
    if add {
        w.iter_mut().zip(h.iter()).for_each(|(w, e)| *w += e * inv);
    } else {
        w.iter_mut().zip(h.iter()).for_each(|(w, e)| *w = e * inv);
    }
}
