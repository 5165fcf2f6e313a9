//! Fit a Gaussian kernel density estimate: the points are the training rows (model space).
//!
//! scikit-learn's bandwidth rules (`KernelDensity`, 1.9.1), with n rows and d features:
//! - `scott`: `b = n^(-1/(d+4))`,
//! - `silverman`: `b = (n (d+2) / 4)^(-1/(d+4))`;
//!
//! then `gamma = 1 / (2 b^2)`. Neither rule looks at the spread of the data, so they suit
//! standardized rows.

use super::training::prepare;
use crate::error::{Error, Result};
use crate::{KernelDensity, Model};
use ndarray::ArrayView2;
use std::str::FromStr;

/// The bandwidth `b` of the Gaussian kernel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bandwidth {
    /// A given bandwidth > 0.
    Value(f64),
    /// Scott's rule `n^(-1/(d+4))` (on standardized data).
    Scott,
    /// Silverman's rule `(n (d+2) / 4)^(-1/(d+4))`.
    Silverman,
}

impl Bandwidth {
    /// The bandwidth for n rows of d features.
    pub fn resolve(self, n: usize, d: usize) -> f64 {
        let exponent = -1.0 / (d as f64 + 4.0);
        match self {
            Bandwidth::Value(b) => b,
            Bandwidth::Scott => (n as f64).powf(exponent),
            Bandwidth::Silverman => (n as f64 * (d as f64 + 2.0) / 4.0).powf(exponent),
        }
    }

    /// The bandwidth as written on the command line.
    pub fn label(self) -> String {
        match self {
            Bandwidth::Value(b) => b.to_string(),
            Bandwidth::Scott => "scott".to_string(),
            Bandwidth::Silverman => "silverman".to_string(),
        }
    }
}

impl FromStr for Bandwidth {
    type Err = Error;
    /// `scott`, `silverman` or a number.
    fn from_str(text: &str) -> Result<Self> {
        match text.trim() {
            "scott" => Ok(Bandwidth::Scott),
            "silverman" => Ok(Bandwidth::Silverman),
            other => other.parse().map(Bandwidth::Value).map_err(|_| {
                Error::parameter(
                    "bandwidth",
                    format!("expected a number, 'scott' or 'silverman', got {text:?}"),
                )
            }),
        }
    }
}

/// Hyper-parameters of [`fit_kernel_density`].
#[derive(Debug, Clone, PartialEq)]
pub struct KdeParams {
    /// The kernel bandwidth.
    pub bandwidth: Bandwidth,
    /// Standardize the rows first (the scaler is stored in the model).
    pub standardize: bool,
}

impl KdeParams {
    /// Check the ranges.
    pub fn check(&self) -> Result<()> {
        match self.bandwidth {
            Bandwidth::Value(b) if !(b.is_finite() && b > 0.0) => Err(Error::parameter(
                "bandwidth",
                format!("bandwidth must be a finite number > 0, got {b}"),
            )),
            _ => Ok(()),
        }
    }
}

/// Fit on training rows `x` (input space; at least 2 rows).
pub fn fit_kernel_density(
    x: ArrayView2<f64>,
    feature_names: Option<&[String]>,
    params: &KdeParams,
) -> Result<Model> {
    params.check()?;
    let mut training = prepare(x, feature_names, params.standardize, 2)?;
    let (n, d) = training.z.dim();
    let bandwidth = params.bandwidth.resolve(n, d);
    let kde = KernelDensity::from_bandwidth(bandwidth, std::mem::take(&mut training.z))?;
    let provenance = serde_json::json!({
        "estimator": "kernel_density",
        "bandwidth": params.bandwidth.label(),
        "bandwidth_value": bandwidth,
        "standardize": params.standardize,
        "n_samples": n,
    });
    training.describe(Model::from(kde), provenance)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bandwidth_rules() {
        assert_eq!(Bandwidth::Scott.resolve(16, 0), 0.5);
        // n (d+2)/4 = 100 * 4 / 4 = 100, exponent -1/6
        assert!((Bandwidth::Silverman.resolve(100, 2) - 100f64.powf(-1.0 / 6.0)).abs() < 1e-15);
        assert_eq!("scott".parse::<Bandwidth>().unwrap(), Bandwidth::Scott);
        assert_eq!("0.3".parse::<Bandwidth>().unwrap(), Bandwidth::Value(0.3));
        assert!("wide".parse::<Bandwidth>().is_err());
        let bad = KdeParams {
            bandwidth: Bandwidth::Value(0.0),
            standardize: false,
        };
        assert!(bad
            .check()
            .unwrap_err()
            .to_string()
            .contains("bandwidth must be"));
    }
}
