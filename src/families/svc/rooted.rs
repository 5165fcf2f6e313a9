//! `neon-path` on a support vector classifier: every duel rooted at the reference r and
//! followed along the straight path from r to the row z in P pieces (the rescale rule of
//! DeepLIFT through the kernel's exponential, piece by piece), exact and conserving.
//!
//! A duel `v(x) = sum_s a_s K_s(x) + b` changes from r to z by
//! `v(z) - v(r) = sum_s a_s (K_s(z) - K_s(r))` (the intercept cancels). Each kernel value is
//! `K_s = exp(E_s)` with the exponent `E_s(x) = -gamma sum_i |x_i - u_si|^q = sum_i e_si(x)`,
//! a sum over the features. On the path `x(t) = r + t (z - r)`, cut at `t_p = p / P`, the
//! change of `K_s` over piece p is its exponent's change times the secant slope
//! `sigma_sp = (exp E_s(t_p+1) - exp E_s(t_p)) / (E_s(t_p+1) - E_s(t_p))`, and the exponent's
//! change is split exactly over the features:
//!
//! `N_i = sum_s a_s sum_p sigma_sp (e_si(t_p+1) - e_si(t_p))`, `sum_i N_i = v(z) - v(r)`.
//!
//! P = 1 is the plain rescale rule; as P grows this tends to integrated gradients of the
//! duel, computed exactly along the path. With the exponents written as a straight line
//! plus a bump ([`super::path`]), `e_si(t) = (1 - t) e_si(0) + t e_si(1) + kappa_si(t)`, and
//! `S_sp = a_s sigma_sp`, summation by parts gives
//!
//! `N_i = sum_s [ (sum_p S_sp / P) delta_si + sum_{p=1}^{P-1} kappa_si(t_p) (S_s,p-1 - S_sp) ]`,
//!
//! `delta_si = e_si(z) - e_si(r)`: one visit of each support vector's features, as the
//! one-piece rule, plus O(P) per support vector (rbf, `kappa_si = gamma Delta_i^2 t (1-t)`
//! factors over s and i) or O(P + crossings) (laplacian tents).
//!
//! The target `T_c = min_k v_ck` follows its weakest duel: on piece p only the duel k(p)
//! with the smallest mean of its values at the piece's ends counts (the first on ties; the
//! one duel of a binary SVC), as the gradient of `T_c` along the path does, so the support
//! vectors' coefficients are `a_sp = a_s^(k(p))` and every support vector is visited once.
//! `beta` does not enter. What remains of the target, `T_c(z) - sum_i N_i` (the reference's
//! own decision value, and the jumps of the minimum where it changes duels inside a
//! piece), is spread evenly over the features: `R_i = N_i + (T_c - sum_i' N_i') / d`, so
//! `sum_i R_i = T_c`.

use super::model::Svc;
use super::path::{Crossing, Grid};
use super::row::{Duel, Row};
use crate::network::power::Power;

/// The number of pieces of the path (chosen by the study in docs/svc.md).
pub(super) const PIECES: usize = 8;

/// The reference r and its per-feature exponent terms `gamma |r_i - u_si|^q` of every
/// support vector (support vectors x features, row-major) and their sums `-E_s(r)`.
pub(super) struct Root {
    point: Vec<f64>,
    terms: Vec<f64>,
    exponent: Vec<f64>,
    /// `K_s(r) = exp(E_s(r))`.
    kernel: Vec<f64>,
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
        let kernel = exponent.iter().map(|e: &f64| (-e).exp()).collect();
        Root {
            point: r.to_vec(),
            terms,
            exponent,
            kernel,
        }
    }
}

/// `(exp b - exp a) / (b - a)` from `ka = exp a`, `kb = exp b`: the plain quotient when
/// `|b - a| >= 1/16` (relative error below 40 ulp), else `exp(max) phi(-|b - a|)` with the
/// larger of `ka`, `kb` (no cancellation, no further exponential; 0 when both underflow).
fn secant(a: f64, b: f64, ka: f64, kb: f64) -> f64 {
    let gap = b - a;
    if gap.abs() >= 0.0625 {
        (kb - ka) / gap
    } else {
        let top = if b > a { kb } else { ka };
        top * expm1_ratio(-gap.abs())
    }
}

/// `phi(x) = (exp x - 1) / x` (1 at 0) for `|x| <= 1/16`, by its Taylor series
/// `sum_n x^n / (n + 1)!` to n = 11 (the rest is below 1e-21 relative).
fn expm1_ratio(x: f64) -> f64 {
    INVERSE_FACTORIALS
        .iter()
        .rev()
        .fold(0.0, |acc, c| acc * x + c)
}

/// `1 / (n + 1)!` for n = 0..=11.
const INVERSE_FACTORIALS: [f64; 12] = [
    1.0,
    1.0 / 2.0,
    1.0 / 6.0,
    1.0 / 24.0,
    1.0 / 120.0,
    1.0 / 720.0,
    1.0 / 5_040.0,
    1.0 / 40_320.0,
    1.0 / 362_880.0,
    1.0 / 3_628_800.0,
    1.0 / 39_916_800.0,
    1.0 / 479_001_600.0,
];

/// The rooted relevance `R` of class c at row `z` (with its [`Row`]): `values` the duels
/// `(k, v_ck(z))`, `target = T_c(z)`.
pub(super) fn relevance(
    svc: &Svc,
    z: &[f64],
    row: &Row,
    root: &Root,
    c: usize,
    values: &[(usize, f64)],
    target: f64,
) -> Vec<f64> {
    let power = svc.kernel().power();
    let gamma = svc.kernel().gamma();
    let d = z.len();
    let n_sv = svc.support_vectors().nrows();
    let r = &root.point[..];
    let pieces = PIECES;
    let grid = Grid::new(power, gamma, z, r, pieces);
    let duels: Vec<Duel<'_>> = values.iter().map(|&(k, _)| Duel::new(svc, c, k)).collect();
    let mut used = vec![false; n_sv];
    for duel in &duels {
        for &s in &duel.pair.support {
            used[s] = true;
        }
    }
    let svs = svc.support_vectors();
    let mut crossings: Vec<Crossing> = Vec::new();
    let mut scratch = Vec::new();
    // E_s(t_p) of every used support vector
    let width = pieces + 1;
    let mut exps = vec![0.0; n_sv * width];
    let mut kern = vec![0.0; n_sv * width];
    for s in (0..n_sv).filter(|&s| used[s]) {
        let u = svs.row(s);
        grid.crossings(z, r, u.as_slice().expect("owned rows"), &mut crossings);
        grid.exponents(
            -root.exponent[s],
            -row.exponent[s],
            &crossings,
            &mut scratch,
            &mut exps[s * width..(s + 1) * width],
        );
        let k = &mut kern[s * width..(s + 1) * width];
        let (k0, k1) = (root.kernel[s], row.kernel[s]);
        let e = &exps[s * width..(s + 1) * width];
        if !grid.kernels_by_recurrence(e[0], e[pieces], k0, k1, k) {
            for (kp, e) in k.iter_mut().zip(e) {
                *kp = e.exp();
            }
            k[0] = k0;
            k[pieces] = k1;
        }
    }
    // the weakest duel of every piece, and its coefficients on that piece
    let weakest = weakest_duels(&duels, &kern, pieces);
    let mut coef = vec![0.0; n_sv * pieces];
    for (p, &k) in weakest.iter().enumerate() {
        let duel = &duels[k];
        for (&s, &a) in duel.pair.support.iter().zip(&duel.pair.coef) {
            coef[s * pieces + p] = duel.sign * a;
        }
    }
    let mut out = vec![0.0; d];
    let mut curvature = 0.0;
    let mut slopes = vec![0.0; pieces];
    let mut low = vec![0.0; pieces + 1];
    let mut high = vec![0.0; pieces + 1];
    for s in (0..n_sv).filter(|&s| used[s]) {
        let m = &coef[s * pieces..(s + 1) * pieces];
        if m.iter().all(|&a| a == 0.0) {
            continue;
        }
        let e = &exps[s * width..(s + 1) * width];
        let k = &kern[s * width..(s + 1) * width];
        for p in 0..pieces {
            slopes[p] = if m[p] == 0.0 {
                0.0
            } else {
                m[p] * secant(e[p], e[p + 1], k[p], k[p + 1])
            };
        }
        if slopes.iter().any(|v| !v.is_finite()) || slopes.iter().all(|&v| v == 0.0) {
            continue;
        }
        let mean = slopes.iter().sum::<f64>() / pieces as f64;
        let u = svs.row(s);
        let reference = &root.terms[s * d..(s + 1) * d];
        for i in 0..d {
            out[i] += mean * (reference[i] - gamma * power.term(z[i] - u[i]));
        }
        if pieces == 1 {
            continue;
        }
        // D_p = S_(p-1) - S_p at the interior grid points p = 1..P-1
        match power {
            Power::Two => {
                curvature += (1..pieces)
                    .map(|p| {
                        let t = grid.t[p];
                        t * (1.0 - t) * (slopes[p - 1] - slopes[p])
                    })
                    .sum::<f64>();
            }
            Power::One => {
                grid.crossings(z, r, u.as_slice().expect("owned rows"), &mut crossings);
                if crossings.is_empty() {
                    continue;
                }
                // low[j] = sum_{1<=p<j} t_p D_p, high[j] = sum_{j<=p<=P-1} (1 - t_p) D_p
                low[0] = 0.0;
                low[1] = 0.0;
                for j in 2..=pieces {
                    let p = j - 1;
                    low[j] = low[j - 1] + grid.t[p] * (slopes[p - 1] - slopes[p]);
                }
                high[pieces] = 0.0;
                for j in (1..pieces).rev() {
                    high[j] = high[j + 1] + (1.0 - grid.t[j]) * (slopes[j - 1] - slopes[j]);
                }
                for x in &crossings {
                    out[x.feature] += 2.0 * gamma * (x.b * low[x.j] + x.a * high[x.j]);
                }
            }
        }
    }
    if power == Power::Two && curvature != 0.0 {
        for i in 0..d {
            let delta = z[i] - r[i];
            out[i] += curvature * gamma * delta * delta;
        }
    }
    let rest = (target - out.iter().sum::<f64>()) / d as f64;
    out.iter_mut().for_each(|v| *v += rest);
    out
}

/// The index of the weakest duel on every piece (`kern` the kernel values on the grid): the
/// smallest mean of the duel's values at the piece's ends, `(v_k(t_p) + v_k(t_p+1)) / 2` (the first on ties; duel 0 for one duel).
fn weakest_duels(duels: &[Duel<'_>], kern: &[f64], pieces: usize) -> Vec<usize> {
    if duels.len() == 1 {
        return vec![0; pieces];
    }
    let width = pieces + 1;
    let values: Vec<Vec<f64>> = duels
        .iter()
        .map(|duel| {
            let mut v = vec![duel.pair.intercept; width];
            for (&s, &a) in duel.pair.support.iter().zip(&duel.pair.coef) {
                for (vp, k) in v.iter_mut().zip(&kern[s * width..(s + 1) * width]) {
                    *vp += a * k;
                }
            }
            v.iter().map(|x| duel.sign * x).collect()
        })
        .collect();
    (0..pieces)
        .map(|p| {
            let mut best = 0;
            let mut low = f64::INFINITY;
            for (k, v) in values.iter().enumerate() {
                let mean = 0.5 * (v[p] + v[p + 1]);
                if mean < low {
                    low = mean;
                    best = k;
                }
            }
            best
        })
        .collect()
}
