//! Step 2: the exact k nearest neighbours of every row (Euclidean distance).

use crate::{Error, Result};
use ndarray::{s, ArrayView2};
use rayon::prelude::*;

/// The `k` nearest other rows of every row: row `i`'s neighbours are
/// `indices[i*k .. (i+1)*k]`, nearest first.
///
/// Distances are exact (`Σ_f (x_if - x_jf)²`, no `‖x‖² + ‖y‖² - 2 x·y` shortcut); ties are
/// broken by the smaller row index. A row is never its own neighbour, even when other rows
/// equal it (duplicates are each other's neighbours at distance 0).
#[derive(Debug, Clone, PartialEq)]
pub struct Neighbors {
    /// Neighbours per row.
    pub k: usize,
    /// Row-major `n × k` neighbour indices.
    pub indices: Vec<usize>,
}

impl Neighbors {
    /// The number of rows.
    pub fn n_rows(&self) -> usize {
        self.indices.len().checked_div(self.k).unwrap_or(0)
    }

    /// The neighbours of row `i`, nearest first.
    pub fn of(&self, i: usize) -> &[usize] {
        &self.indices[i * self.k..(i + 1) * self.k]
    }
}

/// Rows per block of the distance computation (one block per task).
const ROW_BLOCK: usize = 64;

/// Columns per tile of the distance computation (a 64 × 2048 tile is 1 MB).
const COLUMN_TILE: usize = 2048;

/// The `k` nearest neighbours of each row of `x` (brute force, O(n² d) time, O(n k)
/// memory, blocks of rows in parallel; the result does not depend on the thread count).
/// Needs `1 <= k < n`.
///
/// Screening, then exact distances: for a block of rows and a tile of columns, one matrix
/// product gives `a_ij = ‖x_i‖² + ‖x_j‖² - 2 x_i·x_j`, which differs from the exact squared
/// distance `d_ij` by at most `ε_i = (4d + 16) u (‖x_i‖² + max_j ‖x_j‖²)` (`u` the unit
/// round-off). Row `i` keeps every `j` with `a_ij <= τ_i + 2ε_i`, `τ_i` the k-th smallest
/// `a_ij` seen so far (an upper bound of the final one), so every true neighbour is kept
/// (`a_ij <= d_ij + ε_i <= d_(k) + ε_i <= τ_i + 2ε_i`); the kept ones are ranked by their
/// exact distance.
pub fn nearest_neighbors(x: ArrayView2<f64>, k: usize) -> Result<Neighbors> {
    let n = x.nrows();
    if k == 0 || k >= n {
        return Err(Error::parameter(
            "neighbors",
            format!("need 1 <= neighbours < rows, got {k} neighbours for {n} rows"),
        ));
    }
    super::preprocess::check_finite(x)?;
    let x = x.as_standard_layout();
    let d = x.ncols();
    let data = x.as_slice().expect("standard layout");
    let norms: Vec<f64> = (0..n)
        .map(|i| data[i * d..(i + 1) * d].iter().map(|v| v * v).sum())
        .collect();
    let largest = norms.iter().fold(0.0_f64, |m, &v| m.max(v));
    let unit = f64::EPSILON / 2.0;
    let slack =
        |i: usize| 2.0 * (4.0 * d as f64 + 16.0) * unit * (norms[i] + largest) + f64::MIN_POSITIVE;
    let mut indices = vec![0usize; n * k];
    indices
        .par_chunks_mut(ROW_BLOCK * k)
        .enumerate()
        .for_each(|(block, out)| {
            let r0 = block * ROW_BLOCK;
            let rows = out.len() / k;
            let xb = x.slice(s![r0..r0 + rows, ..]);
            let mut kept: Vec<Vec<(f64, usize)>> = vec![Vec::with_capacity(4 * k); rows];
            let mut threshold = vec![f64::INFINITY; rows];
            for c0 in (0..n).step_by(COLUMN_TILE) {
                let c1 = (c0 + COLUMN_TILE).min(n);
                let products = xb.dot(&x.slice(s![c0..c1, ..]).t());
                for (ri, row) in products.rows().into_iter().enumerate() {
                    let i = r0 + ri;
                    let (list, limit) = (&mut kept[ri], &mut threshold[ri]);
                    for (cj, &p) in row.iter().enumerate() {
                        let j = c0 + cj;
                        let a = norms[i] + norms[j] - 2.0 * p;
                        if a <= *limit && j != i {
                            list.push((a, j));
                        }
                    }
                    if list.len() > 8 * k + 64 {
                        prune(list, limit, k, slack(i));
                    }
                }
            }
            for (ri, list) in kept.iter_mut().enumerate() {
                let i = r0 + ri;
                prune(list, &mut threshold[ri], k, slack(i));
                let xi = &data[i * d..(i + 1) * d];
                for c in list.iter_mut() {
                    c.0 = squared_distance(xi, &data[c.1 * d..(c.1 + 1) * d]);
                }
                list.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                for (slot, &(_, j)) in out[ri * k..(ri + 1) * k].iter_mut().zip(list.iter()) {
                    *slot = j;
                }
            }
        });
    Ok(Neighbors { k, indices })
}

/// Keep the screened candidates within `slack` of the k-th smallest screening value, and
/// lower `limit` to that bound.
fn prune(list: &mut Vec<(f64, usize)>, limit: &mut f64, k: usize, slack: f64) {
    if list.len() < k {
        return;
    }
    list.select_nth_unstable_by(k - 1, |a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    *limit = limit.min(list[k - 1].0 + slack);
    let bound = *limit;
    list.retain(|c| c.0 <= bound);
}

/// `Σ_f (a_f - b_f)²`, in four independent partial sums (vectorizes; fixed order).
pub(crate) fn squared_distance(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let chunks_a = a.chunks_exact(4);
    let chunks_b = b.chunks_exact(4);
    let (tail_a, tail_b) = (chunks_a.remainder(), chunks_b.remainder());
    for (ca, cb) in chunks_a.zip(chunks_b) {
        for l in 0..4 {
            let t = ca[l] - cb[l];
            acc[l] += t * t;
        }
    }
    let mut sum = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for (p, q) in tail_a.iter().zip(tail_b) {
        sum += (p - q) * (p - q);
    }
    sum
}
