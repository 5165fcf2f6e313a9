//! `neon-flip` and `neon-focus` on an rbf kernel network (q = 2): the path from the row back to the
//! reference follows the flipping order of a first pass instead of the straight line.
//!
//! Feature flipping removes the most relevant features first. The straight path of
//! `neon-path` moves every feature at once; this rule moves them in the order the
//! explanation will be read:
//!
//! 1. first pass: `neon-path` at the same beta ([`KernelNetwork::explain_path`]), `R0`;
//! 2. the features in decreasing order of `R0` (ties: lower index first) are cut into two
//!    groups, `G_1` the first [`TOP`] features and `G_2` the rest;
//! 3. piece 1 of the path moves only `G_1` from z to r (`G_2` stays at z), piece 2 moves `G_2`
//!    (with `G_1` at r). Each piece is cut into two halves whose soft-min weights
//!    `p = softmin(beta h)` are frozen at the half's midpoint (the moving features at
//!    `z - t (z - r)`, `t = 1/4, 3/4`), and each unit's change over a half is split exactly
//!    over the moving features (squared distances are separable). With `delta = z - r` and
//!    `W_k = p(piece k, 1/4) + p(piece k, 3/4)`, for `i` in `G_k`:
//!
//!    `N_i = sum_halves sum_j p_j ((lo_i - u_ij)^2 - (hi_i - u_ij)^2)
//!         = delta_i (z_i + r_i - (W_k U)_i)`;
//!
//! 4. `R_flip,i = (o - o_0) N_i / sum_i' N_i' + o_0 / d` (`o_0 = -log sum_j exp(-b_j)`, the
//!    floor of `neon-floor`), and the result is the convex mix with the first pass,
//!    `R = (1 - l) R0 + l R_flip` with the row's share `l` of the rule set
//!    ([`super::flip_share`]: 1/4 for `neon-flip`, `c^2 / 2` for `neon-focus`): both sum
//!    to `o`, so it conserves. Rows with `o <= o_0`, `sum N` tiny or not > 0, or at most
//!    [`TOP`] features keep the first pass.
//!
//! The distances at the midpoints of a piece come from per-unit sums over the groups:
//! `||x(t) - u||^2 = S_fixed + A - 2 t B + t^2 C` with `A = sum_(G_k) (z_i - u_i)^2`,
//! `B = sum_(G_k) (z_i - u_i) delta_i`, `C = sum_(G_k) delta_i^2` and `S_fixed` the other
//! group's sum (at z for piece 1, at r for piece 2), each summed from exact differences.
//! Cost per row on top of `neon-path`: one pass over the centers for the sums, four
//! soft-mins and one pass for `W_2 U`.
//!
//! Rows are processed independently in fixed chunks, so results do not depend on the
//! thread count.

use super::flip_share::{flip_share, mix_into};
use super::KernelNetwork;
use crate::error::Result;
use crate::explainer::Explanation;
use crate::method::RuleSet;
use crate::network::{lanes, pool, NeonRules, CHUNK_ROWS};
use ndarray::{ArrayView2, Axis};
use rayon::prelude::*;

/// Size of the first group: the features the first pass ranks highest.
pub(crate) const TOP: usize = 3;

/// Independent partial sums of the per-unit passes over the features.
const LANES: usize = 4;

/// The per-model inputs of the flip pass.
struct FlipModel<'a> {
    centers: ArrayView2<'a, f64>,
    bias: &'a [f64],
    gamma: f64,
    beta: f64,
    floor: f64,
    reference: Vec<f64>,
    rule_set: RuleSet,
}

/// The buffers of one chunk of rows, reused row after row.
#[derive(Default)]
struct Scratch {
    delta: Vec<f64>,
    rest: Vec<f64>,
    order: Vec<usize>,
    /// Per unit: `A_2` (rest at z), `B_2`, `A_1` (top at z), `B_1`, `R_1` (top at r).
    sums: Vec<[f64; 5]>,
    h: Vec<f64>,
    w1: Vec<f64>,
    w2: Vec<f64>,
    pooled: Vec<f64>,
    numerators: Vec<f64>,
    /// The row's flip-ordered relevance `R_flip`.
    flip: Vec<f64>,
}

impl KernelNetwork {
    /// `neon-flip` or `neon-focus` (`rules.rule_set`) for every row of `z` (rbf networks
    /// only; the caller checks).
    pub(super) fn explain_flip(
        &self,
        z: ArrayView2<f64>,
        rules: &NeonRules<'_>,
    ) -> Result<Explanation> {
        let first = NeonRules {
            rule_set: RuleSet::NeonPath,
            ..*rules
        };
        let mut explanation = self.explain_path(z, &first)?;
        let layer = &self.distance;
        let model = FlipModel {
            centers: layer.centers(),
            bias: layer.bias().to_slice().expect("owned"),
            gamma: layer.gamma(),
            beta: rules.beta,
            floor: pool::soft_min(layer.bias().as_slice().expect("owned")),
            reference: rules.reference.to_vec(),
            rule_set: rules.rule_set,
        };
        let output = explanation.output.view();
        explanation
            .relevance
            .axis_chunks_iter_mut(Axis(0), CHUNK_ROWS)
            .into_par_iter()
            .enumerate()
            .for_each(|(c, mut rel)| {
                let mut scratch = Scratch::default();
                for (k, mut row) in rel.outer_iter_mut().enumerate() {
                    let r = c * CHUNK_ROWS + k;
                    let zr = z.row(r).to_vec();
                    let first = row.as_slice_mut().expect("owned rows");
                    if flip_row(&model, &zr, output[r], first, &mut scratch) {
                        let share = flip_share(model.rule_set, first, &scratch.order[..TOP]);
                        mix_into(first, &scratch.flip, share);
                    }
                }
            });
        Ok(explanation)
    }
}

/// One row's flip-ordered relevance from its first pass `relevance`: into `s.flip`, with
/// the features' order in `s.order`, when the row's numerators are usable (returns true).
fn flip_row(model: &FlipModel<'_>, z: &[f64], o: f64, relevance: &[f64], s: &mut Scratch) -> bool {
    let d = z.len();
    let excess = o - model.floor;
    if d <= TOP || excess.is_nan() || excess <= 0.0 {
        return false;
    }
    let r = &model.reference;
    s.delta.clear();
    s.delta.extend(z.iter().zip(r).map(|(a, b)| a - b));
    s.order.clear();
    s.order.extend(0..d);
    s.order.sort_by(|&a, &b| {
        relevance[b]
            .partial_cmp(&relevance[a])
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.cmp(&b))
    });
    let top = &s.order[..TOP];
    s.rest.clear();
    s.rest.resize(d, 1.0);
    for &i in top {
        s.rest[i] = 0.0;
    }
    let c_top: f64 = top.iter().map(|&i| s.delta[i] * s.delta[i]).sum();
    let c_rest: f64 = (0..d).map(|i| s.rest[i] * s.delta[i] * s.delta[i]).sum();
    s.sums.clear();
    for u in model.centers.outer_iter() {
        let u = u.as_slice().expect("owned");
        // LANES independent partial sums (fixed order: the same bits on any thread count)
        let (mut a2, mut b2) = ([0.0; LANES], [0.0; LANES]);
        let split = d - d % LANES;
        for c in (0..split).step_by(LANES) {
            for l in 0..LANES {
                let i = c + l;
                let e = z[i] - u[i];
                let we = s.rest[i] * e;
                a2[l] += we * e;
                b2[l] += we * s.delta[i];
            }
        }
        for i in split..d {
            let e = z[i] - u[i];
            let we = s.rest[i] * e;
            a2[0] += we * e;
            b2[0] += we * s.delta[i];
        }
        let a2 = (a2[0] + a2[1]) + (a2[2] + a2[3]);
        let b2 = (b2[0] + b2[1]) + (b2[2] + b2[3]);
        let (mut a1, mut b1, mut r1) = (0.0, 0.0, 0.0);
        for &i in top {
            let e = z[i] - u[i];
            let f = r[i] - u[i];
            a1 += e * e;
            b1 += e * s.delta[i];
            r1 += f * f;
        }
        s.sums.push([a2, b2, a1, b1, r1]);
    }
    let m = s.sums.len();
    s.w1.clear();
    s.w1.resize(m, 0.0);
    s.w2.clear();
    s.w2.resize(m, 0.0);
    for t in [0.25, 0.75] {
        // piece 1: the top group moves, the rest at z
        s.h.clear();
        s.h.extend(
            s.sums
                .iter()
                .zip(model.bias)
                .map(|(v, &b)| model.gamma * (v[0] + v[2] - 2.0 * t * v[3] + t * t * c_top) + b),
        );
        add_softmin_weights(&mut s.h, model.beta, &mut s.w1);
        // piece 2: the rest moves, the top group at r
        s.h.clear();
        s.h.extend(
            s.sums
                .iter()
                .zip(model.bias)
                .map(|(v, &b)| model.gamma * (v[4] + v[0] - 2.0 * t * v[1] + t * t * c_rest) + b),
        );
        add_softmin_weights(&mut s.h, model.beta, &mut s.w2);
    }
    // pooled centers: W_2 U on every feature, then W_1 U on the top group
    s.pooled.clear();
    s.pooled.resize(d, 0.0);
    for (u, &w) in model.centers.outer_iter().zip(&s.w2) {
        for (acc, &v) in s.pooled.iter_mut().zip(u.iter()) {
            *acc += w * v;
        }
    }
    for &i in top {
        s.pooled[i] = model
            .centers
            .column(i)
            .iter()
            .zip(&s.w1)
            .map(|(v, w)| w * v)
            .sum();
    }
    s.numerators.clear();
    s.numerators
        .extend((0..d).map(|i| s.delta[i] * (z[i] + r[i] - s.pooled[i])));
    let total: f64 = s.numerators.iter().sum();
    let magnitude: f64 = s.numerators.iter().map(|n| n.abs()).sum();
    if !total.is_finite() || total <= 1e-12 * magnitude {
        return false;
    }
    let scale = excess / total;
    let flat = model.floor / d as f64;
    s.flip.clear();
    s.flip
        .extend(s.numerators.iter().map(|&n| scale * n + flat));
    s.flip.iter().all(|f| f.is_finite())
}

/// `weights_j += softmin_j(beta h)`, the exponentials vectorized ([`lanes::exp_sum_inplace`],
/// max-shifted by `min h`); `h` is overwritten.
fn add_softmin_weights(h: &mut [f64], beta: f64, weights: &mut [f64]) {
    let h_min = pool::min(h);
    let total = lanes::exp_sum_inplace(h, h_min, beta);
    let inv = 1.0 / total;
    weights
        .iter_mut()
        .zip(h.iter())
        .for_each(|(w, e)| *w += e * inv);
}
