//! A k-nearest-neighbour outlier detector (PyOD's `KNN`, scikit-learn's `NearestNeighbors`):
//! the score of a row is the distance to its k-th nearest stored row (`largest`) or the mean
//! distance to its k nearest (`mean`).

use crate::error::{Error, Result};
use crate::model::validate;
use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

/// The distance between a row and a stored row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KnnMetric {
    /// `‖z - u‖_2`.
    Euclidean,
    /// `‖z - u‖_1`.
    Manhattan,
}

/// How the k nearest distances make the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KnnScore {
    /// The distance to the k-th nearest stored row.
    Largest,
    /// The mean distance to the k nearest stored rows.
    Mean,
}

impl KnnMetric {
    /// The name used in model files.
    pub fn name(self) -> &'static str {
        match self {
            KnnMetric::Euclidean => "euclidean",
            KnnMetric::Manhattan => "manhattan",
        }
    }

    /// The distance from exact differences; Euclidean distances whose squares overflow are
    /// computed on the differences scaled by their largest magnitude.
    pub fn distance(self, z: &[f64], u: &[f64]) -> f64 {
        match self {
            KnnMetric::Manhattan => z.iter().zip(u).map(|(a, b)| (a - b).abs()).sum(),
            KnnMetric::Euclidean => {
                let squared: f64 = z.iter().zip(u).map(|(a, b)| (a - b) * (a - b)).sum();
                if squared.is_finite() {
                    return squared.sqrt();
                }
                let m = z
                    .iter()
                    .zip(u)
                    .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
                let scaled: f64 = z
                    .iter()
                    .zip(u)
                    .map(|(a, b)| ((a - b) / m) * ((a - b) / m))
                    .sum();
                m * scaled.sqrt()
            }
        }
    }
}

impl KnnScore {
    /// The name used in model files.
    pub fn name(self) -> &'static str {
        match self {
            KnnScore::Largest => "largest",
            KnnScore::Mean => "mean",
        }
    }
}

/// A fitted k-nearest-neighbour detector: the stored (training) rows, `k`, the score and
/// the metric.
#[derive(Debug, Clone, PartialEq)]
pub struct KnnDetector {
    points: Array2<f64>,
    k: usize,
    score: KnnScore,
    metric: KnnMetric,
}

impl KnnDetector {
    /// Build and validate: at least one stored row, all finite, `1 <= k <= rows`.
    pub fn new(points: Array2<f64>, k: usize, score: KnnScore, metric: KnnMetric) -> Result<Self> {
        if points.nrows() == 0 || points.ncols() == 0 {
            return Err(Error::model(
                "points",
                "must hold at least one non-empty row",
            ));
        }
        validate::finite_matrix("points", points.view())?;
        if k == 0 || k > points.nrows() {
            return Err(Error::model(
                "k",
                format!(
                    "must be between 1 and the number of stored points ({}), got {k}",
                    points.nrows()
                ),
            ));
        }
        Ok(KnnDetector {
            points,
            k,
            score,
            metric,
        })
    }

    /// The stored rows.
    pub fn points(&self) -> ArrayView2<'_, f64> {
        self.points.view()
    }

    /// The number of neighbours.
    pub fn k(&self) -> usize {
        self.k
    }

    /// The score.
    pub fn score(&self) -> KnnScore {
        self.score
    }

    /// The metric.
    pub fn metric(&self) -> KnnMetric {
        self.metric
    }

    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.points.ncols()
    }

    /// The score of every row, computed the plain way: every distance, a full sort (the
    /// ground truth, PyOD's `decision_function`).
    pub fn decision_function(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        validate::input_width(x, self.n_features())?;
        Ok(x.outer_iter()
            .map(|row| {
                let row = row.to_vec();
                let mut d: Vec<f64> = self
                    .points
                    .outer_iter()
                    .map(|u| self.metric.distance(&row, &u.to_vec()))
                    .collect();
                d.sort_by(f64::total_cmp);
                match self.score {
                    KnnScore::Largest => d[self.k - 1],
                    KnnScore::Mean => d[..self.k].iter().sum::<f64>() / self.k as f64,
                }
            })
            .collect())
    }
}
