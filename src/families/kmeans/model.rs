//! Fitted k-means centroids.

use crate::error::{Error, Result};
use crate::model::validate;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

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

    /// The centroids, clusters x features.
    pub fn centroids(&self) -> ArrayView2<'_, f64> {
        self.centroids.view()
    }

    /// Number of clusters.
    pub fn n_clusters(&self) -> usize {
        self.centroids.nrows()
    }

    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.centroids.ncols()
    }

    /// The nearest centroid of each row (the ground truth), in the centroids' space.
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Vec<usize>> {
        validate::input_width(x, self.n_features())?;
        Ok(x.outer_iter().map(|row| self.nearest(row)).collect())
    }

    /// `f_c = min_{k != c} ||x - mu_k||^2 - ||x - mu_c||^2` of each row's cluster `c`,
    /// from exact differences (the ground truth of the explained logit).
    pub fn logits(&self, x: ArrayView2<f64>, clusters: &[usize]) -> Result<Array1<f64>> {
        validate::input_width(x, self.n_features())?;
        Ok(x.outer_iter()
            .zip(clusters)
            .map(|(row, &c)| {
                let sq: Vec<f64> = self
                    .centroids
                    .outer_iter()
                    .map(|mu| row.iter().zip(mu).map(|(a, b)| (a - b) * (a - b)).sum())
                    .collect();
                let nearest_other = (0..sq.len())
                    .filter(|&k| k != c)
                    .map(|k| sq[k])
                    .fold(f64::INFINITY, f64::min);
                nearest_other - sq[c]
            })
            .collect())
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
}
