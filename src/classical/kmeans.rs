//! Fitted k-means centroids.

use super::validate;
use crate::error::{Error, Result};
use ndarray::{Array2, ArrayView1, ArrayView2};

/// Nearest-centroid assignment `argmin_k ||x - mu_k||^2` (ties to the lowest index).
#[derive(Debug, Clone, PartialEq)]
pub struct KMeans {
    centroids: Array2<f64>,
}

impl KMeans {
    /// Build and validate: at least 2 centroids, at least one feature, all finite.
    pub fn new(centroids: Array2<f64>) -> Result<Self> {
        if centroids.nrows() < 2 {
            return Err(Error::model(
                "centroids",
                format!("needs at least 2 centroids, got {}", centroids.nrows()),
            ));
        }
        if centroids.ncols() == 0 {
            return Err(Error::model("centroids", "must hold at least one feature"));
        }
        validate::finite_matrix("centroids", centroids.view())?;
        Ok(KMeans { centroids })
    }

    pub fn centroids(&self) -> ArrayView2<'_, f64> {
        self.centroids.view()
    }

    pub fn n_clusters(&self) -> usize {
        self.centroids.nrows()
    }

    pub fn n_features(&self) -> usize {
        self.centroids.ncols()
    }

    /// The nearest centroid of each row (the ground truth).
    pub fn predict(&self, x: ArrayView2<f64>) -> Vec<usize> {
        assert_eq!(x.ncols(), self.n_features(), "feature count mismatch");
        x.outer_iter().map(|row| self.nearest(row)).collect()
    }

    fn nearest(&self, x: ArrayView1<f64>) -> usize {
        let mut best = (0, f64::INFINITY);
        for (k, mu) in self.centroids.outer_iter().enumerate() {
            let d: f64 = x.iter().zip(mu).map(|(a, b)| (a - b) * (a - b)).sum();
            if d < best.1 {
                best = (k, d);
            }
        }
        best.0
    }

    /// The scale-free default stiffness `beta = 2 / mean_c min_{k != c} ||mu_c - mu_k||^2`.
    pub fn default_beta(&self) -> f64 {
        let k = self.n_clusters();
        let mean_min: f64 = (0..k)
            .map(|c| {
                (0..k)
                    .filter(|&j| j != c)
                    .map(|j| {
                        let diff = &self.centroids.row(c) - &self.centroids.row(j);
                        diff.dot(&diff)
                    })
                    .fold(f64::INFINITY, f64::min)
            })
            .sum::<f64>()
            / k as f64;
        if mean_min > 0.0 && mean_min.is_finite() {
            2.0 / mean_min
        } else {
            1.0
        }
    }
}
