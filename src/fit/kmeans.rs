//! Fit k-means with smartcore (k-means++ seeding, Lloyd iterations on a BBD tree), keeping
//! the best of `n_init` seeded restarts by inertia `sum_i min_k ||z_i - mu_k||^2`.
//!
//! smartcore 0.7 keeps the fitted centroids private; they are read through its serde
//! serialization (field `centroids`). The version is pinned in Cargo.toml and a test fails
//! loudly if that field ever moves.

use super::training::{at_least_one, distinct_rows, prepare};
use crate::error::{Error, Result};
use crate::{KMeans, Model};
use ndarray::{Array2, ArrayView2};
use smartcore::cluster::kmeans::{KMeans as SmartKMeans, KMeansParameters};
use smartcore::linalg::basic::matrix::DenseMatrix;

type Fitted = SmartKMeans<f64, usize, DenseMatrix<f64>, Vec<usize>>;

/// Hyper-parameters of [`fit_kmeans`].
#[derive(Debug, Clone, PartialEq)]
pub struct KMeansParams {
    /// Number of clusters K >= 2 (at most the number of distinct training rows).
    pub k: usize,
    /// Restarts; restart r uses seed `seed + r` (wrapping).
    pub n_init: usize,
    /// Seed of the first restart.
    pub seed: u64,
    /// Lloyd iterations per restart (scikit-learn's default 300).
    pub max_iter: usize,
    /// Standardize the rows first (the scaler is stored in the model).
    pub standardize: bool,
}

impl KMeansParams {
    /// K clusters, 10 restarts from seed 0, 300 iterations, no standardizing.
    pub fn new(k: usize) -> Self {
        KMeansParams {
            k,
            n_init: 10,
            seed: 0,
            max_iter: 300,
            standardize: false,
        }
    }

    /// Check the ranges.
    pub fn check(&self) -> Result<()> {
        if self.k < 2 {
            return Err(Error::parameter(
                "k",
                format!("k must be at least 2, got {}", self.k),
            ));
        }
        at_least_one("n_init", self.n_init)?;
        at_least_one("max_iter", self.max_iter)?;
        Ok(())
    }
}

/// A fitted k-means model with what the best restart gave.
#[derive(Debug, Clone)]
pub struct KMeansFit {
    /// Centroids (model space), scaler, reference, `beta`, feature names, provenance.
    pub model: Model,
    /// `sum_i min_k ||z_i - mu_k||^2` over the training rows (model space).
    pub inertia: f64,
    /// smartcore's own `predict` of the best restart on the training rows.
    pub labels: Vec<usize>,
    /// The seed of the best restart.
    pub best_seed: u64,
}

/// Fit on training rows `x` (input space). `beta = 1 / mean_i f_c(z_i)` over the training
/// rows, `f_c = min_{k != c} ||z - mu_k||^2 - ||z - mu_c||^2` for the assigned c (omitted if
/// that mean is not > 0, e.g. every row on a boundary).
pub fn fit_kmeans(
    x: ArrayView2<f64>,
    feature_names: Option<&[String]>,
    params: &KMeansParams,
) -> Result<KMeansFit> {
    params.check()?;
    let training = prepare(x, feature_names, params.standardize, 2)?;
    let z = &training.z;
    let distinct = distinct_rows(z.view());
    if params.k > distinct {
        return Err(Error::parameter(
            "k",
            format!(
                "k = {} is greater than the number of distinct training rows ({distinct})",
                params.k
            ),
        ));
    }
    let data = DenseMatrix::new(z.nrows(), z.ncols(), z.iter().copied().collect(), false)
        .map_err(|e| Error::parameter("input", e.to_string()))?;
    let mut best: Option<(f64, u64, Fitted, Array2<f64>)> = None;
    for r in 0..params.n_init {
        let seed = params.seed.wrapping_add(r as u64);
        let mut smart_params = KMeansParameters::default()
            .with_k(params.k)
            .with_max_iter(params.max_iter);
        smart_params.seed = Some(seed);
        let fitted = Fitted::fit(&data, smart_params)
            .map_err(|e| Error::parameter("k", format!("smartcore k-means failed: {e}")))?;
        let centroids = smartcore_centroids(&fitted)?;
        let inertia = inertia(z.view(), centroids.view());
        if best.as_ref().is_none_or(|b| inertia < b.0) {
            best = Some((inertia, seed, fitted, centroids));
        }
    }
    let (inertia, best_seed, fitted, centroids) = best.expect("n_init >= 1");
    let labels = fitted
        .predict(&data)
        .map_err(|e| Error::parameter("input", format!("smartcore predict failed: {e}")))?;
    let mean_logit = assigned_logits(z.view(), centroids.view())
        .iter()
        .sum::<f64>()
        / z.nrows() as f64;
    let provenance = serde_json::json!({
        "estimator": "kmeans",
        "backend": "smartcore 0.7.0",
        "k": params.k,
        "n_init": params.n_init,
        "seed": params.seed,
        "best_seed": best_seed,
        "max_iter": params.max_iter,
        "standardize": params.standardize,
        "n_samples": x.nrows(),
        "inertia": inertia,
    });
    let mut model = training.describe(Model::from(KMeans::new(centroids)?), provenance)?;
    if mean_logit > 0.0 && (1.0 / mean_logit).is_finite() {
        model = model.with_beta(1.0 / mean_logit)?;
    }
    Ok(KMeansFit {
        model,
        inertia,
        labels,
        best_seed,
    })
}

/// The centroids of a fitted smartcore k-means, read from its serialization.
fn smartcore_centroids(fitted: &Fitted) -> Result<Array2<f64>> {
    let value = serde_json::to_value(fitted)
        .map_err(|e| Error::parameter("k", format!("cannot serialize smartcore k-means: {e}")))?;
    let rows: Vec<Vec<f64>> = value
        .get("centroids")
        .cloned()
        .and_then(|c| serde_json::from_value(c).ok())
        .ok_or_else(|| {
            Error::parameter(
                "k",
                "smartcore's serialized k-means has no `centroids` list of rows (has the pinned smartcore version changed?)",
            )
        })?;
    let d = rows.first().map_or(0, Vec::len);
    let flat: Vec<f64> = rows.iter().flatten().copied().collect();
    Array2::from_shape_vec((rows.len(), d), flat)
        .map_err(|_| Error::parameter("k", "smartcore's centroids have rows of different lengths"))
}

/// Squared distances of every row to every centroid (exact differences).
fn squared_distances(z: ArrayView2<f64>, centroids: ArrayView2<f64>) -> Array2<f64> {
    Array2::from_shape_fn((z.nrows(), centroids.nrows()), |(i, k)| {
        z.row(i)
            .iter()
            .zip(centroids.row(k))
            .map(|(a, b)| (a - b) * (a - b))
            .sum()
    })
}

/// `sum_i min_k ||z_i - mu_k||^2`.
fn inertia(z: ArrayView2<f64>, centroids: ArrayView2<f64>) -> f64 {
    squared_distances(z, centroids)
        .outer_iter()
        .map(|d| d.iter().copied().fold(f64::INFINITY, f64::min))
        .sum()
}

/// `f_c = second smallest - smallest` squared distance of each row (the assigned cluster's
/// logit; 0 on a boundary).
fn assigned_logits(z: ArrayView2<f64>, centroids: ArrayView2<f64>) -> Vec<f64> {
    squared_distances(z, centroids)
        .outer_iter()
        .map(|d| {
            let (mut first, mut second) = (f64::INFINITY, f64::INFINITY);
            for &v in d {
                if v < first {
                    (first, second) = (v, first);
                } else if v < second {
                    second = v;
                }
            }
            second - first
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn centroids_are_read_from_smartcore_serialization() {
        let z = array![[0.0, 0.0], [0.0, 1.0], [10.0, 10.0], [10.0, 11.0]];
        let data = DenseMatrix::new(4, 2, z.iter().copied().collect(), false).unwrap();
        let mut p = KMeansParameters::default().with_k(2);
        p.seed = Some(3);
        let fitted = Fitted::fit(&data, p).unwrap();
        let value = serde_json::to_value(&fitted).unwrap();
        assert!(
            value.get("centroids").is_some_and(|c| c.is_array()),
            "smartcore's serialized KMeans lost its `centroids` field: {value}"
        );
        let mut centroids = smartcore_centroids(&fitted)
            .unwrap()
            .outer_iter()
            .map(|r| r.to_vec())
            .collect::<Vec<_>>();
        centroids.sort_by(|a, b| a[0].total_cmp(&b[0]));
        assert_eq!(centroids, vec![vec![0.0, 0.5], vec![10.0, 10.5]]);
    }

    #[test]
    fn logits_and_inertia() {
        let mu = array![[0.0], [4.0]];
        let z = array![[1.0], [4.0], [2.0]];
        assert_eq!(assigned_logits(z.view(), mu.view()), vec![8.0, 16.0, 0.0]);
        assert_eq!(inertia(z.view(), mu.view()), 1.0 + 0.0 + 4.0);
    }
}
