//! Meaningful perturbation (Fong & Vedaldi 2017), deletion form, with the analytic gradient.
//!
//! A deletion mask `m in [0,1]^d` moves features toward the reference,
//! `x(m) = x + m * (x̃ - x)`, and minimizes
//! `J(m) = f(x(m)) / |f(x)| + LAMBDA * mean_i m_i`:
//! the smallest deletion that brings the output down, so the deleted features are those
//! that make the output high. Projected, normalized gradient descent:
//! `m <- clip(m - STEP * g / max_i |g_i|, 0, 1)`,
//! `g_i = df/dx_i(x(m)) (x̃_i - x_i) / |f(x)| + LAMBDA / d`, for `ITERATIONS` steps from
//! `m_i = 1/2 + U(-0.01, 0.01)` (seeded: the jitter breaks ties between equal features).
//! Relevance: `R_i = m_i f(x)`; 0 where `f(x) = 0`.

use super::target::row;
use super::Target;
use crate::error::Result;
use crate::rng::Rng;

/// Weight of the mask size in the objective.
const LAMBDA: f64 = 1.0;
/// Step of the normalized gradient descent.
const STEP: f64 = 0.05;
/// Descent steps.
const ITERATIONS: usize = 100;

/// Meaningful-perturbation relevances of one row `x` (output `fx`).
pub(crate) fn meaningful_perturbation(
    target: &Target<'_>,
    x: &[f64],
    fx: f64,
    reference: &[f64],
    rng: &mut Rng,
    out: &mut [f64],
) -> Result<()> {
    let d = x.len();
    if fx == 0.0 {
        out.fill(0.0);
        return Ok(());
    }
    let mut mask: Vec<f64> = (0..d).map(|_| 0.5 + 0.02 * (rng.uniform() - 0.5)).collect();
    let mut point = vec![0.0; d];
    let mut g = vec![0.0; d];
    for _ in 0..ITERATIONS {
        for i in 0..d {
            point[i] = x[i] + mask[i] * (reference[i] - x[i]);
        }
        let grad = target.gradients(row(&point))?;
        for i in 0..d {
            g[i] = grad[[0, i]] * (reference[i] - x[i]) / fx.abs() + LAMBDA / d as f64;
        }
        let largest = g.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        if largest == 0.0 {
            break;
        }
        for (m, gi) in mask.iter_mut().zip(&g) {
            *m = (*m - STEP * gi / largest).clamp(0.0, 1.0);
        }
    }
    for (o, m) in out.iter_mut().zip(&mask) {
        *o = m * fx;
    }
    Ok(())
}
