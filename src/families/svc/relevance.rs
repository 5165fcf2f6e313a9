//! The relevance of one duel (Bley et al. 2025): the duel as soft-max pooling over the
//! support vectors of its positive side against soft-max pooling over its negative side,
//! read out by the midpoint rule and by gradient x input, each rescaled to the duel's share
//! of the explained target.
//!
//! A duel `v(z) = sum_s a_s K(z, u_s) + b` has a positive side P (`a_s > 0`, and the
//! intercept as a virtual support vector at z when `b > 0`) and a negative side N. Its
//! neuralization is `g = log sum_P |a_s| K_s - log sum_N |a_s| K_s` (the intercept adds
//! `|b|` to its side), which has the sign of v: the soft-max over P of the soft-min over N
//! of the linear units `h_st = gamma (||z - u_t||^q - ||z - u_s||^q) + log |a_s / a_t|`.
//! With the pooling weights `p_s = softmax_s(beta (log |a_s| - gamma D_s))` on each side
//! (`D_s = ||z - u_s||_q^q`, the virtual vector: `log |b|`, `D = 0`), per feature i,
//! `t = z_i - u_si`:
//!
//! * midpoint: `M_i = sum_N p_s |t|^q - sum_P p_s |t|^q`, the pooled pair units split at
//!   their midpoints (the log-coefficient biases are not split);
//! * gradient x input: `G_i = (z_i - r_i) (sum_N p_s d|t|^q/dt - sum_P p_s d|t|^q/dt)`,
//!   `(z_i - r_i) dg/dz_i / gamma` toward the reference r (exact at beta = 1).

use super::model::Svc;
use super::row::{Duel, Row};

/// The midpoint and gradient-x-input numerators of one duel at one row, in coordinates
/// divided by the row's scale (each numerator vector is scaled uniformly, which the
/// rescaling removes).
pub(super) struct Numerators {
    pub midpoint: Vec<f64>,
    pub gradient: Vec<f64>,
}

/// One side of a duel: `(log weight, scaled distance, support vector or None for the
/// virtual intercept vector)`.
type Side = Vec<(f64, f64, Option<usize>)>;

/// The pooling weights of one side: `softmax(beta * log weight)`, max-shifted; when every
/// log weight is `-inf` (distances that overflow), all weight on the nearest (first on ties).
fn side_weights(side: &Side, beta: f64) -> Vec<f64> {
    let top = side.iter().map(|s| s.0).fold(f64::NEG_INFINITY, f64::max);
    if top == f64::NEG_INFINITY {
        let mut nearest = 0;
        for (i, s) in side.iter().enumerate() {
            if s.1 < side[nearest].1 {
                nearest = i;
            }
        }
        return (0..side.len()).map(|i| f64::from(i == nearest)).collect();
    }
    let e: Vec<f64> = side.iter().map(|s| (beta * (s.0 - top)).exp()).collect();
    let total: f64 = e.iter().sum();
    e.iter().map(|v| v / total).collect()
}

/// The numerators of duel `duel` at row `z` (with its [`Row`]), reference `r`, stiffness
/// `beta`.
pub(super) fn numerators(
    svc: &Svc,
    duel: &Duel<'_>,
    z: &[f64],
    row: &Row,
    reference: &[f64],
    beta: f64,
) -> Numerators {
    let power = svc.kernel().power();
    let mut positive: Side = Vec::new();
    let mut negative: Side = Vec::new();
    for (&s, &c) in duel.pair.support.iter().zip(&duel.pair.coef) {
        let a = duel.sign * c;
        if a == 0.0 {
            continue;
        }
        let entry = (a.abs().ln() - row.exponent[s], row.scaled_dist[s], Some(s));
        if a > 0.0 {
            positive.push(entry);
        } else {
            negative.push(entry);
        }
    }
    let b = duel.sign * duel.pair.intercept;
    if b != 0.0 {
        let entry = (b.abs().ln(), 0.0, None);
        if b > 0.0 {
            positive.push(entry);
        } else {
            negative.push(entry);
        }
    }
    let d = z.len();
    let s = row.scale;
    let mut midpoint = vec![0.0; d];
    let mut slope = vec![0.0; d];
    for (side, sign) in [(&positive, -1.0), (&negative, 1.0)] {
        if side.is_empty() {
            continue;
        }
        for (p, entry) in side_weights(side, beta).iter().zip(side.iter()) {
            // the virtual intercept vector sits at z: every difference is 0
            let Some(sv) = entry.2 else { continue };
            if *p == 0.0 {
                continue;
            }
            let svs = svc.support_vectors();
            let u = svs.row(sv);
            for i in 0..d {
                let t = z[i] / s - u[i] / s;
                midpoint[i] += sign * p * power.term(t);
                slope[i] += sign * p * power.derivative(t);
            }
        }
    }
    let size = reference
        .iter()
        .chain(z)
        .fold(s, |m, v| m.max(v.abs()))
        .max(1.0);
    let size = if size > s { size } else { s };
    let gradient = (0..d)
        .map(|i| (z[i] / size - reference[i] / size) * slope[i])
        .collect();
    Numerators { midpoint, gradient }
}

/// The smallest `sum |N_i|` of usable numerators, `2^53` times the smallest normal number:
/// above it every numerator's rounding is at most `2^-105` of the sum (far from the data the
/// pooling weights of a side can underflow into subnormals, whose few significant bits
/// would split a share arbitrarily and not conserve it).
const SMALLEST_MAGNITUDE: f64 = f64::MIN_POSITIVE * 9_007_199_254_740_992.0;

/// Whether `numerators` can carry `share`: their magnitude `sum |N_i|` is at least
/// [`SMALLEST_MAGNITUDE`], their sum is not tiny (`|sum| > 1e-12 sum |N_i|`) and has the
/// sign of `share`.
fn usable(numerators: &[f64], share: f64) -> bool {
    let total: f64 = numerators.iter().sum();
    let magnitude: f64 = numerators.iter().map(|n| n.abs()).sum();
    magnitude >= SMALLEST_MAGNITUDE
        && total.abs() > 1e-12 * magnitude
        && (total > 0.0) == (share > 0.0)
}

/// Add `share * sum_m w_m N_m / sum N_m` over the usable terms `(w_m, N_m)` (weights
/// renormalized over them) to `out`; if no term with weight > 0 is usable, the first usable
/// term alone; if none is usable, `share / d` on every feature. Adds exactly `share` (up to
/// rounding).
pub(super) fn add_rescaled(terms: &[(f64, &[f64])], share: f64, out: &mut [f64]) {
    if share == 0.0 {
        return;
    }
    let mut good: Vec<(f64, &[f64])> = terms
        .iter()
        .filter(|(w, n)| *w > 0.0 && usable(n, share))
        .copied()
        .collect();
    if good.is_empty() {
        good = terms
            .iter()
            .filter(|(_, n)| usable(n, share))
            .take(1)
            .map(|&(_, n)| (1.0, n))
            .collect();
    }
    if good.is_empty() {
        let flat = share / out.len() as f64;
        out.iter_mut().for_each(|o| *o += flat);
        return;
    }
    let weights: f64 = good.iter().map(|g| g.0).sum();
    for (w, n) in good {
        // `N_i / sum N` first: at most 1e12 in magnitude for usable numerators, so a large
        // share cannot overflow through `share / sum N`
        let total: f64 = n.iter().sum();
        let share = (w / weights) * share;
        for (o, v) in out.iter_mut().zip(n) {
            *o += share * (v / total);
        }
    }
}
