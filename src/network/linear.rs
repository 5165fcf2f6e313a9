//! Linear units `z_k = w_k . a + b_k`.

use ndarray::{Array1, Array2, ArrayView2};

/// Linear units; `weights` is units x inputs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LinearLayer {
    weights: Array2<f64>,
}

impl LinearLayer {
    pub fn new(weights: Array2<f64>, bias: Array1<f64>) -> Self {
        debug_assert_eq!(weights.nrows(), bias.len(), "one bias per unit");
        LinearLayer { weights }
    }

    pub fn weights(&self) -> ArrayView2<'_, f64> {
        self.weights.view()
    }
}
