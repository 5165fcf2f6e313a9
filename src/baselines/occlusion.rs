//! Occlusion: `R_i = f(x) - f(x with x_i replaced by x̃_i)`.

use super::Target;
use crate::error::Result;
use ndarray::Array2;

/// Occlusion relevances of one row `x` (output `fx`) against `reference`, written to `out`.
pub(crate) fn occlusion(
    target: &Target<'_>,
    x: &[f64],
    fx: f64,
    reference: &[f64],
    out: &mut [f64],
) -> Result<()> {
    let d = x.len();
    let mut occluded = Array2::from_shape_fn((d, d), |(_, i)| x[i]);
    for i in 0..d {
        occluded[[i, i]] = reference[i];
    }
    let outputs = target.outputs(occluded.view())?;
    for (o, f) in out.iter_mut().zip(&outputs) {
        *o = fx - f;
    }
    Ok(())
}
