//! The last step of the reference-rooted rule sets (`neon-ref`, `hybrid`): relevance
//! proportional to per-feature numerators `N_i`, summing to the output.

use ndarray::ArrayViewMut1;

/// `relevance = (1 - eta) output N / sum N + eta relevance`, unless `sum N` is tiny
/// (`|sum N| <= 1e-12 sum |N_i|`) or of the other sign than the output: then the row keeps
/// `relevance` (the NEON relevance).
pub(crate) fn rescale_into(
    numerators: &[f64],
    output: f64,
    eta: f64,
    mut relevance: ArrayViewMut1<f64>,
) {
    if usable(numerators, output) {
        let total: f64 = numerators.iter().sum();
        let scale = (1.0 - eta) * output / total;
        for (r, n) in relevance.iter_mut().zip(numerators) {
            *r = scale * n + eta * *r;
        }
    }
}

/// Whether `output N / sum N` is usable: `output != 0`, `sum N` not tiny
/// (`|sum N| > 1e-12 sum |N_i|`) and of the output's sign.
pub(crate) fn usable(numerators: &[f64], output: f64) -> bool {
    let total: f64 = numerators.iter().sum();
    let magnitude: f64 = numerators.iter().map(|n| n.abs()).sum();
    usable_totals(total, magnitude, output)
}

/// [`usable`] from `sum N` (`total`) and `sum |N_i|` (`magnitude`), however they were summed.
#[inline(always)]
pub(crate) fn usable_totals(total: f64, magnitude: f64, output: f64) -> bool {
    output != 0.0 && total.abs() > 1e-12 * magnitude && (total > 0.0) == (output > 0.0)
}
