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

use crate::error::Result;
use crate::explainer::{Forward, Prediction};
use crate::network::linear::LinearLayer;
use crate::network::{par_row_chunks, pool};
use ndarray::{s, Array1, Array2, ArrayView2};
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

    /// `h_k = sum_i (z_i - m_ik) w_ik` for one standardized row.
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
    centroids: Array2<f64>,
    contrasts: Vec<ClusterContrast>,
}

impl ClusterNetwork {
    pub(crate) fn new(centroids: Array2<f64>) -> Self {
        let contrasts = (0..centroids.nrows())
            .map(|c| ClusterContrast::new(centroids.view(), c))
            .collect();
        ClusterNetwork {
            centroids,
            contrasts,
        }
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
    /// `scratch` holds `n_clusters - 1` values.
    pub(crate) fn assign(&self, z: &[f64], scratch: &mut [f64]) -> usize {
        let mut best = (0, f64::NEG_INFINITY);
        for (c, contrast) in self.contrasts.iter().enumerate() {
            contrast.activations_into(z, scratch);
            let logit = pool::min(scratch);
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

    /// One standardized row: its assigned cluster, the explained cluster (`cluster`, else
    /// the assigned one) and that cluster's logit; `h` is left holding the explained
    /// cluster's contrasts (`n_clusters - 1` values).
    pub(crate) fn logit_of_row(
        &self,
        z: &[f64],
        cluster: Option<usize>,
        h: &mut [f64],
    ) -> (usize, usize, f64) {
        let assigned = self.assign(z, h);
        let target = cluster.unwrap_or(assigned);
        self.contrasts[target].activations_into(z, h);
        (assigned, target, pool::min(h))
    }

    /// Assigned cluster (ties to the lowest index) and the logit of the explained cluster:
    /// the assigned one, or `cluster` when given.
    pub(crate) fn logits(&self, z: ArrayView2<f64>, cluster: Option<usize>) -> Result<Forward> {
        let n = z.nrows();
        let mut assigned = vec![0usize; n];
        let mut output = Array1::zeros(n);
        let logits = output.as_slice_mut().expect("owned");
        par_row_chunks(&mut assigned, logits).for_each(|(start, (assigned, logits))| {
            let z = z.slice(s![start..start + assigned.len(), ..]);
            let mut h = vec![0.0; self.n_clusters() - 1];
            for (r, row) in z.outer_iter().enumerate() {
                let row = row.to_slice().expect("owned rows");
                (assigned[r], _, logits[r]) = self.logit_of_row(row, cluster, &mut h);
            }
        });
        Ok(Forward {
            prediction: Prediction::Labels(assigned),
            output,
        })
    }
}
