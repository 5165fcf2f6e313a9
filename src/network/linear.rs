//! Linear units `z_k = w_k . a + b_k`.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

/// Linear units; `weights` is units x inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearLayer {
    weights: Array2<f64>,
    bias: Array1<f64>,
}

impl LinearLayer {
    pub fn new(weights: Array2<f64>, bias: Array1<f64>) -> Self {
        assert_eq!(weights.nrows(), bias.len(), "one bias per unit");
        LinearLayer { weights, bias }
    }

    pub fn weights(&self) -> ArrayView2<'_, f64> {
        self.weights.view()
    }

    pub fn bias(&self) -> ArrayView1<'_, f64> {
        self.bias.view()
    }

    pub fn n_units(&self) -> usize {
        self.weights.nrows()
    }
}
