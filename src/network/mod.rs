//! The neuralized networks: distance or linear units followed by (soft-)min pooling.
//!
//! Two topologies cover every model of the crate:
//! - [`KernelNetwork`] (one-class SVM, kernel density): a [`DistanceLayer`]
//!   `h_j = gamma ||z - u_j||_q^q + b_j` and soft-min pooling `o = -log sum_j exp(-h_j)`;
//! - [`ClusterNetwork`] (k-means): per cluster c, a [`LinearLayer`] of contrasts
//!   `h_k = w_k . z + b_k` (k != c) and hard min pooling `f_c = min_k h_k`.

mod cluster;
mod distance;
pub(crate) mod fast_exp;
mod kernel;
pub(crate) mod lanes;
mod linear;
pub mod pool;
mod power;

pub use cluster::{ClusterContrast, ClusterNetwork};
pub use distance::{DistanceBatch, DistanceLayer};
pub(crate) use kernel::check_finite;
pub use kernel::{KernelNetwork, Readout};
pub use linear::LinearLayer;
pub use power::Power;

use crate::classical::{ModelKind, Standardizer};
use ndarray::{Array1, Array2, ArrayView2};
use rayon::prelude::*;

/// Rows per work unit: fixed, so results never depend on the number of threads.
pub const CHUNK_ROWS: usize = 256;

/// A neuralized model.
#[derive(Debug, Clone)]
pub enum Network {
    Kernel(Box<KernelNetwork>),
    Cluster(ClusterNetwork),
}

/// What the original model predicts for each row, beside the explained output.
#[derive(Debug, Clone, PartialEq)]
pub enum Prediction {
    /// One-class SVM `decision_function` (> 0: inlier).
    DecisionFunction(Array1<f64>),
    /// Kernel density `log p(x)`.
    LogDensity(Array1<f64>),
    /// k-means assigned cluster (0-based).
    Cluster(Vec<usize>),
}

impl Prediction {
    pub fn len(&self) -> usize {
        match self {
            Prediction::DecisionFunction(v) | Prediction::LogDensity(v) => v.len(),
            Prediction::Cluster(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The CSV column name of a model kind's prediction.
pub fn prediction_name(kind: ModelKind) -> &'static str {
    match kind {
        ModelKind::OneClassSvm => "decision_function",
        ModelKind::KernelDensity => "log_density",
        ModelKind::KMeans => "cluster",
    }
}

/// Forward outputs of a batch: the model's prediction and the explained output
/// (outlierness for kernel models, the logit of the explained cluster for k-means).
#[derive(Debug, Clone, PartialEq)]
pub struct Forward {
    pub prediction: Prediction,
    pub output: Array1<f64>,
}

impl Network {
    pub fn kind(&self) -> ModelKind {
        match self {
            Network::Kernel(net) => net.kind(),
            Network::Cluster(_) => ModelKind::KMeans,
        }
    }

    pub fn n_features(&self) -> usize {
        match self {
            Network::Kernel(net) => net.distance().n_features(),
            Network::Cluster(net) => net.n_features(),
        }
    }

    /// The name of the explained output column: `outlierness` or `logit`.
    pub fn output_name(&self) -> &'static str {
        match self {
            Network::Kernel(_) => "outlierness",
            Network::Cluster(_) => "logit",
        }
    }
}

/// Per-row outputs split into the fixed `CHUNK_ROWS` chunks, in parallel:
/// `(first row, (labels, outputs))` of each chunk.
pub(crate) fn par_row_chunks<'a>(
    labels: &'a mut [usize],
    outputs: &'a mut [f64],
) -> impl IndexedParallelIterator<Item = (usize, (&'a mut [usize], &'a mut [f64]))> {
    labels
        .par_chunks_mut(CHUNK_ROWS)
        .zip(outputs.par_chunks_mut(CHUNK_ROWS))
        .enumerate()
        .map(|(chunk, pair)| (chunk * CHUNK_ROWS, pair))
}

/// Copy a chunk of input rows and standardize it if the network has a scaler.
pub(crate) fn standardized(x: ArrayView2<f64>, scaler: Option<&Standardizer>) -> Array2<f64> {
    let mut z = x.to_owned();
    if let Some(s) = scaler {
        s.transform_inplace(z.view_mut());
    }
    z
}
