//! Linear contrasts + min pooling: the network of k-means.
//!
//! For the explained cluster c and every competitor k != c:
//! `h_k = ||z - mu_k||^2 - ||z - mu_c||^2 = w_k . z + b_k`, `w_k = 2 (mu_c - mu_k)`,
//! `b_k = ||mu_k||^2 - ||mu_c||^2`; the logit is `f_c = min_k h_k` and z belongs to c iff
//! `f_c >= 0`.
//!
//! `h_k` is evaluated in its midpoint form `sum_i (z_i - m_ik) w_ik`, `m_k = (mu_c + mu_k)/2`:
//! no cancellation far from the data, exactly antisymmetric (`h` of c against k is minus
//! `h` of k against c, bit for bit), and exactly the sum the midpoint rule divides by.

use super::batch;
use crate::error::Result;
use crate::explainer::{Forward, Prediction};
use crate::network::linear::LinearLayer;
use crate::network::scratch::with_local;
use crate::network::{lanes, par_row_chunks, pool};
use ndarray::linalg::general_mat_mul;
use ndarray::{s, Array1, Array2, ArrayView2, Axis};
use rayon::prelude::*;

/// The contrast layer of one cluster c: units are the competitors k != c.
#[derive(Debug, Clone)]
pub(crate) struct ClusterContrast {
    linear: LinearLayer,
    midpoints: Array2<f64>,
}

impl ClusterContrast {
    fn new(centroids: ArrayView2<f64>, c: usize) -> Self {
        let competitors: Vec<usize> = (0..centroids.nrows()).filter(|&k| k != c).collect();
        let d = centroids.ncols();
        let mu_c = centroids.row(c);
        let norm_c = mu_c.dot(&mu_c);
        let mut weights = Array2::zeros((competitors.len(), d));
        let mut midpoints = Array2::zeros((competitors.len(), d));
        let mut bias = Array1::zeros(competitors.len());
        for (unit, &k) in competitors.iter().enumerate() {
            let mu_k = centroids.row(k);
            weights.row_mut(unit).assign(&((&mu_c - &mu_k) * 2.0));
            midpoints.row_mut(unit).assign(&((&mu_c + &mu_k) * 0.5));
            bias[unit] = mu_k.dot(&mu_k) - norm_c;
        }
        ClusterContrast {
            linear: LinearLayer::new(weights, bias),
            midpoints,
        }
    }

    /// Weights `2 (mu_c - mu_k)` and biases `||mu_k||^2 - ||mu_c||^2`.
    pub(crate) fn linear(&self) -> &LinearLayer {
        &self.linear
    }

    /// Midpoints `(mu_c + mu_k) / 2`, the root points of the midpoint rule (units x features).
    pub(crate) fn midpoints(&self) -> ArrayView2<'_, f64> {
        self.midpoints.view()
    }

    /// `h_k = sum_i (z_i - m_ik) w_ik` for one standardized row, from the stored weights
    /// and midpoints (the yardstick of [`ClusterNetwork::contrasts`]).
    #[cfg(test)]
    pub(crate) fn activations_into(&self, z: &[f64], out: &mut [f64]) {
        let weights = self.linear.weights();
        for (unit, h) in out.iter_mut().enumerate() {
            let w = weights.row(unit);
            let m = self.midpoints.row(unit);
            *h = z
                .iter()
                .zip(m)
                .zip(w)
                .map(|((&zi, &mi), &wi)| (zi - mi) * wi)
                .sum();
        }
    }
}

/// The neuralized k-means model.
#[derive(Debug, Clone)]
pub(crate) struct ClusterNetwork {
    pub(super) centroids: Array2<f64>,
    contrasts: Vec<ClusterContrast>,
    /// The mean of the centroids: candidate distances are computed on centered data.
    pub(super) origin: Array1<f64>,
    /// `mu_k - origin`, clusters x features.
    pub(super) centered: Array2<f64>,
    /// `||mu_k - origin||^2`.
    pub(super) centered_norms: Array1<f64>,
    /// The sizes the rounding bound of the batch pass needs ([`super::batch`]).
    pub(super) sizes: super::batch::CentroidSizes,
    /// The centroids transposed, features x clusters zero-padded to a whole number of
    /// `lanes::CONTRAST_BLOCK` (the contrasts vectorized over k).
    centroids_t: Array2<f64>,
    /// The centroids, each row zero-padded to a whole number of `lanes::SHARE_BLOCK`
    /// (the midpoint rule vectorized over the features).
    padded: Array2<f64>,
}

/// Per-row buffers of the contrasts, allocated once per chunk of rows.
#[derive(Debug)]
pub(crate) struct RowScratch {
    full: Vec<f64>,
    full_magnitude: Vec<f64>,
    /// The contrasts `h_k` of the last cluster computed (`n_clusters - 1` values).
    pub h: Vec<f64>,
    /// `sum_i |(z_i - m_ik) w_ik|` of those contrasts, when asked for.
    pub magnitude: Vec<f64>,
}

impl ClusterNetwork {
    pub(crate) fn new(centroids: Array2<f64>) -> Self {
        let contrasts = (0..centroids.nrows())
            .map(|c| ClusterContrast::new(centroids.view(), c))
            .collect();
        let origin = centroids
            .mean_axis(Axis(0))
            .expect("at least two centroids");
        let centered = &centroids - &origin;
        let centered_norms = centered.map_axis(Axis(1), |m| m.dot(&m));
        let (k, d) = centroids.dim();
        let k_padded = k.div_ceil(lanes::CONTRAST_BLOCK) * lanes::CONTRAST_BLOCK;
        let mut centroids_t = Array2::zeros((d, k_padded));
        centroids_t.slice_mut(s![.., ..k]).assign(&centroids.t());
        let width = centroids.ncols().div_ceil(lanes::SHARE_BLOCK) * lanes::SHARE_BLOCK;
        let mut padded = Array2::zeros((centroids.nrows(), width));
        padded
            .slice_mut(s![.., ..centroids.ncols()])
            .assign(&centroids);
        let sizes = super::batch::CentroidSizes::new(centroids.view(), centered_norms.view());
        ClusterNetwork {
            centroids,
            contrasts,
            sizes,
            origin,
            centered,
            centered_norms,
            centroids_t,
            padded,
        }
    }

    /// The zero-padded centroids (clusters x a multiple of `lanes::SHARE_BLOCK`).
    pub(crate) fn padded_centroids(&self) -> ArrayView2<'_, f64> {
        self.padded.view()
    }

    /// Buffers for [`Self::contrasts`] and [`Self::logit_of_row`].
    pub(crate) fn scratch(&self) -> RowScratch {
        let (k, k_padded) = (self.n_clusters(), self.centroids_t.ncols());
        RowScratch {
            full: vec![0.0; k_padded],
            full_magnitude: vec![0.0; k_padded],
            h: vec![0.0; k - 1],
            magnitude: vec![0.0; k - 1],
        }
    }

    /// The contrasts of cluster `c` for one standardized row into `scratch.h` (and their
    /// magnitudes `sum_i |(z_i - m_ik) w_ik|` into `scratch.magnitude` when asked): the sums of
    /// the midpoint form, vectorized over the clusters, bit-identical to summing the stored
    /// weights and midpoints feature by feature. O(K d).
    pub(crate) fn contrasts(&self, z: &[f64], c: usize, scratch: &mut RowScratch, magnitude: bool) {
        let mu_c = self.centroids.row(c);
        lanes::midpoint_contrasts(
            z,
            mu_c.as_slice().expect("standard layout"),
            self.centroids_t.as_slice().expect("standard layout"),
            &mut scratch.full,
            magnitude.then_some(&mut scratch.full_magnitude[..]),
        );
        let k = self.n_clusters();
        let drop_c = |full: &[f64], out: &mut [f64]| {
            out[..c].copy_from_slice(&full[..c]);
            out[c..].copy_from_slice(&full[c + 1..k]);
        };
        drop_c(&scratch.full, &mut scratch.h);
        if magnitude {
            drop_c(&scratch.full_magnitude, &mut scratch.magnitude);
        }
    }

    /// The nearest centroid of every row by one matrix product,
    /// `argmin_k ||z - o||^2 - 2 (z - o).(mu_k - o) + ||mu_k - o||^2` (the row's own norm
    /// is left out: it does not change the argmin). Only a candidate: rounding may pick a
    /// near-tie wrongly, which [`Self::logit_of_row`] detects and corrects.
    pub(crate) fn candidates(&self, z: ArrayView2<f64>) -> Vec<usize> {
        let centered_rows = &z - &self.origin;
        let mut scores = Array2::zeros((z.nrows(), self.n_clusters()));
        general_mat_mul(-2.0, &centered_rows, &self.centered.t(), 0.0, &mut scores);
        scores
            .outer_iter()
            .map(|row| {
                let mut best = (0, f64::INFINITY);
                for (k, (&s, &norm)) in row.iter().zip(&self.centered_norms).enumerate() {
                    if s + norm < best.1 {
                        best = (k, s + norm);
                    }
                }
                best.0
            })
            .collect()
    }

    pub(crate) fn centroids(&self) -> ArrayView2<'_, f64> {
        self.centroids.view()
    }

    pub(crate) fn n_clusters(&self) -> usize {
        self.centroids.nrows()
    }

    pub(crate) fn n_features(&self) -> usize {
        self.centroids.ncols()
    }

    /// The contrast layer of cluster c.
    pub(crate) fn contrast(&self, c: usize) -> &ClusterContrast {
        &self.contrasts[c]
    }

    /// The assigned cluster of a standardized row: the lowest c with `f_c >= 0`, computed
    /// from the same contrasts as the logits (the nearest centroid, ties to the lowest index).
    pub(crate) fn assign(&self, z: &[f64], scratch: &mut RowScratch) -> usize {
        let mut best = (0, f64::NEG_INFINITY);
        for c in 0..self.n_clusters() {
            self.contrasts(z, c, scratch, false);
            let logit = pool::min(&scratch.h);
            if logit >= 0.0 {
                return c;
            }
            // Only reachable if rounding made the contrasts intransitive: take the best.
            if logit > best.1 {
                best = (c, logit);
            }
        }
        best.0
    }

    /// One standardized row and its [candidate](Self::candidates) cluster: its assigned
    /// cluster, the explained cluster (`cluster`, else the assigned one) and that cluster's
    /// logit; `scratch.h` is left holding the explained cluster's contrasts (and
    /// `scratch.magnitude` their magnitudes, when asked).
    ///
    /// A candidate with `f_c > 0` is the assigned cluster: the contrasts are exactly
    /// antisymmetric, so every other cluster k has `f_k <= -f_c < 0`. Otherwise (a tie, or
    /// rounding in the candidate's product) the exact scan of [`Self::assign`] decides. Cost
    /// per row: O(K d), not O(K^2 d).
    pub(crate) fn logit_of_row(
        &self,
        z: &[f64],
        candidate: usize,
        cluster: Option<usize>,
        scratch: &mut RowScratch,
        magnitude: bool,
    ) -> (usize, usize, f64) {
        let wanted = cluster.unwrap_or(candidate);
        self.contrasts(z, candidate, scratch, magnitude && wanted == candidate);
        let candidate_logit = pool::min(&scratch.h);
        let assigned = if candidate_logit > 0.0 {
            candidate
        } else {
            self.assign(z, scratch)
        };
        let target = cluster.unwrap_or(assigned);
        if target != candidate || candidate_logit <= 0.0 {
            self.contrasts(z, target, scratch, magnitude);
        }
        (assigned, target, pool::min(&scratch.h))
    }

    /// Assigned cluster (ties to the lowest index) and the logit of the explained cluster:
    /// the assigned one, or `cluster` when given. One matrix product per chunk of rows and
    /// O(d) per row ([`batch`]); rows the rounding bound cannot decide take the exact scan.
    pub(crate) fn logits(&self, z: ArrayView2<f64>, cluster: Option<usize>) -> Result<Forward> {
        let n = z.nrows();
        let mut assigned = vec![0usize; n];
        let mut output = Array1::zeros(n);
        let logits = output.as_slice_mut().expect("owned");
        let d = self.n_features();
        let k = self.n_clusters();
        par_row_chunks(&mut assigned, logits).for_each(|(start, (assigned, logits))| {
            let z = z.slice(s![start..start + assigned.len(), ..]);
            with_local(&batch::SCRATCH, |batch| {
                self.chunk_scores(z, batch);
                let mut exact: Option<RowScratch> = None;
                for (r, row) in z.outer_iter().enumerate() {
                    let row = row.to_slice().expect("owned rows");
                    let a = &batch.centered[r * d..(r + 1) * d];
                    let scores = &batch.scores[r * k..(r + 1) * k];
                    (assigned[r], logits[r]) = match self.batch_logit(row, a, scores, cluster) {
                        Some((c, _, logit)) => (c, logit),
                        None => {
                            let scratch = exact.get_or_insert_with(|| self.scratch());
                            let candidate = batch::candidate(scores);
                            let (c, _, logit) =
                                self.logit_of_row(row, candidate, cluster, scratch, false);
                            (c, logit)
                        }
                    };
                }
            });
        });
        Ok(Forward {
            prediction: Prediction::Labels(assigned),
            output,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// The candidate path gives the exact scan's cluster and logit on ordinary rows, rows
    /// on a boundary (ties go to the lowest index) and rows far away.
    #[test]
    fn candidates_agree_with_the_exact_scan() {
        let centroids = array![
            [0.0, 0.0],
            [2.0, 0.0],
            [0.0, 2.0],
            [2.0, 2.0],
            [1.0, 1.0 + 1e-9]
        ];
        let net = ClusterNetwork::new(centroids);
        let mut rows = vec![
            [1.0, 0.0],
            [0.0, 1.0],
            [1.0, 1.0],
            [2.0, 1.0],
            [1e150, -3e149],
        ];
        for i in 0..40 {
            let t = i as f64 * 0.173;
            rows.push([2.5 * t.sin() + 1.0, 2.5 * (1.7 * t).cos() + 1.0]);
        }
        let z = Array2::from_shape_fn((rows.len(), 2), |(r, c)| rows[r][c]);
        let candidates = net.candidates(z.view());
        let mut scratch = net.scratch();
        let mut other = net.scratch();
        let mut exact = vec![0.0; net.n_clusters() - 1];
        for (r, row) in z.outer_iter().enumerate() {
            let row = row.as_slice().unwrap();
            for cluster in [None, Some(3)] {
                let got = net.logit_of_row(row, candidates[r], cluster, &mut scratch, true);
                // The yardstick: the first cluster whose stored contrasts have f_c >= 0.
                let assigned = (0..net.n_clusters())
                    .find(|&c| {
                        net.contrast(c).activations_into(row, &mut exact);
                        pool::min(&exact) >= 0.0
                    })
                    .unwrap();
                assert_eq!(net.assign(row, &mut other), assigned, "row {r}");
                let target = cluster.unwrap_or(assigned);
                net.contrast(target).activations_into(row, &mut exact);
                assert_eq!(got, (assigned, target, pool::min(&exact)), "row {r}");
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&scratch.h), bits(&exact), "row {r}");
                for (k, &m) in scratch.magnitude.iter().enumerate() {
                    let (w, mid) = (
                        net.contrast(target).linear().weights(),
                        net.contrast(target).midpoints(),
                    );
                    let plain: f64 = (0..2)
                        .map(|i| ((row[i] - mid[[k, i]]) * w[[k, i]]).abs())
                        .sum();
                    assert_eq!(m.to_bits(), plain.to_bits(), "row {r} unit {k}");
                }
            }
        }
        // The tie at (1, 0) between clusters 0 and 1 goes to 0.
        let tie = net.logit_of_row(&[1.0, 0.0], 1, None, &mut scratch, false);
        assert_eq!(tie.0, 0);
    }
}
