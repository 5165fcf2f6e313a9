//! A fitted one-class SVM (libsvm / scikit-learn semantics).

use crate::error::{Error, Result};
use crate::families::Kernel;
use crate::model::validate;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

/// `f(x) = sum_j alpha_j K(x, u_j) - rho`; inlier iff `f(x) > 0`.
#[derive(Debug, Clone, PartialEq)]
pub struct OneClassSvm {
    kernel: Kernel,
    support_vectors: Array2<f64>,
    dual_coef: Array1<f64>,
    rho: f64,
}

impl OneClassSvm {
    /// Build and validate: gamma > 0, every `dual_coef` > 0, `rho` > 0, one coefficient per
    /// support vector, all finite.
    pub fn new(
        kernel: Kernel,
        support_vectors: Array2<f64>,
        dual_coef: Array1<f64>,
        rho: f64,
    ) -> Result<Self> {
        validate::positive("kernel.gamma", kernel.gamma())?;
        validate::finite_matrix("support_vectors", support_vectors.view())?;
        if support_vectors.nrows() == 0 || support_vectors.ncols() == 0 {
            return Err(Error::model(
                "support_vectors",
                "must hold at least one non-empty row",
            ));
        }
        validate::length("dual_coef", dual_coef.view(), support_vectors.nrows())?;
        for (j, &a) in dual_coef.iter().enumerate() {
            validate::positive(&format!("dual_coef[{j}]"), a)?;
        }
        validate::positive("rho", rho)?;
        Ok(OneClassSvm {
            kernel,
            support_vectors,
            dual_coef,
            rho,
        })
    }

    /// The kernel.
    pub fn kernel(&self) -> Kernel {
        self.kernel
    }

    /// The support vectors, one per row.
    pub fn support_vectors(&self) -> ArrayView2<'_, f64> {
        self.support_vectors.view()
    }

    /// The dual coefficients alpha_j > 0.
    pub fn dual_coef(&self) -> ArrayView1<'_, f64> {
        self.dual_coef.view()
    }

    /// The offset rho > 0.
    pub fn rho(&self) -> f64 {
        self.rho
    }

    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.support_vectors.ncols()
    }

    /// scikit-learn's `decision_function`, summed the plain way (the ground truth).
    pub fn decision_function(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        validate::input_width(x, self.n_features())?;
        Ok(x.outer_iter()
            .map(|row| {
                let row = row.to_vec();
                let sum: f64 = self
                    .support_vectors
                    .outer_iter()
                    .zip(&self.dual_coef)
                    .map(|(u, &a)| a * self.kernel.eval(&row, u.as_slice().expect("owned")))
                    .sum();
                sum - self.rho
            })
            .collect())
    }
}
