//! Distance units + k-min pooling: the network of a k-nearest-neighbour detector.
//!
//! Units `h_j(z) = ‖z - u_j‖` (euclidean or manhattan), one per stored row; the pooling
//! keeps the k smallest (ties to the lower index) and outputs the largest of them
//! (`largest`) or their mean (`mean`), exactly as the detector does.
//!
//! Relevance: onto the k nearest units, `R_j = o softmax_j(beta h)` over the k nearest for
//! `largest` (beta -> infinity gives everything to the k-th neighbour, beta -> 0 the mean
//! rule) and `R_j = o h_j / sum_j' h_j'` for `mean` (the exact split of a mean); then the
//! distance share `R_i = sum_j R_j t_ji / sum_i' t_ji'`, `t_ji = (z_i - u_ji)²` (euclidean)
//! or `|z_i - u_ji|` (manhattan); an even split at zero distance. Conserving.
//!
//! Search: the exact scan of every stored row, or for Euclidean distances and at least
//! `search::MIN_STORED_ROWS` stored rows, blocks of matrix products that pick candidates and
//! an exact recheck of them (`search.rs`): the same neighbours and distances, bit for bit.
//!
//! `neon-ref` (the default) roots every unit at the reference r instead:
//! `N_i = (z_i - r_i) sum_j R_j dh_j/dz_i` over the k nearest, `R = o N / sum N` (rows where
//! `sum N` is tiny or of the other sign than `o` keep the `neon` relevance).

use super::model::{KnnMetric, KnnScore};
use super::search::{order, GemmIndex, Neighbours, MIN_STORED_ROWS};
use crate::error::Result;
use crate::explainer::{Explanation, Forward, Prediction};
use crate::lrp::rescale::rescale_into;
use crate::method::RuleSet;
use crate::network::kernel::check_finite;
use crate::network::{try_for_each_chunk, NeonRules, Network, CHUNK_ROWS};
use ndarray::{s, Array1, Array2, ArrayView2, ArrayViewMut1, Zip};
use rayon::prelude::*;

/// Rows of the stored data whose k-th neighbour distance enters the typical score.
const TYPICAL_ROWS: usize = 500;
/// Stored rows searched for those neighbours.
const TYPICAL_NEIGHBOURS: usize = 5000;

/// The neuralized detector.
#[derive(Debug, Clone)]
pub(crate) struct NeighbourNetwork {
    points: Array2<f64>,
    k: usize,
    score: KnnScore,
    metric: KnnMetric,
    /// The median score of the first stored rows against the others (0 if undefined).
    typical: f64,
    /// The matrix-product search (Euclidean, enough stored rows).
    index: Option<GemmIndex>,
}

impl NeighbourNetwork {
    pub(crate) fn new(points: Array2<f64>, k: usize, score: KnnScore, metric: KnnMetric) -> Self {
        let mut net = NeighbourNetwork {
            points,
            k,
            score,
            metric,
            typical: 0.0,
            index: None,
        };
        net.typical = net.typical_score();
        if metric == KnnMetric::Euclidean && net.points.nrows() >= MIN_STORED_ROWS {
            net.index = Some(GemmIndex::new(net.points.view()));
        }
        net
    }

    /// The k nearest stored rows of `z`, `(distance, index)` sorted by distance, then index.
    fn nearest(&self, z: &[f64]) -> Vec<(f64, usize)> {
        self.nearest_among(z, self.points.nrows(), None, self.k)
    }

    /// The k nearest stored rows of every row of `z` (the exact scan's result; by matrix
    /// products where they apply).
    fn nearest_rows(&self, z: ArrayView2<f64>) -> Vec<Neighbours> {
        match &self.index {
            Some(index) => index.nearest(self.points.view(), z, self.k, |row| self.nearest(row)),
            None => z
                .outer_iter()
                .map(|row| self.nearest(row.as_slice().expect("owned rows")))
                .collect(),
        }
    }

    /// The exact scan: the k nearest of `z` among the first `n` stored rows but `skip`.
    fn nearest_among(
        &self,
        z: &[f64],
        n: usize,
        skip: Option<usize>,
        k: usize,
    ) -> Vec<(f64, usize)> {
        let mut d: Vec<(f64, usize)> = self
            .points
            .outer_iter()
            .take(n)
            .enumerate()
            .filter(|&(j, _)| Some(j) != skip)
            .map(|(j, u)| (self.metric.distance(z, u.as_slice().expect("owned")), j))
            .collect();
        let k = k.min(d.len());
        if k == 0 {
            return Vec::new();
        }
        d.select_nth_unstable_by(k - 1, order);
        d.truncate(k);
        d.sort_by(order);
        d
    }

    /// The score from the sorted k nearest distances.
    fn pool(&self, nearest: &[(f64, usize)]) -> f64 {
        match self.score {
            KnnScore::Largest => nearest[nearest.len() - 1].0,
            KnnScore::Mean => nearest.iter().map(|n| n.0).sum::<f64>() / nearest.len() as f64,
        }
    }

    /// Median over the first stored rows of their score against the other stored rows.
    fn typical_score(&self) -> f64 {
        let n = self.points.nrows();
        if n < 2 {
            return 0.0;
        }
        let k = self.k.min(n - 1);
        let mut scores: Vec<f64> = (0..n.min(TYPICAL_ROWS))
            .map(|j| {
                let row = self.points.row(j);
                let near = self.nearest_among(
                    row.as_slice().expect("owned"),
                    n.min(TYPICAL_NEIGHBOURS),
                    Some(j),
                    k,
                );
                if near.is_empty() {
                    0.0
                } else {
                    self.pool(&near)
                }
            })
            .collect();
        scores.sort_by(f64::total_cmp);
        scores[scores.len() / 2]
    }

    /// Unit relevances of the k nearest: softmax(beta h) o (`largest`) or o h / sum h (`mean`).
    fn unit_relevance(&self, nearest: &[(f64, usize)], output: f64, beta: f64) -> Vec<f64> {
        let mut w: Vec<f64> = match self.score {
            KnnScore::Largest => {
                let top = nearest[nearest.len() - 1].0;
                nearest.iter().map(|n| (beta * (n.0 - top)).exp()).collect()
            }
            KnnScore::Mean => nearest.iter().map(|n| n.0).collect(),
        };
        let total: f64 = w.iter().sum();
        if total > 0.0 && total.is_finite() {
            w.iter_mut().for_each(|v| *v *= output / total);
        } else {
            let even = output / w.len() as f64;
            w.iter_mut().for_each(|v| *v = even);
        }
        w
    }

    /// `neon-ref`: `N_i = (z_i - r_i) sum_j R_j dh_j/dz_i`, each unit rooted at the reference
    /// r (its first-order expansion from r, weighted by the unit's relevance), as the k-means
    /// `neon-ref`; `dh_j/dz_i = (z_i - u_ji) / h_j` (0 at zero distance) or `sign(z_i - u_ji)`.
    fn numerators(
        &self,
        z: &[f64],
        nearest: &[(f64, usize)],
        units: &[f64],
        rules: &NeonRules<'_>,
    ) -> Vec<f64> {
        let mut numerators = vec![0.0; z.len()];
        for (&(dist, j), &r_j) in nearest.iter().zip(units) {
            let u = self.points.row(j);
            for (i, n) in numerators.iter_mut().enumerate() {
                let v = z[i] - u[i];
                let slope = match self.metric {
                    KnnMetric::Euclidean if dist > 0.0 => v / dist,
                    KnnMetric::Euclidean => 0.0,
                    KnnMetric::Manhattan if v == 0.0 => 0.0,
                    KnnMetric::Manhattan => v.signum(),
                };
                *n += r_j * slope;
            }
        }
        for (n, (&zi, &ri)) in numerators.iter_mut().zip(z.iter().zip(rules.reference)) {
            *n *= zi - ri;
        }
        numerators
    }

    /// `out_i += relevance t_i / sum t`, the distance share of one unit.
    fn add_share(&self, z: &[f64], u: &[f64], relevance: f64, mut out: ArrayViewMut1<f64>) {
        let m = z
            .iter()
            .zip(u)
            .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
        if m == 0.0 {
            let even = relevance / z.len() as f64;
            out.iter_mut().for_each(|o| *o += even);
            return;
        }
        // Terms of the scaled difference (z - u) / m: the shares are scale-free.
        let term = |a: f64, b: f64| match self.metric {
            KnnMetric::Euclidean => ((a - b) / m) * ((a - b) / m),
            KnnMetric::Manhattan => ((a - b) / m).abs(),
        };
        let total: f64 = z.iter().zip(u).map(|(&a, &b)| term(a, b)).sum();
        let c = relevance / total;
        Zip::from(&mut out)
            .and(z)
            .and(u)
            .for_each(|o, &a, &b| *o += c * term(a, b));
    }
}

impl Network for NeighbourNetwork {
    fn n_features(&self) -> usize {
        self.points.ncols()
    }

    fn rule_sets(&self) -> &'static [RuleSet] {
        &[RuleSet::Neon, RuleSet::NeonFloor, RuleSet::NeonRef]
    }

    /// `neon-ref`: on held-out planted anomalies as faithful as the better of gradient x
    /// input and occlusion (docs/detectors.md), where `neon` is 2-3% behind.
    fn default_rule_set(&self) -> RuleSet {
        RuleSet::NeonRef
    }

    fn default_reason(&self) -> &'static str {
        "every distance unit rooted at the reference, the more faithful of the NEON \
         variants on planted anomalies (docs/detectors.md)"
    }

    fn has_linear_layer(&self) -> bool {
        false
    }

    /// `1 / s`, s the median score of the stored rows against the others: a neighbour one
    /// typical score nearer than the k-th gets `e^-1` of its weight.
    fn published_beta(&self, stored: Option<f64>) -> f64 {
        stored.unwrap_or(if self.typical > 0.0 && self.typical.is_finite() {
            1.0 / self.typical
        } else {
            1.0
        })
    }

    /// The published beta.
    fn auto_beta(&self, published: f64) -> f64 {
        published
    }

    fn forward(&self, z: ArrayView2<f64>, _cluster: Option<usize>) -> Result<Forward> {
        let mut output = Array1::zeros(z.nrows());
        output
            .as_slice_mut()
            .expect("owned")
            .par_chunks_mut(CHUNK_ROWS)
            .enumerate()
            .try_for_each(|(c, out)| {
                let first = c * CHUNK_ROWS;
                let near = self.nearest_rows(z.slice(s![first..first + out.len(), ..]));
                for (r, (o, nearest)) in out.iter_mut().zip(&near).enumerate() {
                    *o = self.pool(nearest);
                    check_finite(*o, first + r)?;
                }
                Ok(())
            })?;
        Ok(Forward {
            prediction: Prediction::Values(output.clone()),
            output,
        })
    }

    fn explain(
        &self,
        z: ArrayView2<f64>,
        rules: &NeonRules<'_>,
        _cluster: Option<usize>,
    ) -> Result<Explanation> {
        let mut output = Array1::zeros(z.nrows());
        let mut relevance = Array2::zeros(z.raw_dim());
        try_for_each_chunk(&mut output, &mut relevance, |first, out, mut rel| {
            let near = self.nearest_rows(z.slice(s![first..first + out.len(), ..]));
            for (r, (o, nearest)) in out.iter_mut().zip(near).enumerate() {
                let row = z.row(first + r);
                let row = row.as_slice().expect("owned rows");
                *o = self.pool(&nearest);
                check_finite(*o, first + r)?;
                let units = self.unit_relevance(&nearest, *o, rules.beta);
                for (&(_, j), &r_j) in nearest.iter().zip(&units) {
                    let u = self.points.row(j);
                    self.add_share(row, u.as_slice().expect("owned"), r_j, rel.row_mut(r));
                }
                if rules.rule_set == RuleSet::NeonRef {
                    let numerators = self.numerators(row, &nearest, &units, rules);
                    rescale_into(&numerators, *o, 0.0, rel.row_mut(r));
                }
            }
            Ok(())
        })?;
        Ok(Explanation {
            prediction: Prediction::Values(output.clone()),
            output,
            relevance,
        })
    }

    /// `largest`: the gradient of the k-th distance; `mean`: the mean of the k gradients;
    /// `d‖z - u‖/dz = (z - u) / ‖z - u‖` (0 at zero distance), `d‖z - u‖_1/dz = sign(z - u)`.
    fn gradients(&self, z: ArrayView2<f64>, _cluster: Option<usize>) -> Array2<f64> {
        let mut grad = Array2::zeros(z.raw_dim());
        let near = self.nearest_rows(z);
        for ((row, mut g), nearest) in z.outer_iter().zip(grad.outer_iter_mut()).zip(near) {
            let row = row.as_slice().expect("owned rows");
            let active: &[(f64, usize)] = match self.score {
                KnnScore::Largest => &nearest[nearest.len() - 1..],
                KnnScore::Mean => &nearest,
            };
            let weight = 1.0 / active.len() as f64;
            for &(dist, j) in active {
                let u = self.points.row(j);
                Zip::from(&mut g).and(row).and(&u).for_each(|g, &a, &b| {
                    *g += weight
                        * match self.metric {
                            KnnMetric::Euclidean if dist > 0.0 => (a - b) / dist,
                            KnnMetric::Euclidean => 0.0,
                            KnnMetric::Manhattan if a > b => 1.0,
                            KnnMetric::Manhattan if a < b => -1.0,
                            KnnMetric::Manhattan => 0.0,
                        };
                });
            }
        }
        grad
    }
}
