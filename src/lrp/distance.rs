//! Relevance of distance units onto input features (the deep-Taylor share rule).
//!
//! `R_i = sum_j |z_i - u_ij|^q / ||z - u_j||_q^q * R_j`; at zero distance `R_j / d` each.

use crate::network::distance::{DistanceBatch, DistanceLayer};
use crate::network::power::Power;
use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, ArrayView2, ArrayViewMut2, Axis, Zip};

/// Propagate unit relevances `unit_relevance` (rows x units; consumed as scratch) onto the
/// features of `z` (rows x features), writing into `out`.
pub(crate) fn propagate_share(
    layer: &DistanceLayer,
    z: ArrayView2<f64>,
    batch: &DistanceBatch,
    unit_relevance: Array2<f64>,
    out: ArrayViewMut2<f64>,
) {
    match layer.power() {
        Power::Two => share_squared(layer, z, batch, unit_relevance, out),
        Power::One => share_exact(layer, z, batch, unit_relevance.view(), out),
    }
}

/// q = 2 in matrix form with `c_j = R_j / ||z - u_j||^2` (on centered data `x`, `v_j`):
/// `R = x^2 * sum_j c_j - 2 x * (C V) + C (V^2)`; near pairs are taken out of `C` and added
/// from exact differences.
fn share_squared(
    layer: &DistanceLayer,
    z: ArrayView2<f64>,
    batch: &DistanceBatch,
    mut coef: Array2<f64>,
    mut out: ArrayViewMut2<f64>,
) {
    let near_relevance: Vec<f64> = batch.near.iter().map(|&(r, j)| coef[[r, j]]).collect();
    for &(r, j) in &batch.near {
        coef[[r, j]] = 0.0;
    }
    Zip::from(&mut coef).and(&batch.dist).for_each(|c, &d| {
        if *c != 0.0 {
            *c /= d
        }
    });
    let d = z.ncols();
    let coef_sum = coef.sum_axis(Axis(1));
    // [C V | C V^2] in one product.
    let mut sums = Array2::zeros((coef.nrows(), 2 * d));
    general_mat_mul(1.0, &coef, &layer.centered_and_squares(), 0.0, &mut sums);
    Zip::from(out.rows_mut())
        .and(batch.centered_rows.rows())
        .and(sums.rows())
        .and(&coef_sum)
        .for_each(|mut out, x, sums, &s| {
            let (cross, squares) = sums.split_at(Axis(0), d);
            Zip::from(&mut out)
                .and(x)
                .and(cross)
                .and(squares)
                .for_each(|o, &xi, &ci, &qi| *o = xi * (xi * s - 2.0 * ci) + qi);
        });
    for (&(r, j), &relevance) in batch.near.iter().zip(&near_relevance) {
        add_exact_share(
            Power::Two,
            z.row(r).as_slice().expect("standard layout"),
            layer.centers().row(j).as_slice().expect("standard layout"),
            batch.dist[[r, j]],
            relevance,
            out.row_mut(r).as_slice_mut().expect("standard layout"),
        );
    }
}

/// Every pair from exact differences (q = 1, where no matrix form exists).
fn share_exact(
    layer: &DistanceLayer,
    z: ArrayView2<f64>,
    batch: &DistanceBatch,
    unit_relevance: ArrayView2<f64>,
    mut out: ArrayViewMut2<f64>,
) {
    out.fill(0.0);
    for (r, mut out_row) in out.outer_iter_mut().enumerate() {
        let out_row = out_row.as_slice_mut().expect("standard layout");
        let row = z.row(r);
        let row = row.as_slice().expect("standard layout");
        for (j, u) in layer.centers().outer_iter().enumerate() {
            let relevance = unit_relevance[[r, j]];
            if relevance != 0.0 {
                let u = u.as_slice().expect("standard layout");
                add_exact_share(
                    layer.power(),
                    row,
                    u,
                    batch.dist[[r, j]],
                    relevance,
                    out_row,
                );
            }
        }
    }
}

/// `out_i += |z_i - u_i|^q / dist * relevance`, or `relevance / d` when `dist = 0`.
#[inline]
pub(crate) fn add_exact_share(
    power: Power,
    z: &[f64],
    u: &[f64],
    dist: f64,
    relevance: f64,
    out: &mut [f64],
) {
    if dist > 0.0 {
        let c = relevance / dist;
        for ((o, &a), &b) in out.iter_mut().zip(z).zip(u) {
            *o += c * power.term(a - b);
        }
    } else {
        let even = relevance / z.len() as f64;
        out.iter_mut().for_each(|o| *o += even);
    }
}
