//! `occlusion-share`: the default relevance of a Gaussian mixture's log-odds.
//!
//! Setting feature `i` alone to the reference changes every unit by a rank-one term: with
//! `δ_i = z_i - r_i` and the row's pull `P_k (z - mu_k)` on component `k`,
//!
//! `q_k(z with z_i = r_i) = q_k(z) - δ_i (P_k (z - mu_k))_i + ½ δ_i² P_k,ii`.
//!
//! So the log-odds with feature `i` occluded, `f_i = -log sum_{k != c} exp(-(q_k' - q_c'))`
//! (max-shifted), costs `K` products and `K` exponentials per feature once the row's pulls
//! are known, where occlusion as a baseline runs `d + 1` forward passes. `occ_i = f - f_i` is
//! occlusion's relevance; the log-odds is shared over it as `neon-path` shares
//! ([`share`]): `R_i = f occ_i / sum occ` where that sum is usable (not tiny, of f's sign),
//! else `occ_i + (f - sum occ) / d`, so every row conserves. Flipping the log-odds of held-out
//! rows, this order beats the published split on every measured set (docs/detectors.md).

use crate::families::kmeans::share;
use crate::network::{lanes, pool};
use ndarray::{ArrayView1, ArrayView2};

/// One row's buffers: the occluded contrasts (features x other components), their minima
/// and the drops.
pub(super) struct OcclusionScratch {
    contrasts: Vec<f64>,
    minima: Vec<f64>,
    drops: Vec<f64>,
}

impl OcclusionScratch {
    pub(super) fn new(components: usize, features: usize) -> Self {
        OcclusionScratch {
            contrasts: vec![0.0; features * components.saturating_sub(1)],
            minima: vec![0.0; features],
            drops: vec![0.0; features],
        }
    }
}

/// One row: its units `q`, its pull on every component (`pulls[k]` = `P_k (z - mu_k)`), the
/// precision diagonals (components x features), `delta = z - r`, the explained component
/// `c` and the row's log-odds `f`. Writes the relevance into `out`. The contrasts of every
/// occluded row are shifted by their minimum and exponentiated in one vectorized pass, then
/// `f_i = min_i - log sum_k exp(-(d_k,i - min_i))`, as [`pool::soft_min`] computes it.
#[allow(clippy::too_many_arguments)]
pub(super) fn occlusion_share_row(
    q: &[f64],
    pulls: &[ArrayView1<f64>],
    diagonals: ArrayView2<f64>,
    delta: ArrayView1<f64>,
    c: usize,
    f: f64,
    scratch: &mut OcclusionScratch,
    out: &mut [f64],
) {
    let OcclusionScratch {
        contrasts,
        minima,
        drops,
    } = scratch;
    let others = q.len() - 1;
    let occluded =
        |k: usize, i: usize, d: f64| q[k] - d * pulls[k][i] + 0.5 * d * d * diagonals[[k, i]];
    for (i, (&d, (block, low))) in delta
        .iter()
        .zip(contrasts.chunks_exact_mut(others).zip(minima.iter_mut()))
        .enumerate()
    {
        let own = occluded(c, i, d);
        for (slot, k) in block.iter_mut().zip((0..q.len()).filter(|&k| k != c)) {
            *slot = occluded(k, i, d) - own;
        }
        *low = pool::min(block);
        block.iter_mut().for_each(|v| *v -= *low);
    }
    lanes::exp_sum_inplace(contrasts, 0.0, 1.0);
    for ((drop, block), &low) in drops
        .iter_mut()
        .zip(contrasts.chunks_exact(others))
        .zip(minima.iter())
    {
        *drop = f - (low - block.iter().sum::<f64>().ln());
    }
    share(drops, f, out);
}
