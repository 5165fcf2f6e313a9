//! The explained function of one row, `f(x) = Explainer::forward(x, cluster).output`, and its
//! analytic gradient with respect to the input x: the network's gradient in its
//! standardized space, divided by the scale, `df/dx_i = df/dz_i / scale_i`.

use crate::error::Result;
use crate::Explainer;
use ndarray::{Array1, Array2, ArrayView2};

/// The function a baseline explains for one row: the network's output, with the k-means
/// cluster fixed to the one explained at that row.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target<'a> {
    explainer: &'a Explainer,
    cluster: Option<usize>,
}

impl<'a> Target<'a> {
    /// `cluster`: the explained cluster (k-means), else `None`.
    pub(crate) fn new(explainer: &'a Explainer, cluster: Option<usize>) -> Self {
        Target { explainer, cluster }
    }

    /// `f` on every row of `x`.
    pub(crate) fn outputs(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        Ok(self.explainer.forward(x, self.cluster)?.output)
    }

    /// `f` at one point.
    pub(crate) fn output(&self, x: &[f64]) -> Result<f64> {
        Ok(self.outputs(row(x))?[0])
    }

    /// `df/dx` on every row of `x` (rows x features, input space).
    pub(crate) fn gradients(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        let x = self.explainer.checked_rows(x)?;
        let z = self.explainer.standardized(x);
        let mut grad = self.explainer.network().gradients(z.view(), self.cluster);
        if let Some(s) = self.explainer.scaler() {
            grad /= &s.scale();
        }
        Ok(grad)
    }
}

/// One row as a 1 x d view.
pub(crate) fn row(x: &[f64]) -> ArrayView2<'_, f64> {
    ArrayView2::from_shape((1, x.len()), x).expect("a slice is one row")
}
