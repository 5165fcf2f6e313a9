//! Spectral Relevance Analysis (SpRAy; Lapuschkin et al., Nat. Commun. 10:1096, 2019):
//! group many explanations into the strategies behind them by spectral clustering of the
//! relevance rows.
//!
//! The pipeline, one small public function per step (each testable against a slow,
//! obvious reference):
//!
//! 1. [`preprocess`]: each row rescaled by a [`Normalization`] (default L1, `r / Σ|r_i|`).
//! 2. [`nearest_neighbors`]: the exact `k` nearest other rows (default 10, Euclidean).
//! 3. [`knn_affinity`]: the sparse binary affinity `A = (B + Bᵀ)/2`.
//! 4. [`normalized_affinity`]: `M = D^-1/2 A D^-1/2`, `D = diag(Σ_j A_ij)`.
//! 5. [`smallest_eigenpairs`]: the smallest eigenpairs of `L = I - M` (default 32), by a
//!    Chebyshev-filtered block subspace iteration (dense for small graphs).
//! 6. [`choose_clusters`]: the number of clusters, given or from the eigenvalues
//!    (the last jump of the eigenvalues by a factor 4, else the largest eigengap, among
//!    2..=20 clusters).
//! 7. [`spectral_embedding`]: the first `k` eigenvectors with rows of unit length
//!    (Ng–Jordan–Weiss); [`plane_embedding`]: the 2-D picture.
//! 8. [`kmeans`]: seeded k-means with restarts; or [`dbscan`] ([`ClusterMethod`]), which
//!    finds the number of clusters itself and leaves isolated rows as noise.
//! 9. [`summarize`]: size, mean relevance, mean input, prototype rows per cluster.
//!
//! [`analyze`] runs them all. Memory is O(n·k + n·eigenvalues): no `n × n` matrix is built
//! (except by the dense solver, used only up to [`DENSE_LIMIT`] rows under the default
//! [`Eigensolver::Auto`]). Results depend on the seed only, never on the thread count.
//!
//! Differences from CoRelAy's `SpectralClustering` (the reference implementation): CoRelAy
//! takes `eigsh(M, which='LM')` (largest magnitude, so eigenvalues of `M` near -1 can
//! displace the wanted ones) and runs k-means on all 32 row-normalized eigenvectors; here
//! the smallest algebraic eigenvalues of `L` are taken and k-means runs on the first `k`
//! (Ng–Jordan–Weiss). CoRelAy excludes "the first neighbour" as the row itself, which fails
//! for duplicated rows; here a row is excluded by its index.
//!
//! ```
//! use neuralize::ndarray::Array2;
//! use neuralize::spray::{analyze, SprayParams};
//!
//! // Three groups of relevance rows, each concentrated on a different feature.
//! let relevance = Array2::from_shape_fn((60, 3), |(i, j)| {
//!     let group = i / 20;
//!     if j == group { 1.0 + 0.01 * (i % 20) as f64 } else { 0.001 * ((i * 7 + j) % 5) as f64 }
//! });
//! let spray = analyze(relevance.view(), None, &SprayParams::default())?;
//! assert_eq!(spray.choice.clusters, 3);
//! assert_eq!(spray.clusters.iter().map(|c| c.size).collect::<Vec<_>>(), [20, 20, 20]);
//! # Ok::<(), neuralize::Error>(())
//! ```

mod agreement;
mod dbscan;
mod eigen;
mod embedding;
mod graph;
mod kmeans;
mod knn;
mod params;
mod preprocess;
mod summary;

pub use agreement::adjusted_rand_index;
pub use dbscan::dbscan;
pub use eigen::{smallest_eigenpairs, Eigenpairs, DENSE_LIMIT};
pub use embedding::{
    choose_clusters, plane_embedding, spectral_embedding, ChoiceRule, ClusterChoice, JUMP_RATIO,
    ZERO_EIGENVALUE,
};
pub use graph::{knn_affinity, normalized_affinity, SparseSymmetric};
pub use kmeans::{kmeans, Clustering};
pub use knn::{nearest_neighbors, Neighbors};
pub use params::{ClusterCount, ClusterMethod, Eigensolver, Normalization, SprayParams};
pub use preprocess::preprocess;
pub use summary::{summarize, ClusterSummary};

use crate::{Error, Result};
use ndarray::{Array2, ArrayView2};

/// The result of [`analyze`].
#[derive(Debug, Clone, PartialEq)]
pub struct Spray {
    /// The smallest eigenvalues of the normalized Laplacian, ascending.
    pub eigenvalues: Vec<f64>,
    /// The largest residual `‖L v - λ v‖₂` of the eigenpairs.
    pub residual: f64,
    /// Filter passes of the sparse eigensolver (0 when the dense one was used).
    pub passes: usize,
    /// The number of clusters and why.
    pub choice: ClusterChoice,
    /// The cluster of each row (numbered by size, largest first); with DBSCAN, noise rows
    /// have the label [`Spray::noise_label`].
    pub labels: Vec<usize>,
    /// With DBSCAN, when some rows are noise: their label, one past the last cluster (so
    /// `labels` stay valid indices of `clusters`). `None` otherwise.
    pub noise_label: Option<usize>,
    /// The 2-D embedding (n × 2, [`plane_embedding`]).
    pub plane: Array2<f64>,
    /// One summary per cluster, in label order (the noise rows of DBSCAN last, at
    /// `noise_label`; their prototypes are the noise rows closest to the noise rows' mean).
    pub clusters: Vec<ClusterSummary>,
}

/// Run the whole SpRAy pipeline on `relevance` (n rows × d features); `input`, when given,
/// holds the explained rows (n rows, any width) for the clusters' mean inputs.
///
/// Errors: parameters out of range for `n` ([`SprayParams::validate`]), a NaN or infinite
/// value (naming its row and column), `input` with another number of rows, or all rows
/// identical after preprocessing (nothing to group).
pub fn analyze(
    relevance: ArrayView2<f64>,
    input: Option<ArrayView2<f64>>,
    params: &SprayParams,
) -> Result<Spray> {
    let n = relevance.nrows();
    params.validate(n)?;
    if let Some(x) = input {
        if x.nrows() != n {
            return Err(Error::parameter(
                "input",
                format!("{} input rows for {n} relevance rows", x.nrows()),
            ));
        }
        preprocess::check_finite(x)?;
    }
    let rows = preprocess(relevance, params.normalization)?;
    if rows.rows().into_iter().all(|r| r == rows.row(0)) {
        return Err(Error::parameter(
            "relevance",
            format!(
                "all {n} rows are identical after {} normalization: there is nothing to group",
                params.normalization
            ),
        ));
    }
    let neighbors = nearest_neighbors(rows.view(), params.neighbors)?;
    let m = normalized_affinity(&knn_affinity(&neighbors));
    let pairs = smallest_eigenpairs(
        &m,
        params.eigenvalues,
        params.solver,
        params.tolerance,
        params.seed,
    )?;
    let eigenvalues = pairs.values.to_vec();
    let choice = choose_clusters(&eigenvalues, params.clusters, params.max_auto_clusters)?;
    let embedded = spectral_embedding(pairs.vectors.view(), choice.clusters);
    let (labels, centroids, noise_label) = match params.clustering {
        ClusterMethod::KMeans => {
            let c = kmeans(
                embedded.view(),
                choice.clusters,
                params.restarts,
                params.max_iterations,
                params.seed,
            )?;
            (c.labels, c.centroids, None)
        }
        ClusterMethod::Dbscan { eps, min_samples } => {
            with_noise(&dbscan(embedded.view(), eps, min_samples)?, embedded.view())
        }
    };
    let clusters = summarize(
        &labels,
        relevance,
        input,
        embedded.view(),
        centroids.view(),
        params.prototypes,
    );
    Ok(Spray {
        eigenvalues,
        residual: pairs.residuals.iter().fold(0.0, |a, &r| a.max(r)),
        passes: pairs.passes,
        choice,
        labels,
        noise_label,
        plane: plane_embedding(pairs.vectors.view()),
        clusters,
    })
}

/// DBSCAN labels as `0..k` with noise as `k` (when there is noise), the mean embedding of
/// each label, and the noise label.
fn with_noise(
    found: &[Option<usize>],
    embedded: ArrayView2<f64>,
) -> (Vec<usize>, Array2<f64>, Option<usize>) {
    let k = found.iter().flatten().max().map_or(0, |m| m + 1);
    let noise = found.iter().any(Option::is_none).then_some(k);
    let labels: Vec<usize> = found.iter().map(|l| l.unwrap_or(k)).collect();
    let groups = k + usize::from(noise.is_some());
    let mut centroids = Array2::zeros((groups, embedded.ncols()));
    let mut counts = vec![0usize; groups];
    for (i, &l) in labels.iter().enumerate() {
        counts[l] += 1;
        let mut c = centroids.row_mut(l);
        c += &embedded.row(i);
    }
    for (mut c, &count) in centroids.outer_iter_mut().zip(&counts) {
        c /= count.max(1) as f64;
    }
    (labels, centroids, noise)
}
