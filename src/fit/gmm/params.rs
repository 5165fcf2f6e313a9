//! Hyper-parameters of [`fit_gaussian_mixture`](super::fit_gaussian_mixture), with
//! scikit-learn's `GaussianMixture` defaults.

use crate::error::{Error, Result};
use crate::fit::training::at_least_one;
use crate::CovarianceType;

/// Hyper-parameters of the EM trainer.
#[derive(Debug, Clone, PartialEq)]
pub struct GmmParams {
    /// Number of components K >= 1 (at most the number of distinct training rows).
    pub components: usize,
    /// How the covariances are shaped and shared.
    pub covariance: CovarianceType,
    /// Added to the diagonal of every covariance (scikit-learn's `reg_covar`, default 1e-6);
    /// keeps a component from collapsing onto a single row. Must be > 0.
    pub reg_covar: f64,
    /// EM runs from different k-means++ seeds; the one with the highest final lower bound is
    /// kept. Run r uses seed `seed + r` (wrapping).
    pub n_init: usize,
    /// EM iterations per run at most (default 100).
    pub max_iter: usize,
    /// A run stops when the mean log-likelihood changes by less than `tol` (default 1e-3).
    pub tol: f64,
    /// Seed of the first run.
    pub seed: u64,
    /// Standardize the rows first (the scaler is stored in the model).
    pub standardize: bool,
}

impl GmmParams {
    /// K components, `full` covariances, scikit-learn's defaults otherwise (`reg_covar`
    /// 1e-6, one run, 100 iterations, `tol` 1e-3), seed 0, no standardizing.
    pub fn new(components: usize) -> Self {
        GmmParams {
            components,
            covariance: CovarianceType::Full,
            reg_covar: 1e-6,
            n_init: 1,
            max_iter: 100,
            tol: 1e-3,
            seed: 0,
            standardize: false,
        }
    }

    /// Check the ranges.
    pub fn check(&self) -> Result<()> {
        at_least_one("components", self.components)?;
        if !(self.reg_covar.is_finite() && self.reg_covar > 0.0) {
            return Err(Error::parameter(
                "reg_covar",
                format!(
                    "reg_covar must be a finite number > 0 (it keeps a component from collapsing onto one row), got {}",
                    self.reg_covar
                ),
            ));
        }
        at_least_one("n_init", self.n_init)?;
        at_least_one("max_iter", self.max_iter)?;
        if !(self.tol.is_finite() && self.tol >= 0.0) {
            return Err(Error::parameter(
                "tol",
                format!("tol must be a finite number >= 0, got {}", self.tol),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_checked() {
        assert!(GmmParams::new(2).check().is_ok());
        let bad = |p: GmmParams| p.check().unwrap_err().to_string();
        assert!(bad(GmmParams::new(0)).contains("components must be at least 1"));
        for reg in [0.0, -1e-6, f64::NAN, f64::INFINITY] {
            let e = bad(GmmParams {
                reg_covar: reg,
                ..GmmParams::new(2)
            });
            assert!(e.contains("reg_covar must be a finite number > 0"), "{e}");
        }
        let e = bad(GmmParams {
            n_init: 0,
            ..GmmParams::new(2)
        });
        assert!(e.contains("n_init must be at least 1"), "{e}");
        let e = bad(GmmParams {
            max_iter: 0,
            ..GmmParams::new(2)
        });
        assert!(e.contains("max_iter must be at least 1"), "{e}");
        let e = bad(GmmParams {
            tol: -1.0,
            ..GmmParams::new(2)
        });
        assert!(e.contains("tol must be a finite number >= 0"), "{e}");
    }
}
