//! Feature-flipping curves of one row and their normalized area.
//!
//! Features are ordered by relevance, largest (signed) first (ties: lower index first), and
//! replaced one by one; the curve holds the explained output after 0, 1, ..., d
//! replacements, clipped at 0 below (d + 1 points).

use crate::baselines::Target;
use crate::error::Result;
use ndarray::{Array2, ArrayView2};

/// Feature indices by decreasing relevance (stable: ties keep the lower index first).
pub fn order_by_relevance(relevance: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..relevance.len()).collect();
    order.sort_by(|&a, &b| relevance[b].total_cmp(&relevance[a]));
    order
}

/// The mean flipping curve of row `x` over the replacement rows `replacements` (each row
/// holds one value per feature; one curve per row, averaged), clipped at 0.
pub(crate) fn flipping_curve(
    target: &Target<'_>,
    x: &[f64],
    order: &[usize],
    replacements: ArrayView2<f64>,
) -> Result<Vec<f64>> {
    let d = x.len();
    let draws = replacements.nrows();
    let mut points = Array2::zeros((draws * (d + 1), d));
    for (draw, values) in replacements.outer_iter().enumerate() {
        let mut point = x.to_vec();
        points
            .row_mut(draw * (d + 1))
            .assign(&ndarray::aview1(&point));
        for (k, &i) in order.iter().enumerate() {
            point[i] = values[i];
            points
                .row_mut(draw * (d + 1) + k + 1)
                .assign(&ndarray::aview1(&point));
        }
    }
    let outputs = target.outputs(points.view())?;
    let mut curve = vec![0.0; d + 1];
    for (k, c) in curve.iter_mut().enumerate() {
        let sum: f64 = (0..draws).map(|r| outputs[r * (d + 1) + k].max(0.0)).sum();
        *c = sum / draws as f64;
    }
    Ok(curve)
}

/// `sum_{k<d} (c_k + c_{k+1}) / 2 / (d * start)`: the trapezoid area under the curve
/// relative to the rectangle of the starting output (`start > 0`).
pub fn normalized_area(curve: &[f64], start: f64) -> f64 {
    let d = curve.len() - 1;
    let area: f64 = curve.windows(2).map(|w| 0.5 * (w[0] + w[1])).sum();
    area / (d as f64 * start)
}
