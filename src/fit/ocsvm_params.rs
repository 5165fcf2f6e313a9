//! Validated hyper-parameters of the one-class SVM trainer.

use crate::error::{Error, Result};
use std::str::FromStr;

/// The kernel parameter gamma, as scikit-learn spells it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Gamma {
    /// A fixed value > 0.
    Value(f64),
    /// `1 / (d * var(Z))`, var over every entry of the rows the SVM sees (1 if var = 0).
    Scale,
    /// `1 / d`.
    Auto,
}

impl Gamma {
    /// The value of gamma for training rows `z` (n x d).
    pub fn resolve(self, z: ndarray::ArrayView2<f64>) -> f64 {
        let d = z.ncols() as f64;
        match self {
            Gamma::Value(g) => g,
            Gamma::Auto => 1.0 / d,
            Gamma::Scale => {
                let n = z.len() as f64;
                let mean = z.sum() / n;
                let var = z.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
                if var > 0.0 {
                    1.0 / (d * var)
                } else {
                    1.0
                }
            }
        }
    }

    /// The spelling used on the command line and in provenance.
    pub fn label(self) -> String {
        match self {
            Gamma::Value(g) => g.to_string(),
            Gamma::Scale => "scale".to_string(),
            Gamma::Auto => "auto".to_string(),
        }
    }
}

impl FromStr for Gamma {
    type Err = Error;
    /// `scale`, `auto` or a number.
    fn from_str(text: &str) -> Result<Self> {
        match text.trim() {
            "scale" => Ok(Gamma::Scale),
            "auto" => Ok(Gamma::Auto),
            other => other.parse().map(Gamma::Value).map_err(|_| {
                Error::parameter(
                    "gamma",
                    format!("expected a number, 'scale' or 'auto', got {text:?}"),
                )
            }),
        }
    }
}

/// Which kernel `K(x, u) = exp(-gamma ||x - u||_q^q)` to fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KernelKind {
    /// q = 2.
    Rbf,
    /// q = 1.
    Laplacian,
}

impl KernelKind {
    /// The kernel of this kind with parameter `gamma`.
    pub fn with_gamma(self, gamma: f64) -> crate::Kernel {
        match self {
            KernelKind::Rbf => crate::Kernel::Rbf { gamma },
            KernelKind::Laplacian => crate::Kernel::Laplacian { gamma },
        }
    }
}

impl FromStr for KernelKind {
    type Err = Error;
    fn from_str(text: &str) -> Result<Self> {
        match text.trim() {
            "rbf" => Ok(KernelKind::Rbf),
            "laplacian" => Ok(KernelKind::Laplacian),
            _ => Err(Error::parameter(
                "kernel",
                format!("expected 'rbf' or 'laplacian', got {text:?}"),
            )),
        }
    }
}

/// Hyper-parameters of [`fit_one_class_svm`](super::fit_one_class_svm); defaults are
/// scikit-learn's (`nu = 0.5`, `gamma = 'scale'`, rbf, `tol = 1e-3`, 200 MB cache, shrinking).
#[derive(Debug, Clone, PartialEq)]
pub struct OcSvmParams {
    /// Upper bound on the fraction of training outliers, lower bound on the fraction of
    /// support vectors; in (0, 1].
    pub nu: f64,
    /// The kernel parameter, a number or a rule.
    pub gamma: Gamma,
    /// rbf or laplacian.
    pub kernel: KernelKind,
    /// Stopping tolerance on the maximal violation gap; > 0.
    pub tol: f64,
    /// Kernel cache budget in MB (libsvm's `cache_size`); > 0.
    pub cache_mb: f64,
    /// libsvm's shrinking heuristic (same solution, usually faster).
    pub shrinking: bool,
    /// Fit on standardized rows and store the scaler.
    pub standardize: bool,
    /// Round kernel values to f32 as libsvm stores them (`Qfloat = float`): the solver then
    /// retraces scikit-learn's iterations and returns its duals bit for bit. Off by default:
    /// f64 kernel values solve the stated problem more accurately, which matters when the
    /// kernel matrix is ill-conditioned (duals then differ from scikit-learn's by more than
    /// the f32 rounding, while decision values still agree).
    pub kernel_f32: bool,
}

impl Default for OcSvmParams {
    fn default() -> Self {
        OcSvmParams {
            nu: 0.5,
            gamma: Gamma::Scale,
            kernel: KernelKind::Rbf,
            tol: 1e-3,
            cache_mb: 200.0,
            shrinking: true,
            standardize: false,
            kernel_f32: false,
        }
    }
}

impl OcSvmParams {
    /// Check every parameter; the error names it and shows the value.
    pub fn check(&self) -> Result<()> {
        if !(self.nu > 0.0 && self.nu <= 1.0) {
            return Err(Error::parameter(
                "nu",
                format!("nu must be in (0, 1], got {}", self.nu),
            ));
        }
        if let Gamma::Value(g) = self.gamma {
            if !(g.is_finite() && g > 0.0) {
                return Err(Error::parameter(
                    "gamma",
                    format!("gamma must be a finite number > 0, got {g}"),
                ));
            }
        }
        if !(self.tol.is_finite() && self.tol > 0.0) {
            return Err(Error::parameter(
                "tol",
                format!("tolerance must be a finite number > 0, got {}", self.tol),
            ));
        }
        if !(self.cache_mb.is_finite() && self.cache_mb > 0.0) {
            return Err(Error::parameter(
                "cache_mb",
                format!(
                    "cache size must be a finite number of MB > 0, got {}",
                    self.cache_mb
                ),
            ));
        }
        Ok(())
    }

    /// Every parameter as JSON (for provenance).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "nu": self.nu,
            "gamma": self.gamma.label(),
            "kernel": match self.kernel { KernelKind::Rbf => "rbf", KernelKind::Laplacian => "laplacian" },
            "tol": self.tol,
            "cache_mb": self.cache_mb,
            "shrinking": self.shrinking,
            "standardize": self.standardize,
            "kernel_f32": self.kernel_f32,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn messages_name_the_parameter_and_value() {
        let bad = |p: OcSvmParams| p.check().unwrap_err().to_string();
        let base = OcSvmParams::default();
        assert!(bad(OcSvmParams {
            nu: 1.5,
            ..base.clone()
        })
        .contains("nu must be in (0, 1], got 1.5"));
        assert!(bad(OcSvmParams {
            nu: 0.0,
            ..base.clone()
        })
        .contains("got 0"));
        assert!(bad(OcSvmParams {
            gamma: Gamma::Value(-1.0),
            ..base.clone()
        })
        .contains("gamma"));
        assert!(bad(OcSvmParams {
            tol: 0.0,
            ..base.clone()
        })
        .contains("tolerance"));
        assert!(bad(OcSvmParams {
            cache_mb: f64::NAN,
            ..base.clone()
        })
        .contains("cache"));
        assert!(OcSvmParams { nu: 1.0, ..base }.check().is_ok());
    }

    #[test]
    fn parses_gamma_and_kernel() {
        assert_eq!("scale".parse::<Gamma>().unwrap(), Gamma::Scale);
        assert_eq!("auto".parse::<Gamma>().unwrap(), Gamma::Auto);
        assert_eq!("0.25".parse::<Gamma>().unwrap(), Gamma::Value(0.25));
        assert!("wide".parse::<Gamma>().is_err());
        assert_eq!(
            "laplacian".parse::<KernelKind>().unwrap(),
            KernelKind::Laplacian
        );
        assert!("poly".parse::<KernelKind>().is_err());
    }

    #[test]
    fn gamma_scale_uses_the_variance_of_all_entries() {
        let z = array![[0.0, 2.0], [4.0, 6.0]];
        // entries 0, 2, 4, 6: mean 3, population variance 5
        assert!((Gamma::Scale.resolve(z.view()) - 1.0 / 10.0).abs() < 1e-15);
        assert_eq!(Gamma::Auto.resolve(z.view()), 0.5);
        assert_eq!(Gamma::Scale.resolve(array![[1.0], [1.0]].view()), 1.0);
    }
}
