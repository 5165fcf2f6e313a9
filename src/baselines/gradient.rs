//! Gradient explainers with the analytic gradient of [`Target`]:
//! - gradient x input: `R_i = df/dx_i(x) (x_i - x̃_i)`;
//! - sensitivity: `R_i = (df/dx_i(x))^2`;
//! - integrated gradients (midpoint rule, N steps):
//!   `R_i = (x_i - x̃_i) (1/N) sum_{k<N} df/dx_i(x̃ + (k + 1/2)/N (x - x̃))`; the sum of the
//!   relevances approximates `f(x) - f(x̃)` with an O(1/N^2) error where f is smooth along
//!   the path.

use super::target::row;
use super::Target;
use crate::error::Result;
use ndarray::Array2;

/// Gradient x (input - reference) of one row.
pub(crate) fn gradient_x_input(
    target: &Target<'_>,
    x: &[f64],
    reference: &[f64],
    out: &mut [f64],
) -> Result<()> {
    let g = target.gradients(row(x))?;
    for (i, o) in out.iter_mut().enumerate() {
        *o = g[[0, i]] * (x[i] - reference[i]);
    }
    Ok(())
}

/// Squared gradient of one row.
pub(crate) fn sensitivity(target: &Target<'_>, x: &[f64], out: &mut [f64]) -> Result<()> {
    let g = target.gradients(row(x))?;
    for (o, g) in out.iter_mut().zip(g.row(0)) {
        *o = g * g;
    }
    Ok(())
}

/// Integrated gradients of one row along the straight path from `reference`.
pub(crate) fn integrated_gradients(
    target: &Target<'_>,
    x: &[f64],
    reference: &[f64],
    steps: usize,
    out: &mut [f64],
) -> Result<()> {
    let d = x.len();
    let path = Array2::from_shape_fn((steps, d), |(k, i)| {
        let t = (k as f64 + 0.5) / steps as f64;
        reference[i] + t * (x[i] - reference[i])
    });
    let g = target.gradients(path.view())?;
    for (i, o) in out.iter_mut().enumerate() {
        *o = (x[i] - reference[i]) * g.column(i).sum() / steps as f64;
    }
    Ok(())
}
