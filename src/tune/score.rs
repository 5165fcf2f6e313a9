//! The tuning score: feature-flipping areas weighted by each row's output.
//!
//! For the tuning rows r with output `f_r > 0`, features are flipped in the order of a
//! candidate's relevance, as `neuralize evaluate` does (curves `c_r(k)`, k = 0..d, clipped
//! at 0; mean imputation: the explainer's reference; marginal: `draws` seeded draws from the
//! reference rows). The area is
//! `A = sum_r sum_(k<d) (c_r(k) + c_r(k+1)) / 2 / (d sum_r f_r)`,
//! the normalized area of the *summed* curve: rows count by how much output they have to
//! remove. (`evaluate`'s unweighted mean of per-row areas `/(d f_r)` is dominated by rows
//! barely above 0 whose curve rises above their start; among reference rows many such rows
//! sit on an OC-SVM's boundary.)

use crate::baselines::{explained_clusters, Target};
use crate::error::Result;
use crate::evaluate::{flipping_curve, marginal_draws, order_by_relevance};
use crate::Explainer;
use ndarray::{Array2, ArrayView2, Axis};
use rayon::prelude::*;

/// The rows to flip and their replacement values, shared by every candidate.
pub(crate) struct Flipping<'a> {
    explainer: &'a Explainer,
    /// Indices (into the tuning rows) of the rows with output > 0.
    positive: Vec<usize>,
    rows: Array2<f64>,
    clusters: Vec<Option<usize>>,
    total_output: f64,
    mean: Array2<f64>,
    marginal: Vec<Array2<f64>>,
}

impl<'a> Flipping<'a> {
    /// The rows of `x` (the tuning rows) with output > 0; marginal draws from
    /// `reference_rows`, seeded by `(seed, row)`.
    pub(crate) fn new(
        explainer: &'a Explainer,
        x: ArrayView2<f64>,
        reference_rows: ArrayView2<f64>,
        draws: usize,
        seed: u64,
    ) -> Result<Self> {
        let forward = explainer.forward(x, None)?;
        let positive: Vec<usize> = (0..x.nrows())
            .filter(|&r| forward.output[r] > 0.0)
            .collect();
        let all_clusters = explained_clusters(&forward.prediction, None);
        Ok(Flipping {
            explainer,
            rows: x.select(Axis(0), &positive),
            clusters: positive.iter().map(|&r| all_clusters[r]).collect(),
            total_output: positive.iter().map(|&r| forward.output[r]).sum(),
            mean: explainer.reference().insert_axis(Axis(0)).to_owned(),
            marginal: positive
                .iter()
                .map(|&r| marginal_draws(reference_rows, draws, seed, r))
                .collect(),
            positive,
        })
    }

    /// Number of rows flipped.
    pub(crate) fn len(&self) -> usize {
        self.positive.len()
    }

    /// `[A_mean, A_marginal]` of a candidate, given its relevances on every tuning row.
    pub(crate) fn areas(&self, relevance: &Array2<f64>) -> Result<[f64; 2]> {
        let d = self.rows.ncols().max(1) as f64;
        let per_row: Vec<[f64; 2]> = (0..self.positive.len())
            .into_par_iter()
            .map(|k| {
                let target = Target::new(self.explainer, self.clusters[k]);
                let x = self.rows.row(k).to_vec();
                let order = order_by_relevance(&relevance.row(self.positive[k]).to_vec());
                let mean = flipping_curve(&target, &x, &order, self.mean.view())?;
                let marginal = flipping_curve(&target, &x, &order, self.marginal[k].view())?;
                Ok([trapezoid(&mean), trapezoid(&marginal)])
            })
            .collect::<Result<_>>()?;
        let mut total = [0.0; 2];
        for row in &per_row {
            total[0] += row[0];
            total[1] += row[1];
        }
        Ok(total.map(|t| t / (d * self.total_output)))
    }
}

/// `sum_(k<d) (c_k + c_(k+1)) / 2`.
fn trapezoid(curve: &[f64]) -> f64 {
    curve.windows(2).map(|w| 0.5 * (w[0] + w[1])).sum()
}
