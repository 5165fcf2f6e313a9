//! The kernels of the kernel models: `K(x, u) = exp(-gamma * ||x - u||_q^q)`.

use serde::{Deserialize, Serialize};

/// A translation-invariant exponential kernel.
///
/// Serialized as `{"rbf": {"gamma": g}}` or `{"laplacian": {"gamma": g}}`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kernel {
    /// Gaussian kernel `exp(-gamma * ||x - u||_2^2)` (q = 2).
    Rbf {
        /// gamma > 0.
        gamma: f64,
    },
    /// Laplacian kernel `exp(-gamma * ||x - u||_1)` (q = 1).
    Laplacian {
        /// gamma > 0.
        gamma: f64,
    },
}

impl Kernel {
    /// The kernel parameter gamma.
    pub fn gamma(&self) -> f64 {
        match *self {
            Kernel::Rbf { gamma } | Kernel::Laplacian { gamma } => gamma,
        }
    }

    /// The power q of the distance: 2 for rbf, 1 for laplacian.
    pub(crate) fn power(&self) -> crate::network::power::Power {
        match self {
            Kernel::Rbf { .. } => crate::network::power::Power::Two,
            Kernel::Laplacian { .. } => crate::network::power::Power::One,
        }
    }

    /// The name used in model files.
    pub fn name(&self) -> &'static str {
        match self {
            Kernel::Rbf { .. } => "rbf",
            Kernel::Laplacian { .. } => "laplacian",
        }
    }

    /// `K(x, u)`, computed the plain way (exact differences).
    pub fn eval(&self, x: &[f64], u: &[f64]) -> f64 {
        (-self.gamma() * self.power().distance(x, u)).exp()
    }
}
