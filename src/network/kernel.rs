//! Distance layer + soft-min pooling: the network of one-class SVMs and kernel densities.

use super::{pool, standardized, DistanceLayer, Forward, Prediction, CHUNK_ROWS};
use crate::classical::{ModelKind, Standardizer};
use crate::error::{Error, Result};
use ndarray::{s, Array1, ArrayView2};
use rayon::prelude::*;

/// How the outlierness `o` maps back to the original model's own output.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Readout {
    /// One-class SVM: `f = rho (exp(-o) - 1)` (computed with `expm1`).
    DecisionFunction { rho: f64 },
    /// Kernel density: `log p = -o - log_normalizer`.
    LogDensity { log_normalizer: f64 },
}

impl Readout {
    /// The original model's output from the outlierness.
    #[inline]
    pub fn apply(self, outlierness: f64) -> f64 {
        match self {
            Readout::DecisionFunction { rho } => rho * (-outlierness).exp_m1(),
            Readout::LogDensity { log_normalizer } => -outlierness - log_normalizer,
        }
    }
}

/// `o(x) = -log sum_j exp(-(gamma ||z - u_j||_q^q + b_j))`, `z` the standardized input.
#[derive(Debug, Clone)]
pub struct KernelNetwork {
    scaler: Option<Standardizer>,
    distance: DistanceLayer,
    readout: Readout,
}

impl KernelNetwork {
    pub fn new(scaler: Option<Standardizer>, distance: DistanceLayer, readout: Readout) -> Self {
        KernelNetwork {
            scaler,
            distance,
            readout,
        }
    }

    pub fn kind(&self) -> ModelKind {
        match self.readout {
            Readout::DecisionFunction { .. } => ModelKind::OneClassSvm,
            Readout::LogDensity { .. } => ModelKind::KernelDensity,
        }
    }

    pub fn scaler(&self) -> Option<&Standardizer> {
        self.scaler.as_ref()
    }

    pub fn distance(&self) -> &DistanceLayer {
        &self.distance
    }

    pub fn readout(&self) -> Readout {
        self.readout
    }

    /// Outlierness and the model's own output for every row (parallel over fixed chunks).
    pub fn forward(&self, x: ArrayView2<f64>) -> Result<Forward> {
        assert_eq!(
            x.ncols(),
            self.distance.n_features(),
            "feature count mismatch"
        );
        let mut output = Array1::zeros(x.nrows());
        output
            .as_slice_mut()
            .expect("contiguous")
            .par_chunks_mut(CHUNK_ROWS)
            .enumerate()
            .try_for_each(|(c, out)| {
                let start = c * CHUNK_ROWS;
                let rows = x.slice(s![start..start + out.len(), ..]);
                self.forward_chunk(rows, start, out)
            })?;
        let prediction = output.mapv(|o| self.readout.apply(o));
        let prediction = match self.readout {
            Readout::DecisionFunction { .. } => Prediction::DecisionFunction(prediction),
            Readout::LogDensity { .. } => Prediction::LogDensity(prediction),
        };
        Ok(Forward { prediction, output })
    }

    fn forward_chunk(&self, x: ArrayView2<f64>, first_row: usize, out: &mut [f64]) -> Result<()> {
        let z = standardized(x, self.scaler.as_ref());
        let batch = self.distance.distances(z.view());
        let h = self.distance.activations(&batch.dist);
        for (r, (h_row, o)) in h.outer_iter().zip(out.iter_mut()).enumerate() {
            *o = pool::soft_min(h_row.as_slice().expect("standard layout"));
            check_finite(*o, first_row + r)?;
        }
        Ok(())
    }
}

/// Reject an outlierness that overflowed (input so far away that `gamma ||z - u||^q` is inf).
pub(crate) fn check_finite(outlierness: f64, row: usize) -> Result<()> {
    if outlierness.is_finite() {
        Ok(())
    } else {
        Err(Error::NonFinite {
            row,
            message: "the outlierness overflows f64 (the row is too far from the model)"
                .to_string(),
        })
    }
}
