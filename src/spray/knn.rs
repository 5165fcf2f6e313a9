//! Step 2: the exact k nearest neighbours of every row (Euclidean distance).

use crate::{Error, Result};
use ndarray::ArrayView2;
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

/// The `k` nearest neighbours of each row of `x` (brute force, O(n² d) time, O(n k) memory,
/// rows in parallel; the result does not depend on the thread count). Needs `1 <= k < n`.
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
    let mut indices = vec![0usize; n * k];
    indices.par_chunks_mut(k).enumerate().for_each_init(
        Vec::new,
        |candidates: &mut Vec<(f64, usize)>, (i, out)| {
            let xi = &data[i * d..(i + 1) * d];
            candidates.clear();
            candidates.extend((0..n).filter(|&j| j != i).map(|j| {
                let xj = &data[j * d..(j + 1) * d];
                (squared_distance(xi, xj), j)
            }));
            let order =
                |a: &(f64, usize), b: &(f64, usize)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
            candidates.select_nth_unstable_by(k - 1, order);
            let nearest = &mut candidates[..k];
            nearest.sort_unstable_by(order);
            for (slot, &(_, j)) in out.iter_mut().zip(nearest.iter()) {
                *slot = j;
            }
        },
    );
    Ok(Neighbors { k, indices })
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
