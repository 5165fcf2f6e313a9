//! Relevance of linear units `z_k = sum_i a_i w_ik + b_k` onto their inputs, one row at a time.

use crate::method::LinearRule;
use ndarray::ArrayView2;

/// Everything the linear rules may look at for one input row.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LinearInput<'a> {
    /// The layer input `a` (one row, d features).
    pub input: &'a [f64],
    /// Weights, units x features (row k is `w_k`).
    pub weights: ArrayView2<'a, f64>,
    /// Pre-activations `z_k` including the bias.
    pub activations: &'a [f64],
    /// Root points of the midpoint rule, units x features.
    pub midpoints: ArrayView2<'a, f64>,
    /// Input bounds `(low, high)` for the z^B rule.
    pub bounds: Option<(&'a [f64], &'a [f64])>,
}

/// Add the input relevances of `unit_relevance` (one per unit) to `out` (one per feature).
///
/// Panics if the rule is [`LinearRule::ZBox`] and no bounds are given (the caller checks).
pub(crate) fn propagate_linear(
    rule: LinearRule,
    layer: &LinearInput<'_>,
    unit_relevance: &[f64],
    out: &mut [f64],
) {
    let d = layer.input.len();
    let mut numerators = vec![0.0; d];
    for (k, &relevance) in unit_relevance.iter().enumerate() {
        let w = layer.weights.row(k);
        let contribution = |i: usize| layer.input[i] * w[i];
        let z_k = layer.activations[k];
        match rule {
            LinearRule::Midpoint => {
                let m = layer.midpoints.row(k);
                fill(&mut numerators, |i| (layer.input[i] - m[i]) * w[i]);
                add_share(&numerators, relevance, out);
            }
            LinearRule::Lrp0 => add_ratio(d, contribution, stabilized(z_k, 0.0), relevance, out),
            LinearRule::Epsilon { epsilon } => {
                add_ratio(d, contribution, stabilized(z_k, epsilon), relevance, out)
            }
            LinearRule::Gamma { gamma } => {
                let favour_positive = z_k >= 0.0;
                fill(&mut numerators, |i| {
                    let c = contribution(i);
                    let favoured = if favour_positive {
                        c.max(0.0)
                    } else {
                        c.min(0.0)
                    };
                    c + gamma * favoured
                });
                add_share(&numerators, relevance, out);
            }
            LinearRule::AlphaBeta { alpha, beta } => {
                let (pos, neg) = (0..d)
                    .map(contribution)
                    .fold((0.0, 0.0), |(p, n), c| (p + c.max(0.0), n + c.min(0.0)));
                for (i, o) in out.iter_mut().enumerate() {
                    let c = contribution(i);
                    let mut share = 0.0;
                    if pos > 0.0 {
                        share += alpha * c.max(0.0) / pos;
                    }
                    if neg < 0.0 {
                        share -= beta * c.min(0.0) / neg;
                    }
                    *o += share * relevance;
                }
            }
            LinearRule::Flat => {
                let even = relevance / d as f64;
                out.iter_mut().for_each(|o| *o += even);
            }
            LinearRule::WSquare => {
                fill(&mut numerators, |i| w[i] * w[i]);
                add_share(&numerators, relevance, out);
            }
            LinearRule::ZBox => {
                let (low, high) = layer
                    .bounds
                    .expect("z^B needs bounds; checked by the caller");
                fill(&mut numerators, |i| {
                    contribution(i) - low[i] * w[i].max(0.0) - high[i] * w[i].min(0.0)
                });
                add_share(&numerators, relevance, out);
            }
        }
    }
}

fn fill(numerators: &mut [f64], f: impl Fn(usize) -> f64) {
    for (i, n) in numerators.iter_mut().enumerate() {
        *n = f(i);
    }
}

/// `z + eps sign(z)` with `sign(0) = +1`.
fn stabilized(z: f64, epsilon: f64) -> f64 {
    if z >= 0.0 {
        z + epsilon
    } else {
        z - epsilon
    }
}

/// `out_i += a_i w_i / denominator * relevance`; a zero denominator passes nothing on.
fn add_ratio(
    d: usize,
    contribution: impl Fn(usize) -> f64,
    denominator: f64,
    relevance: f64,
    out: &mut [f64],
) {
    if denominator != 0.0 {
        let s = relevance / denominator;
        for (i, o) in out.iter_mut().enumerate().take(d) {
            *o += contribution(i) * s;
        }
    }
}

/// `out_i += n_i / sum(n) * relevance`, dividing by the computed sum (exact conservation);
/// if that sum is tiny (`|sum| < 1e-12 sum |n_i|`, or all zero) the relevance is split evenly.
pub(crate) fn add_share(numerators: &[f64], relevance: f64, out: &mut [f64]) {
    let sum: f64 = numerators.iter().sum();
    let magnitude: f64 = numerators.iter().map(|n| n.abs()).sum();
    if sum.abs() > 1e-12 * magnitude && sum != 0.0 {
        let s = relevance / sum;
        for (o, &n) in out.iter_mut().zip(numerators) {
            *o += n * s;
        }
    } else {
        let even = relevance / numerators.len() as f64;
        out.iter_mut().for_each(|o| *o += even);
    }
}
