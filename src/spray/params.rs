//! The parameters of a SpRAy run, with their defaults and their validation.

use crate::{Error, Result};
use std::fmt;
use std::str::FromStr;

/// How each relevance row is rescaled before distances are taken. A row whose norm is zero
/// is kept as it is (never divided).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Normalization {
    /// The rows as they are.
    None,
    /// `r / Σ_i |r_i|`: the share of each feature in the row's absolute relevance (default).
    #[default]
    L1,
    /// `r / ‖r‖₂`.
    L2,
    /// `|r| / Σ_i |r_i|`: the absolute values, then L1 (CoRelAy's `absspectral` variant):
    /// positive and negative evidence for a feature count alike.
    Abs,
}

impl Normalization {
    /// The names accepted by [`FromStr`].
    pub const NAMES: &'static str = "none, l1, l2, abs";
}

impl FromStr for Normalization {
    type Err = Error;
    fn from_str(text: &str) -> Result<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "none" => Ok(Normalization::None),
            "l1" => Ok(Normalization::L1),
            "l2" => Ok(Normalization::L2),
            "abs" => Ok(Normalization::Abs),
            other => Err(Error::parameter(
                "normalize",
                format!(
                    "unknown normalization {other:?}; expected one of {}",
                    Self::NAMES
                ),
            )),
        }
    }
}

impl fmt::Display for Normalization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Normalization::None => "none",
            Normalization::L1 => "l1",
            Normalization::L2 => "l2",
            Normalization::Abs => "abs",
        })
    }
}

/// How many clusters to form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClusterCount {
    /// Chosen from the eigenvalues (see [`choose_clusters`](super::choose_clusters)).
    #[default]
    Auto,
    /// Exactly this many (at least 1).
    Fixed(usize),
}

impl FromStr for ClusterCount {
    type Err = Error;
    fn from_str(text: &str) -> Result<Self> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("auto") {
            return Ok(ClusterCount::Auto);
        }
        match text.parse::<usize>() {
            Ok(k) if k >= 1 => Ok(ClusterCount::Fixed(k)),
            _ => Err(Error::parameter(
                "clusters",
                format!("expected `auto` or a whole number >= 1, got {text:?}"),
            )),
        }
    }
}

/// How the spectral embedding is clustered.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum ClusterMethod {
    /// Seeded k-means with restarts into the chosen number of clusters (default).
    #[default]
    KMeans,
    /// DBSCAN ([`dbscan`](super::dbscan)): finds the number of clusters itself in the
    /// embedding of the chosen number of eigenvectors; isolated rows become noise.
    Dbscan {
        /// Neighbourhood radius in the embedding (rows there have unit length, so distances
        /// are in `[0, 2]`; rows of different ideal clusters are `√2` apart).
        eps: f64,
        /// Rows (the row itself included) within `eps` that make a row a core row.
        min_samples: usize,
    },
}

impl ClusterMethod {
    /// The names accepted by [`ClusterMethod::parse`].
    pub const NAMES: &'static str = "kmeans, dbscan";

    /// `kmeans`, or `dbscan` with the given `eps` and `min_samples`.
    pub fn parse(name: &str, eps: f64, min_samples: usize) -> Result<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "kmeans" | "k-means" => Ok(ClusterMethod::KMeans),
            "dbscan" => Ok(ClusterMethod::Dbscan { eps, min_samples }),
            other => Err(Error::parameter(
                "clustering",
                format!(
                    "unknown clustering {other:?}; expected one of {}",
                    Self::NAMES
                ),
            )),
        }
    }
}

impl fmt::Display for ClusterMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClusterMethod::KMeans => f.write_str("kmeans"),
            ClusterMethod::Dbscan { .. } => f.write_str("dbscan"),
        }
    }
}

/// Which eigensolver computes the smallest eigenpairs of the Laplacian.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Eigensolver {
    /// Dense for small graphs (n <= [`DENSE_LIMIT`](super::DENSE_LIMIT) or a block as wide as
    /// a quarter of the rows), the sparse partial solver otherwise.
    #[default]
    Auto,
    /// The full dense eigendecomposition (O(n²) memory, O(n³) time): a reference.
    Dense,
    /// The sparse partial solver (Chebyshev-filtered subspace iteration).
    Sparse,
}

/// The parameters of [`analyze`](super::analyze); [`Default`] gives the documented defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct SprayParams {
    /// Row preprocessing (default L1).
    pub normalization: Normalization,
    /// Neighbours per row in the k-nearest-neighbour graph (default 10; fewer than the rows).
    pub neighbors: usize,
    /// Eigenpairs of the Laplacian to compute (default 32; at most the number of rows).
    pub eigenvalues: usize,
    /// Number of clusters (default auto).
    pub clusters: ClusterCount,
    /// The largest number of clusters `auto` may choose (default 20).
    pub max_auto_clusters: usize,
    /// Seed of the eigensolver's start block and of k-means (default 0).
    pub seed: u64,
    /// How the embedding is clustered (default k-means).
    pub clustering: ClusterMethod,
    /// k-means restarts; the one of least inertia wins (default 10).
    pub restarts: usize,
    /// k-means iterations per restart at most (default 300).
    pub max_iterations: usize,
    /// Prototype rows reported per cluster (default 5).
    pub prototypes: usize,
    /// The eigensolver (default auto).
    pub solver: Eigensolver,
    /// Largest residual `‖L v - λ v‖₂` accepted for a unit eigenvector (default 1e-10).
    pub tolerance: f64,
}

impl Default for SprayParams {
    fn default() -> Self {
        SprayParams {
            normalization: Normalization::L1,
            neighbors: 10,
            eigenvalues: 32,
            clusters: ClusterCount::Auto,
            max_auto_clusters: 20,
            seed: 0,
            clustering: ClusterMethod::KMeans,
            restarts: 10,
            max_iterations: 300,
            prototypes: 5,
            solver: Eigensolver::Auto,
            tolerance: 1e-10,
        }
    }
}

impl SprayParams {
    /// Check the parameters against a table of `n_rows` rows: at least two rows, fewer
    /// neighbours than rows, at least two eigenvalues, at most as many clusters as
    /// eigenvalues and rows, at least one restart and iteration, a positive finite tolerance.
    pub fn validate(&self, n_rows: usize) -> Result<()> {
        if n_rows < 2 {
            return Err(Error::parameter(
                "rows",
                format!("SpRAy needs at least 2 rows to group, got {n_rows}"),
            ));
        }
        if self.neighbors == 0 {
            return Err(Error::parameter("neighbors", "must be at least 1"));
        }
        if self.neighbors >= n_rows {
            return Err(Error::parameter(
                "neighbors",
                format!(
                    "{} neighbours need more than {} rows (each row's neighbours are other rows); got {n_rows} rows: lower the number of neighbours",
                    self.neighbors, self.neighbors
                ),
            ));
        }
        if self.eigenvalues < 2 {
            return Err(Error::parameter("eigenvalues", "must be at least 2"));
        }
        let eigenvalues = self.eigenvalues.min(n_rows);
        match self.clusters {
            ClusterCount::Fixed(0) => {
                return Err(Error::parameter("clusters", "must be at least 1"))
            }
            ClusterCount::Fixed(k) if k > eigenvalues => {
                return Err(Error::parameter(
                    "clusters",
                    format!(
                        "{k} clusters need at least {k} eigenvectors, but {eigenvalues} are computed (rows {n_rows}, eigenvalues {}): raise the eigenvalues or lower the clusters",
                        self.eigenvalues
                    ),
                ))
            }
            _ => {}
        }
        if self.clusters == ClusterCount::Auto && self.max_auto_clusters < 2 {
            return Err(Error::parameter("max_auto_clusters", "must be at least 2"));
        }
        if let ClusterMethod::Dbscan { eps, min_samples } = self.clustering {
            super::dbscan::validate(eps, min_samples)?;
        }
        if self.restarts == 0 {
            return Err(Error::parameter("restarts", "must be at least 1"));
        }
        if self.max_iterations == 0 {
            return Err(Error::parameter("max_iterations", "must be at least 1"));
        }
        if !(self.tolerance.is_finite() && self.tolerance > 0.0) {
            return Err(Error::parameter(
                "tolerance",
                format!("must be a positive finite number, got {}", self.tolerance),
            ));
        }
        Ok(())
    }
}
