//! `neon-path` on a support vector classifier: every duel rooted at the reference r along
//! the straight path from r to the row (the rescale rule of DeepLIFT through the kernel's
//! exponential), exact and conserving.
//!
//! A duel `v(z) = sum_s a_s K_s(z) + b` changes from the reference to the row by
//! `v(z) - v(r) = sum_s a_s (K_s(z) - K_s(r))` (the intercept cancels). Each kernel value is
//! `K_s = exp(E_s)` with the exponent `E_s(z) = -gamma sum_i |z_i - u_si|^q`, a sum over the
//! features, so its change splits exactly over them,
//! `E_s(z) - E_s(r) = sum_i delta_si`, `delta_si = gamma (|r_i - u_si|^q - |z_i - u_si|^q)`,
//! and the exponential passes it on scaled by its secant slope
//! `sigma_s = (exp E_s(z) - exp E_s(r)) / (E_s(z) - E_s(r))` (`exp E_s(r)` where they are
//! equal). So `N_i = sum_s a_s sigma_s delta_si` sums to `v(z) - v(r)` exactly.
//!
//! Duel k of class c gets its soft-min share `w_k = softmin_k(beta v_ck(z))` (1 for a binary
//! SVC), and what remains of the target, `T_c(z) - sum_k w_k sum_i N_i^(k)` (the
//! reference's own decision value, and for several duels the gap between the pooled
//! changes and the change of the minimum), is spread evenly over the features:
//! `R_i = sum_k w_k N_i^(k) + (T_c - sum_i' sum_k w_k N_i'^(k)) / d`, so `sum_i R_i = T_c`.
//!
//! The secant slope depends on the support vector only, so the duels' weighted coefficients
//! are pooled first (`sum_k w_k a_s^(k)`) and every support vector is visited once: about
//! one more pass over the support vectors than the forward pass, with the reference's
//! terms precomputed once per call.

use super::model::Svc;
use super::row::{Duel, Row};

/// The reference's per-feature exponent terms `gamma |r_i - u_si|^q` of every support
/// vector (support vectors x features, row-major) and their sums `-E_s(r)`.
pub(super) struct Root {
    terms: Vec<f64>,
    exponent: Vec<f64>,
}

impl Root {
    /// The terms of reference `r` (model space).
    pub(super) fn new(svc: &Svc, r: &[f64]) -> Self {
        let power = svc.kernel().power();
        let gamma = svc.kernel().gamma();
        let svs = svc.support_vectors();
        let mut terms = Vec::with_capacity(svs.len());
        let mut exponent = Vec::with_capacity(svs.nrows());
        for u in svs.outer_iter() {
            let start = terms.len();
            terms.extend(
                r.iter()
                    .zip(u.iter())
                    .map(|(a, b)| gamma * power.term(a - b)),
            );
            exponent.push(terms[start..].iter().sum());
        }
        Root { terms, exponent }
    }
}

/// `(exp b - exp a) / (b - a)`, `exp a` when `a = b`, computed as
/// `exp(max) (1 - exp(-|b - a|)) / |b - a|` (no cancellation; 0 when both underflow).
pub(super) fn secant_exp(a: f64, b: f64) -> f64 {
    let gap = (b - a).abs();
    let top = a.max(b).exp();
    if gap == 0.0 {
        top
    } else {
        top * (-(-gap).exp_m1()) / gap
    }
}

/// Add `weight * a_s` of every support vector s of `duel` to `coef[s]`: the duels' pooled
/// coefficients, so that each support vector is visited once however many duels hold it.
pub(super) fn add_duel(duel: &Duel<'_>, weight: f64, coef: &mut [f64]) {
    for (&s, &c) in duel.pair.support.iter().zip(&duel.pair.coef) {
        coef[s] += weight * duel.sign * c;
    }
}

/// Add `N_i = sum_s coef_s sigma_s delta_si` (the rooted numerators of the pooled duels) at
/// row `z` (with its [`Row`]) to `out`.
pub(super) fn add_numerators(
    svc: &Svc,
    z: &[f64],
    row: &Row,
    root: &Root,
    coef: &[f64],
    out: &mut [f64],
) {
    let power = svc.kernel().power();
    let gamma = svc.kernel().gamma();
    let d = z.len();
    let svs = svc.support_vectors();
    for (s, &a) in coef.iter().enumerate() {
        if a == 0.0 {
            continue;
        }
        let m = a * secant_exp(-root.exponent[s], -row.exponent[s]);
        if m == 0.0 || !m.is_finite() {
            continue;
        }
        let u = svs.row(s);
        let reference = &root.terms[s * d..(s + 1) * d];
        for i in 0..d {
            out[i] += m * (reference[i] - gamma * power.term(z[i] - u[i]));
        }
    }
}
