//! k-means as a [`Network`]: the NEON rules (soft-min redistribution over the contrasts,
//! then a linear rule, by default the midpoint rule), the reference-rooted `neon-ref`, and
//! the gradient of the logit.

use super::network::ClusterNetwork;
use crate::error::Result;
use crate::explainer::{Explanation, Forward, Prediction};
use crate::lrp::linear::{propagate_linear, LinearInput};
use crate::lrp::pool::softmin_redistribute_into;
use crate::lrp::rescale::rescale_into;
use crate::method::RuleSet;
use crate::network::pool::softmin_weights_into;
use crate::network::{par_row_chunks, NeonRules, Network, CHUNK_ROWS};
use ndarray::{s, Array1, Array2, ArrayView2, Axis};
use rayon::prelude::*;

/// The k-means `auto` beta relative to the published one.
const AUTO_STIFFENING: f64 = 10.0;

impl Network for ClusterNetwork {
    fn n_features(&self) -> usize {
        ClusterNetwork::n_features(self)
    }

    fn n_clusters(&self) -> Option<usize> {
        Some(ClusterNetwork::n_clusters(self))
    }

    fn rule_sets(&self) -> &'static [RuleSet] {
        &[RuleSet::Neon, RuleSet::NeonRef]
    }

    /// `neon-ref`: the most faithful conserving variant on held-out blobs and wine.
    fn default_rule_set(&self) -> RuleSet {
        RuleSet::NeonRef
    }

    fn has_linear_layer(&self) -> bool {
        true
    }

    /// The model file's beta, else the scale-free `2 / mean_c min_{k != c} ||mu_c - mu_k||^2`.
    fn published_beta(&self, stored: Option<f64>) -> f64 {
        stored.unwrap_or_else(|| scale_free_beta(self.centroids()))
    }

    /// 10 x the published beta: a competitor whose contrast exceeds the nearest one's by
    /// the mean logit gets `e^-10` of its weight (nearly "c versus the nearest competitor").
    /// Saturated at the largest finite number (centroids ~1e-154 apart make the published
    /// beta ~1e308; an infinite beta would turn `beta * 0` into NaN).
    fn auto_beta(&self, published: f64) -> f64 {
        (AUTO_STIFFENING * published).min(f64::MAX)
    }

    fn forward(&self, z: ArrayView2<f64>, cluster: Option<usize>) -> Result<Forward> {
        self.logits(z, cluster)
    }

    fn explain(
        &self,
        z: ArrayView2<f64>,
        rules: &NeonRules<'_>,
        cluster: Option<usize>,
    ) -> Result<Explanation> {
        Ok(self.explain_rows(z, rules, cluster))
    }

    /// `df_c/dz = w_k* = 2 (mu_c - mu_k*)`, the weights of the minimal contrast (the first
    /// on ties).
    fn gradients(&self, z: ArrayView2<f64>, cluster: Option<usize>) -> Array2<f64> {
        let mut h = vec![0.0; self.n_clusters() - 1];
        let mut grad = Array2::zeros(z.raw_dim());
        let candidates = self.candidates(z);
        for ((row, mut g), &candidate) in z
            .outer_iter()
            .zip(grad.axis_iter_mut(Axis(0)))
            .zip(&candidates)
        {
            let row = row.as_slice().expect("owned rows");
            let (_, target, _) = self.logit_of_row(row, candidate, cluster, &mut h);
            let active = argmin(&h);
            g.assign(&self.contrast(target).linear().weights().row(active));
        }
        grad
    }
}

impl ClusterNetwork {
    /// Soft-min redistribution of the logit over the contrasts, then the linear rule; for
    /// `neon-ref` the row is then rerooted from the same contrasts (one pass, no allocation
    /// per row).
    fn explain_rows(
        &self,
        z: ArrayView2<f64>,
        rules: &NeonRules<'_>,
        cluster: Option<usize>,
    ) -> Explanation {
        let mut assigned = vec![0usize; z.nrows()];
        let mut output = Array1::zeros(z.nrows());
        let mut relevance = Array2::zeros(z.raw_dim());
        let bounds = rules.bounds.map(|(l, h)| (l.to_vec(), h.to_vec()));
        let bounds = bounds.as_ref().map(|(l, h)| (l.as_slice(), h.as_slice()));
        let outputs = output.as_slice_mut().expect("owned");
        let relevance_chunks = relevance.axis_chunks_iter_mut(Axis(0), CHUNK_ROWS);
        par_row_chunks(&mut assigned, outputs)
            .zip(relevance_chunks.into_par_iter())
            .for_each(|((start, (labels, out)), mut rel)| {
                let rows = z.slice(s![start..start + out.len(), ..]);
                let candidates = self.candidates(rows);
                let mut h = vec![0.0; self.n_clusters() - 1];
                let mut unit_relevance = vec![0.0; self.n_clusters() - 1];
                let mut numerators = vec![0.0; z.ncols()];
                for (r, row) in rows.outer_iter().enumerate() {
                    let row = row.to_slice().expect("owned rows");
                    let target;
                    (labels[r], target, out[r]) =
                        self.logit_of_row(row, candidates[r], cluster, &mut h);
                    let contrast = self.contrast(target);
                    softmin_redistribute_into(&h, rules.beta, out[r], &mut unit_relevance);
                    let input = LinearInput {
                        input: row,
                        weights: contrast.linear().weights(),
                        activations: &h,
                        midpoints: contrast.midpoints(),
                        bounds,
                    };
                    let mut row_out = rel.row_mut(r);
                    let row_slice = row_out.as_slice_mut().expect("owned");
                    propagate_linear(rules.linear, &input, &unit_relevance, row_slice);
                    if rules.rule_set == RuleSet::NeonRef {
                        let (weights, p) = (contrast.linear().weights(), &mut unit_relevance);
                        reference_numerators(row, rules, weights, &h, p, &mut numerators);
                        rescale_into(&numerators, out[r], 0.0, row_out);
                    }
                }
            });
        Explanation {
            prediction: Prediction::Labels(assigned),
            output,
            relevance,
        }
    }
}

/// `neon-ref`: `N_i = sum_k p_k w_ik (z_i - r_i)` over the contrasts `h` (weights `w`) of the
/// explained cluster, `p = softmin(beta h)` (written into the scratch `p`).
fn reference_numerators(
    z: &[f64],
    rules: &NeonRules<'_>,
    weights: ArrayView2<f64>,
    h: &[f64],
    p: &mut [f64],
    numerators: &mut [f64],
) {
    softmin_weights_into(h, rules.beta, p);
    for (i, n) in numerators.iter_mut().enumerate() {
        let pulled: f64 = p
            .iter()
            .enumerate()
            .map(|(k, p_k)| p_k * weights[[k, i]])
            .sum();
        *n = pulled * (z[i] - rules.reference[i]);
    }
}

/// `2 / mean_c min_{k != c} ||mu_c - mu_k||^2`, or 1 when that is not a finite positive
/// number (centroids too close together or too far apart for f64).
pub(super) fn scale_free_beta(centroids: ArrayView2<f64>) -> f64 {
    let k = centroids.nrows();
    let mean_min: f64 = (0..k)
        .map(|c| {
            (0..k)
                .filter(|&j| j != c)
                .map(|j| {
                    let diff = &centroids.row(c) - &centroids.row(j);
                    diff.dot(&diff)
                })
                .fold(f64::INFINITY, f64::min)
        })
        .sum::<f64>()
        / k as f64;
    let beta = 2.0 / mean_min;
    if mean_min > 0.0 && beta.is_finite() {
        beta
    } else {
        1.0
    }
}

/// Index of the smallest value (the first one on ties).
fn argmin(values: &[f64]) -> usize {
    let mut best = 0;
    for (k, &v) in values.iter().enumerate() {
        if v < values[best] {
            best = k;
        }
    }
    best
}
