//! A Gaussian kernel density estimate.

use crate::error::{Error, Result};
use crate::model::validate;
use ndarray::{Array1, Array2, ArrayView2};

/// `p(x) = (1/N) sum_j (gamma/pi)^(d/2) exp(-gamma ||x - u_j||^2)`, `gamma = 1/(2 b^2)`.
#[derive(Debug, Clone, PartialEq)]
pub struct KernelDensity {
    gamma: f64,
    points: Array2<f64>,
}

impl KernelDensity {
    /// Build and validate: gamma > 0, at least one point, all finite.
    pub fn new(gamma: f64, points: Array2<f64>) -> Result<Self> {
        validate::positive("kernel.gamma", gamma)?;
        validate::finite_matrix("points", points.view())?;
        if points.nrows() == 0 || points.ncols() == 0 {
            return Err(Error::model(
                "points",
                "must hold at least one non-empty row",
            ));
        }
        Ok(KernelDensity { gamma, points })
    }

    /// From scikit-learn's bandwidth `b`: `gamma = 1 / (2 b^2)`.
    pub fn from_bandwidth(bandwidth: f64, points: Array2<f64>) -> Result<Self> {
        validate::positive("bandwidth", bandwidth)?;
        Self::new(1.0 / (2.0 * bandwidth * bandwidth), points)
    }

    /// The kernel parameter gamma = 1 / (2 b^2).
    pub fn gamma(&self) -> f64 {
        self.gamma
    }

    /// The kernel centers, one per row.
    pub fn points(&self) -> ArrayView2<'_, f64> {
        self.points.view()
    }

    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.points.ncols()
    }

    /// `(d/2) log(pi / gamma)`: the log normalizer, so `log p(x) = -o(x) - log_normalizer`.
    pub fn log_normalizer(&self) -> f64 {
        0.5 * self.n_features() as f64 * (std::f64::consts::PI / self.gamma).ln()
    }

    /// Exact log density by a brute-force max-shifted log-sum-exp (the ground truth).
    pub fn log_density(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        validate::input_width(x, self.n_features())?;
        let n = self.points.nrows() as f64;
        Ok(x.outer_iter()
            .map(|row| {
                let neg_h: Vec<f64> = self
                    .points
                    .outer_iter()
                    .map(|u| {
                        -self.gamma
                            * row
                                .iter()
                                .zip(u.iter())
                                .map(|(a, b)| (a - b) * (a - b))
                                .sum::<f64>()
                    })
                    .collect();
                let max = neg_h.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let sum: f64 = neg_h.iter().map(|v| (v - max).exp()).sum();
                max + sum.ln() - n.ln() - self.log_normalizer()
            })
            .collect())
    }
}
