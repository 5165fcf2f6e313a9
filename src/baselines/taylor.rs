//! First-order Taylor expansion at a root point: `R_i = df/dx_i(x0) (x_i - x0_i)`.
//!
//! The root x0 is searched on the segment `x + t (x̃ - x)`, t in [0, 1]: if `f(x̃)` has the
//! other sign than `f(x)` (or is 0), x0 is where f crosses 0, found by bisection to
//! `|t_hi - t_lo| <= 2^-40` and taken on the crossed side; otherwise (kernel density,
//! whose outlierness is never negative, or no crossing) x0 = x̃. If `f(x) = 0`, x0 = x.

use super::target::row;
use super::Target;
use crate::error::Result;

const BISECTIONS: usize = 40;

/// Taylor relevances of one row `x` (output `fx`).
pub(crate) fn taylor(
    target: &Target<'_>,
    x: &[f64],
    fx: f64,
    reference: &[f64],
    out: &mut [f64],
) -> Result<()> {
    let root = root_point(target, x, fx, reference)?;
    let g = target.gradients(row(&root))?;
    for (i, o) in out.iter_mut().enumerate() {
        *o = g[[0, i]] * (x[i] - root[i]);
    }
    Ok(())
}

/// The root point on the segment from `x` to `reference` (see the module docs).
pub(crate) fn root_point(
    target: &Target<'_>,
    x: &[f64],
    fx: f64,
    reference: &[f64],
) -> Result<Vec<f64>> {
    let at = |t: f64| -> Vec<f64> {
        x.iter()
            .zip(reference)
            .map(|(&a, &b)| a + t * (b - a))
            .collect()
    };
    let crossed = |f: f64| if fx > 0.0 { f <= 0.0 } else { f >= 0.0 };
    if fx == 0.0 || !crossed(target.output(reference)?) {
        return Ok(if fx == 0.0 {
            x.to_vec()
        } else {
            reference.to_vec()
        });
    }
    let (mut lo, mut hi) = (0.0, 1.0);
    for _ in 0..BISECTIONS {
        let mid = 0.5 * (lo + hi);
        if crossed(target.output(&at(mid))?) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Ok(at(hi))
}
