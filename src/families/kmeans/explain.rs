//! k-means as a [`Network`]: the NEON rules (soft-min redistribution over the contrasts,
//! then a linear rule, by default the midpoint rule), the reference-rooted `neon-ref`,
//! `neon-path` ([`super::path`]) and its per-row mix `neon-spread` ([`super::spread`]), and
//! the gradient of the logit.

use super::network::{ClusterNetwork, RowScratch};
use crate::error::Result;
use crate::explainer::{Explanation, Forward, Prediction};
use crate::lrp::linear::{propagate_linear, LinearInput};
use crate::lrp::rescale::rescale_into;
use crate::method::{LinearRule, RuleSet};
use crate::network::lanes::{self, UnitShare};
use crate::network::pool::softmin_weights_into;
use crate::network::{par_row_chunks, NeonRules, Network, CHUNK_ROWS};
use ndarray::{s, Array1, Array2, ArrayView2, ArrayViewMut2, Axis};
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
        &[
            RuleSet::Neon,
            RuleSet::NeonRef,
            RuleSet::NeonPath,
            RuleSet::NeonSpread,
        ]
    }

    /// `neon-spread` (at `auto`): the most faithful conserving variant on the held-out
    /// k-means sets (tabular and pixels), within the budget of 3 forward passes
    /// (docs/faithfulness.md, "k-means").
    fn default_rule_set(&self) -> RuleSet {
        RuleSet::NeonSpread
    }

    fn default_reason(&self) -> &'static str {
        "the most faithful conserving variant on the held-out k-means sets, tabular and \
         pixels, within 3 forward passes; --method neon-path@auto is its cheaper part \
         (docs/faithfulness.md)"
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
        Ok(match rules.rule_set {
            RuleSet::NeonRef => self.explain_reference_rows(z, rules, cluster),
            RuleSet::NeonPath => self.explain_path_rows(z, rules, cluster),
            RuleSet::NeonSpread => self.explain_spread_rows(z, rules, cluster),
            _ => self.explain_rows(z, rules, cluster),
        })
    }

    /// `df_c/dz = w_k* = 2 (mu_c - mu_k*)`, the weights of the minimal contrast (the first
    /// on ties).
    fn gradients(&self, z: ArrayView2<f64>, cluster: Option<usize>) -> Array2<f64> {
        let mut scratch = self.scratch();
        let mut grad = Array2::zeros(z.raw_dim());
        let candidates = self.candidates(z);
        for ((row, mut g), &candidate) in z
            .outer_iter()
            .zip(grad.axis_iter_mut(Axis(0)))
            .zip(&candidates)
        {
            let row = row.as_slice().expect("owned rows");
            let (_, target, _) = self.logit_of_row(row, candidate, cluster, &mut scratch, false);
            let active = argmin(&scratch.h);
            g.assign(&self.contrast(target).linear().weights().row(active));
        }
        grad
    }
}

/// Per-row buffers of the explanation, allocated once per chunk.
pub(super) struct ExplainScratch {
    contrasts: RowScratch,
    /// Soft-min weights `p_k`.
    p: Vec<f64>,
    /// Unit relevances `R_k = p_k f_c`.
    unit_relevance: Vec<f64>,
    shares: Vec<UnitShare>,
    /// `neon-ref`'s pull `sum_k p_k w_ik`.
    pulled: Vec<f64>,
    /// `neon-ref`'s numerators `N_i = pulled_i (z_i - r_i)`.
    pub(super) numerators: Vec<f64>,
}

impl ExplainScratch {
    pub(super) fn new(net: &ClusterNetwork) -> Self {
        let (k, d) = (net.n_clusters(), net.n_features());
        ExplainScratch {
            contrasts: net.scratch(),
            p: vec![0.0; k - 1],
            unit_relevance: vec![0.0; k - 1],
            shares: vec![UnitShare::Even(0.0); k - 1],
            pulled: vec![0.0; d],
            numerators: vec![0.0; d],
        }
    }
}

impl ClusterNetwork {
    /// Soft-min redistribution of the logit over the contrasts, then the linear rule; for
    /// `neon-ref` the row is then rerooted from the same contrasts (one pass, no allocation
    /// per row). The midpoint rule runs vectorized over the features
    /// ([`lanes::midpoint_share`]); every step is O(K d) per row.
    pub(super) fn explain_rows(
        &self,
        z: ArrayView2<f64>,
        rules: &NeonRules<'_>,
        cluster: Option<usize>,
    ) -> Explanation {
        let bounds = rules.bounds.map(|(l, h)| (l.to_vec(), h.to_vec()));
        let bounds = bounds.as_ref().map(|(l, h)| (l.as_slice(), h.as_slice()));
        explain_by_chunks(z, |rows, labels, out, mut rel| {
            let candidates = self.candidates(rows);
            let mut s = ExplainScratch::new(self);
            for (r, row) in rows.outer_iter().enumerate() {
                let row = row.to_slice().expect("owned rows");
                let mut row_out = rel.row_mut(r);
                let row_slice = row_out.as_slice_mut().expect("owned");
                (labels[r], out[r]) = self.explain_row(
                    row,
                    candidates[r],
                    cluster,
                    rules,
                    bounds,
                    &mut s,
                    row_slice,
                );
                if rules.rule_set == RuleSet::NeonRef {
                    rescale_into(&s.numerators, out[r], 0.0, row_out);
                }
            }
        })
    }

    /// One row's assigned cluster and explained logit; its NEON relevance added into `out`
    /// and, for `neon-ref`, its numerators left in `s.numerators` (`bounds`: the z^B box).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn explain_row(
        &self,
        row: &[f64],
        candidate: usize,
        cluster: Option<usize>,
        rules: &NeonRules<'_>,
        bounds: Option<(&[f64], &[f64])>,
        s: &mut ExplainScratch,
        out: &mut [f64],
    ) -> (usize, f64) {
        let midpoint = rules.linear == LinearRule::Midpoint;
        let neon_ref = rules.rule_set == RuleSet::NeonRef;
        let (label, target, logit) =
            self.logit_of_row(row, candidate, cluster, &mut s.contrasts, midpoint);
        let h = &s.contrasts.h;
        softmin_weights_into(h, rules.beta, &mut s.p);
        for (u, &p) in s.unit_relevance.iter_mut().zip(&s.p) {
            *u = p * logit;
        }
        if midpoint {
            let magnitude = &s.contrasts.magnitude;
            for (((share, &u), &sum), &mag) in s
                .shares
                .iter_mut()
                .zip(&s.unit_relevance)
                .zip(h)
                .zip(magnitude)
            {
                *share = unit_share(u, sum, mag, row.len());
            }
            let padded = self.padded_centroids();
            let width = padded.ncols();
            let padded = padded.to_slice().expect("standard layout");
            let pulled = neon_ref.then_some((&s.p[..], &mut s.pulled[..]));
            lanes::midpoint_share(row, target, padded, width, &s.shares, pulled, out);
        } else {
            let contrast = self.contrast(target);
            let input = LinearInput {
                input: row,
                weights: contrast.linear().weights(),
                activations: h,
                midpoints: contrast.midpoints(),
                bounds,
            };
            propagate_linear(rules.linear, &input, &s.unit_relevance, out);
            if neon_ref {
                pull(contrast.linear().weights(), &s.p, &mut s.pulled);
            }
        }
        if neon_ref {
            for (((n, &q), &zi), &ri) in s
                .numerators
                .iter_mut()
                .zip(&s.pulled)
                .zip(row)
                .zip(rules.reference)
            {
                *n = q * (zi - ri);
            }
        }
        (label, logit)
    }
}

/// The midpoint rule's share of one contrast (as `add_share`): `R_k / h_k` per unit of
/// numerator, or `R_k / d` on every feature when `|h_k| <= 1e-12 sum_i |n_ik|` or `h_k = 0`
/// (`h_k` is the sum of the numerators `n_ik`, `magnitude` the sum of their sizes).
fn unit_share(relevance: f64, h: f64, magnitude: f64, d: usize) -> UnitShare {
    if h.abs() > 1e-12 * magnitude && h != 0.0 {
        UnitShare::Ratio(relevance / h)
    } else {
        UnitShare::Even(relevance / d as f64)
    }
}

/// `neon-ref`'s pull `sum_k p_k w_ik` (summed over k in order) into `pulled`.
fn pull(weights: ArrayView2<f64>, p: &[f64], pulled: &mut [f64]) {
    for (i, q) in pulled.iter_mut().enumerate() {
        *q = p
            .iter()
            .enumerate()
            .map(|(k, p_k)| p_k * weights[[k, i]])
            .sum();
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

/// Every row's assigned cluster, output and relevance, filled in parallel over the fixed
/// `CHUNK_ROWS` chunks by `fill(rows, labels, outputs, relevance)` (one chunk's rows of `z`
/// and its output slots), so results do not depend on the thread count.
pub(super) fn explain_by_chunks(
    z: ArrayView2<f64>,
    fill: impl Fn(ArrayView2<f64>, &mut [usize], &mut [f64], ArrayViewMut2<f64>) + Sync,
) -> Explanation {
    let mut assigned = vec![0usize; z.nrows()];
    let mut output = Array1::zeros(z.nrows());
    let mut relevance = Array2::zeros(z.raw_dim());
    let outputs = output.as_slice_mut().expect("owned");
    let relevance_chunks = relevance.axis_chunks_iter_mut(Axis(0), CHUNK_ROWS);
    par_row_chunks(&mut assigned, outputs)
        .zip(relevance_chunks.into_par_iter())
        .for_each(|((start, (labels, out)), rel)| {
            fill(z.slice(s![start..start + out.len(), ..]), labels, out, rel)
        });
    Explanation {
        prediction: Prediction::Labels(assigned),
        output,
        relevance,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array1;

    use crate::rng::test_matrix as matrix;

    /// The vectorized midpoint rule and `neon-ref` give the bits of the per-unit form
    /// (stored contrasts, `propagate_linear`, the pull summed unit by unit), for the
    /// assigned and a given cluster, rows on a boundary included.
    #[test]
    #[allow(clippy::needless_range_loop)]
    fn the_vectorized_rules_give_the_bits_of_the_per_unit_form() {
        let (k, d) = (7, 5);
        let centroids = matrix(k, d, 3);
        let net = ClusterNetwork::new(centroids.clone());
        let mut z = matrix(300, d, 8);
        let boundary = (&centroids.row(1) + &centroids.row(4)) * 0.5;
        z.row_mut(10).assign(&boundary);
        z.row_mut(11).assign(&centroids.row(2));
        let reference = Array1::from_elem(d, 0.25);
        for rule_set in [RuleSet::Neon, RuleSet::NeonRef] {
            for cluster in [None, Some(5)] {
                let rules = NeonRules::rooted(rule_set, 0.8, reference.view());
                let got = net.explain_rows(z.view(), &rules, cluster);
                let mut h = vec![0.0; k - 1];
                let (mut p, mut unit) = (vec![0.0; k - 1], vec![0.0; k - 1]);
                for (r, row) in z.outer_iter().enumerate() {
                    let row = row.as_slice().unwrap();
                    let assigned = (0..k)
                        .find(|&c| {
                            net.contrast(c).activations_into(row, &mut h);
                            crate::network::pool::min(&h) >= 0.0
                        })
                        .unwrap();
                    let target = cluster.unwrap_or(assigned);
                    let contrast = net.contrast(target);
                    contrast.activations_into(row, &mut h);
                    let logit = crate::network::pool::min(&h);
                    softmin_weights_into(&h, rules.beta, &mut p);
                    unit.iter_mut().zip(&p).for_each(|(u, &p)| *u = p * logit);
                    let mut expected = Array1::zeros(d);
                    let input = LinearInput {
                        input: row,
                        weights: contrast.linear().weights(),
                        activations: &h,
                        midpoints: contrast.midpoints(),
                        bounds: None,
                    };
                    propagate_linear(
                        LinearRule::Midpoint,
                        &input,
                        &unit,
                        expected.as_slice_mut().unwrap(),
                    );
                    if rule_set == RuleSet::NeonRef {
                        let mut pulled = vec![0.0; d];
                        pull(contrast.linear().weights(), &p, &mut pulled);
                        let numerators: Vec<f64> = (0..d)
                            .map(|i| pulled[i] * (row[i] - reference[i]))
                            .collect();
                        rescale_into(&numerators, logit, 0.0, expected.view_mut());
                    }
                    assert_eq!(got.output[r].to_bits(), logit.to_bits(), "row {r}");
                    for i in 0..d {
                        let (a, b) = (got.relevance[[r, i]], expected[i]);
                        assert_eq!(a.to_bits(), b.to_bits(), "{rule_set:?} row {r} feature {i}");
                    }
                }
            }
        }
    }
}
