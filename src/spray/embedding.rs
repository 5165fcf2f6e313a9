//! Steps 6–7: the number of clusters from the eigenvalues, the spectral embedding that
//! k-means clusters, and the 2-D embedding for pictures.

use super::ClusterCount;
use crate::{Error, Result};
use ndarray::{s, Array2, ArrayView2, Axis};

/// Eigenvalues of `L` below this count as this in the ratio rule (the solver's accuracy).
pub const ZERO_EIGENVALUE: f64 = 1e-8;

/// The factor `λ_{k+1} / λ_k` that counts as a clear jump in the ratio rule.
pub const JUMP_RATIO: f64 = 4.0;

/// Why a number of clusters was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChoiceRule {
    /// Given by the caller.
    Given,
    /// The last clear multiplicative jump: the largest `k` in `2..=max` with
    /// `λ_{k+1} >= JUMP_RATIO · max(λ_k, ZERO_EIGENVALUE)`.
    Jump,
    /// No clear jump: the largest gap `λ_{k+1} - λ_k` (1-based) among `k` in `2..=max`.
    Eigengap,
}

/// The chosen number of clusters and the evidence for it.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ClusterChoice {
    /// The number of clusters.
    pub clusters: usize,
    /// Why.
    pub rule: ChoiceRule,
    /// `λ_{k+1} - λ_k` (1-based eigenvalues of `L`, ascending) for the chosen `k`; `None`
    /// when `λ_{k+1}` was not computed.
    pub gap: Option<f64>,
}

/// The number of clusters for ascending Laplacian eigenvalues `values`.
///
/// Given: that number. `auto`, over `k` in `2..=min(max, p - 1)` (1-based eigenvalues):
///
/// 1. **Jump**: the largest `k` with `λ_{k+1} >= 4 · max(λ_k, 1e-8)`. The first `k`
///    eigenvalues of `L` are small when the graph falls into `k` weakly connected groups
///    (exactly 0 for `k` connected components), and the group structure ends where the
///    spectrum jumps by a factor: this counts components *and* groups joined by a few
///    edges (eigenvalues like 0, 0, 0.007, then 0.05 give 3).
/// 2. **Eigengap** (von Luxburg 2007), when there is no such jump:
///    `k = argmax λ_{k+1} - λ_k` (the smallest such `k` on ties).
///
/// The plain largest absolute gap alone is misled inside groups: a kNN graph's spectrum
/// spreads out, so later gaps between bulk eigenvalues exceed the gap that ends the groups.
pub fn choose_clusters(values: &[f64], count: ClusterCount, max: usize) -> Result<ClusterChoice> {
    let gap_after = |k: usize| (k < values.len()).then(|| values[k] - values[k - 1]);
    if let ClusterCount::Fixed(k) = count {
        return Ok(ClusterChoice {
            clusters: k,
            rule: ChoiceRule::Given,
            gap: gap_after(k),
        });
    }
    let last = max.min(values.len().saturating_sub(1));
    if last < 2 {
        return Err(Error::parameter(
            "eigenvalues",
            format!(
                "choosing the number of clusters needs at least 3 eigenvalues, got {}",
                values.len()
            ),
        ));
    }
    // values[k] is λ_{k+1} (1-based), values[k - 1] is λ_k.
    let jump = (2..=last)
        .rev()
        .find(|&k| values[k] >= JUMP_RATIO * values[k - 1].max(ZERO_EIGENVALUE));
    if let Some(k) = jump {
        return Ok(ClusterChoice {
            clusters: k,
            rule: ChoiceRule::Jump,
            gap: gap_after(k),
        });
    }
    let mut best = 2;
    for k in 3..=last {
        if values[k] - values[k - 1] > values[best] - values[best - 1] {
            best = k;
        }
    }
    Ok(ClusterChoice {
        clusters: best,
        rule: ChoiceRule::Eigengap,
        gap: gap_after(best),
    })
}

/// The Ng–Jordan–Weiss embedding: the first `k` eigenvectors (columns), each row scaled to
/// unit Euclidean length (a zero row stays zero). k-means runs on these rows.
pub fn spectral_embedding(vectors: ArrayView2<f64>, k: usize) -> Array2<f64> {
    let mut rows = vectors.slice(s![.., ..k.min(vectors.ncols())]).to_owned();
    for mut row in rows.axis_iter_mut(Axis(0)) {
        let norm = row.dot(&row).sqrt();
        if norm > 0.0 {
            row.mapv_inplace(|v| v / norm);
        }
    }
    rows
}

/// The 2-D embedding for pictures: the first two non-trivial eigenvectors (columns 1 and 2;
/// column 0 is the trivial `∝ D^1/2 1` of a connected graph), scaled by `sqrt(n)` so that
/// coordinates are of order 1. With fewer than three eigenvectors, the missing columns are 0.
pub fn plane_embedding(vectors: ArrayView2<f64>) -> Array2<f64> {
    let n = vectors.nrows();
    let scale = (n as f64).sqrt();
    Array2::from_shape_fn((n, 2), |(i, j)| {
        if j + 1 < vectors.ncols() {
            scale * vectors[[i, j + 1]]
        } else {
            0.0
        }
    })
}
