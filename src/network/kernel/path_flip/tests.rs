//! The direct form of the flip-ordered pass (per unit, sums over both groups from exact
//! differences, row by row) as the reference of the fused pass
//! ([`super::super::path_flip_fused`]).

use super::super::flip_share::{flip_share, mix_into};
use super::super::test_network::rbf_density;
use super::super::KernelNetwork;
use super::TOP;
use crate::explainer::Explanation;
use crate::method::RuleSet;
use crate::network::{lanes, pool, NeonRules};
use crate::rng::test_matrix as matrix;
use ndarray::{s, Array1, Array2, ArrayView2};

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
    /// `neon-flip` or `neon-focus` (`rules.rule_set`) in the direct form: `neon-path` first,
    /// then [`flip_row`] row by row and the rule set's share.
    fn explain_flip_direct(&self, z: ArrayView2<f64>, rules: &NeonRules<'_>) -> Explanation {
        let first = NeonRules {
            rule_set: RuleSet::NeonPath,
            ..*rules
        };
        let mut explanation = self.explain_path(z, &first).unwrap();
        let layer = &self.distance;
        let model = FlipModel {
            centers: layer.centers(),
            bias: layer.bias().to_slice().unwrap(),
            gamma: layer.gamma(),
            beta: rules.beta,
            floor: pool::soft_min(layer.bias().as_slice().unwrap()),
            reference: rules.reference.to_vec(),
        };
        let mut scratch = Scratch::default();
        for (r, mut row) in explanation.relevance.outer_iter_mut().enumerate() {
            let zr = z.row(r).to_vec();
            let first = row.as_slice_mut().unwrap();
            if flip_row(&model, &zr, explanation.output[r], first, &mut scratch) {
                let share = flip_share(rules.rule_set, first, &scratch.order[..TOP]);
                mix_into(first, &scratch.flip, share);
            }
        }
        explanation
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
    // Per unit the distance at `t` of a piece is `S + A - 2 t B + t^2 C` from the sums
    // `[A_2, B_2, A_1, B_1, R_1]`: piece 1 moves the top group (the rest at z: `A_2 + A_1`,
    // `B_1`, `c_top`), piece 2 the rest (the top group at r: `R_1 + A_2`, `B_2`, `c_rest`).
    let pieces = [([0, 2], 3, c_top), ([4, 0], 1, c_rest)];
    for t in [0.25, 0.75] {
        for (([fixed, moving], cross, c), w) in pieces.into_iter().zip([&mut s.w1, &mut s.w2]) {
            s.h.clear();
            s.h.extend(s.sums.iter().zip(model.bias).map(|(v, &b)| {
                model.gamma * (v[fixed] + v[moving] - 2.0 * t * v[cross] + t * t * c) + b
            }));
            add_softmin_weights(&mut s.h, model.beta, w);
        }
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

/// Seeded rows around the centers, some on a center, one at the reference, and far rows:
/// 1e3 and 1e6 away in every feature, and in one feature only (a top-group-only row whose
/// rest-group distances cancel in the identities).
fn awkward_rows(centers: &Array2<f64>, reference: &Array1<f64>) -> Array2<f64> {
    let d = centers.ncols();
    let mut z = matrix(60, d, 11);
    for r in [0, 17] {
        z.row_mut(r).assign(&centers.row(r * 3));
    }
    z.row_mut(5).assign(reference);
    for (k, far) in [1e3, 1e6].into_iter().enumerate() {
        z.row_mut(20 + k).assign(&(reference + far));
        let mut one = reference.clone();
        one[2] -= far;
        z.row_mut(30 + k).assign(&one);
        let mut two = z.row(40 + k).to_owned();
        two[1] += far;
        z.row_mut(40 + k).assign(&two);
    }
    z
}

/// An rbf density of `units` centers in `d` features, a seeded reference and the
/// [`awkward_rows`] around it.
fn awkward_case(units: usize, d: usize) -> (KernelNetwork, Array1<f64>, Array2<f64>) {
    let (centers, _, network) = rbf_density(units, d);
    let reference = matrix(1, d, 31).row(0).mapv(|v| 0.2 * v);
    let z = awkward_rows(&centers, &reference);
    (network, reference, z)
}

/// The fused pass agrees with the direct form within rounding (each feature to 1e-9 of
/// itself, plus 1e-12), also for rows far out in every feature or in a few, and conserves, at beta 1 (the
/// one-exponential `neon-path` pass) and off it, for both rule sets.
#[test]
fn the_fused_pass_matches_the_direct_form_far_away_too() {
    let (network, reference, z) = awkward_case(300, 9);
    for rule_set in [RuleSet::NeonFlip, RuleSet::NeonFocus] {
        for beta in [1.0, 0.7, 3.0] {
            let rules = NeonRules::rooted(rule_set, beta, reference.view());
            let fused = network.explain_path(z.view(), &rules).unwrap();
            let direct = network.explain_flip_direct(z.view(), &rules);
            let path = network
                .explain_path(
                    z.view(),
                    &NeonRules {
                        rule_set: RuleSet::NeonPath,
                        ..rules
                    },
                )
                .unwrap();
            let mut changed = 0;
            for r in 0..z.nrows() {
                let o = fused.output[r];
                assert_eq!(o.to_bits(), direct.output[r].to_bits(), "row {r}");
                let size = direct
                    .relevance
                    .row(r)
                    .iter()
                    .fold(o.abs(), |m, v| m.max(v.abs()));
                for i in 0..z.ncols() {
                    let (a, b) = (fused.relevance[[r, i]], direct.relevance[[r, i]]);
                    // Each feature to 1e-9 of itself: the rest group of a row far out in a
                    // few features keeps its digits (the identities alone lose them: 1e-6
                    // on the row 1e6 away in one feature without the exact recomputation).
                    assert!(
                        (a - b).abs() <= 1e-9 * b.abs() + 1e-12,
                        "{rule_set} beta {beta} row {r} feature {i}: {a} {b}"
                    );
                }
                let total: f64 = fused.relevance.row(r).sum();
                assert!((total - o).abs() <= 1e-9 * size, "row {r}: {total} {o}");
                changed += usize::from(fused.relevance.row(r) != path.relevance.row(r));
            }
            assert!(changed > z.nrows() / 2, "{rule_set} beta {beta}: {changed}");
        }
    }
}

/// Several sub-chunks per chunk give the bits of each row explained alone.
#[test]
fn sub_chunks_give_the_bits_of_rows_explained_alone() {
    let (network, reference, z) = awkward_case(3_000, 7);
    for (rule_set, beta) in [(RuleSet::NeonFocus, 1.0), (RuleSet::NeonFlip, 0.8)] {
        let rules = NeonRules::rooted(rule_set, beta, reference.view());
        let all = network.explain_path(z.view(), &rules).unwrap();
        for r in 0..z.nrows() {
            let alone = network
                .explain_path(z.slice(s![r..r + 1, ..]), &rules)
                .unwrap();
            assert_eq!(all.output[r].to_bits(), alone.output[0].to_bits());
            for i in 0..z.ncols() {
                assert_eq!(
                    all.relevance[[r, i]].to_bits(),
                    alone.relevance[[0, i]].to_bits(),
                    "{rule_set} row {r} feature {i}"
                );
            }
        }
    }
}
