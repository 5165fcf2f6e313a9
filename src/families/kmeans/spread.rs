//! `neon-spread` for k-means: `neon-path` ([`super::path`]) mixed per row with the same
//! reference-rooted split whose soft-min weights are taken at the path nodes nearer the row.
//!
//! With `R0` the `neon-path` relevance (weights `p̄0 = (p(1/6) + p(1/2) + p(5/6)) / 3` along
//! `a(s) = r + s (z - r)`), the second relevance `R2` uses `p̄2 = (p(5/6) + p(1)) / 2`:
//!
//! `N2_i = (sum_k p̄2_k w_ik) (z_i - r_i)`,   `R2_i = f_t N2_i / sum_i' N2_i'`
//!
//! with `neon-path`'s fallbacks ([`share`]: `N2_i + (f_t - sum N2) / d` where the sum is tiny
//! or of the other sign than `f_t`, `f_t / d` for non-finite numerators). Per row,
//!
//! `c = (sum of the 3 largest max(R0_i, 0)) / sum_i max(R0_i, 0)`   (`c = 1` if that sum is 0),
//! `l = (1 - c)^2`,   `R = (1 - l) R0 + l R2`, computed as `R0 + l (R2 - R0)`.
//!
//! Both `R0` and `R2` sum to `f_t`, so `R` conserves. Rows whose relevance is spread over many
//! features (digits) move toward the row's own weights (those gradient x input uses); rows
//! where a few features dominate keep `neon-path` (docs/neon.md).
//!
//! Cost: in the batch pass the weights at 5/6 are `neon-path`'s `B_2k A_k^5` and those at
//! s = 1 are `p_k(1) ∝ A_k^6` (the factor `B` is 1 there), so no new exponential; one more
//! pull product `sum_k p̄2_k (m_t - m_k)` per chunk. Rows the batch pass cannot decide take
//! the exact contrasts and one soft-min per node, as `neon-path`'s.

use super::batch::BatchScratch;
use super::network::ClusterNetwork;
use super::path::{share, PathForms, PathScratch, PIECES};
use crate::explainer::Explanation;
use crate::network::pool::softmin_weights_into;
use crate::network::scratch::grow;
use crate::network::{lanes, NeonRules, CHUNK_ROWS};
use ndarray::{ArrayView2, ArrayViewMut2};

/// The nodes of the second relevance: `s = 5/6` (the last of `neon-path`'s midpoints) and the
/// row itself.
const NEAR_NODES: [f64; 2] = [5.0 / 6.0, 1.0];

/// How many of the largest positive relevances make a row "concentrated".
const TOP: usize = 3;

// The batch pass's powers A^5 and A^6 are those of the nodes 5/6 and 1 with 3 pieces.
const _: () = assert!(PIECES == 3);

/// Per-row buffers of the exact form: `neon-path`'s and the second relevance.
struct SpreadScratch {
    path: PathScratch,
    second: Vec<f64>,
}

impl ClusterNetwork {
    /// `neon-spread` for every row of `z` (standardized), explaining `cluster` or each row's
    /// assigned cluster.
    pub(super) fn explain_spread_rows(
        &self,
        z: ArrayView2<f64>,
        rules: &NeonRules<'_>,
        cluster: Option<usize>,
    ) -> Explanation {
        let forms = PathForms {
            batch: Self::spread_chunk,
            scratch: Self::spread_scratch,
            exact: Self::spread_row_exact,
        };
        self.explain_along_path(z, rules, cluster, forms)
    }

    fn spread_scratch(&self) -> SpreadScratch {
        SpreadScratch {
            path: self.path_scratch(),
            second: vec![0.0; self.n_features()],
        }
    }

    /// The batch pass over one chunk (as `neon-path`'s, module docs of [`super::path`]):
    /// labels, logits and relevances of every row it can decide; returns which rows need the
    /// exact form. `factors`: `B_jk`, pieces x clusters.
    #[allow(clippy::too_many_arguments)]
    fn spread_chunk(
        &self,
        rows: ArrayView2<f64>,
        beta: f64,
        cluster: Option<usize>,
        scratch: &mut BatchScratch,
        (reference, factors): (&[f64], &[f64]),
        labels: &mut [usize],
        out: &mut [f64],
        mut rel: ArrayViewMut2<f64>,
    ) -> [bool; CHUNK_ROWS] {
        let (n, d) = rows.dim();
        let k = self.n_clusters();
        self.chunk_scores(rows, scratch);
        grow(&mut scratch.pieces, n * k);
        grow(&mut scratch.exps, n * k);
        grow(&mut scratch.near, n * k);
        grow(&mut scratch.pulled, n * d);
        grow(&mut scratch.row, d);
        grow(&mut scratch.second, d);
        // v_k = beta (s_k - min_{l != t} s_l) / 6, v_t = +inf.
        let (targets, mut exact) = self.decide_chunk(
            rows,
            &scratch.centered,
            &scratch.scores,
            cluster,
            beta / (2 * PIECES) as f64,
            &mut scratch.pieces,
            labels,
            out,
        );
        // A_k = exp(-v_k) for the whole chunk in one pass (A_t = exp(-inf) = 0 exactly).
        lanes::exp_sum_inplace(&mut scratch.pieces[..n * k], 0.0, 1.0);
        let mut path_totals = [0.0; CHUNK_ROWS];
        let mut near_totals = [0.0; CHUNK_ROWS];
        let (b1, rest) = factors.split_at(k);
        let (b3, b5) = rest.split_at(k);
        for r in 0..n {
            let p_mean = &mut scratch.exps[r * k..(r + 1) * k];
            let q_mean = &mut scratch.near[r * k..(r + 1) * k];
            p_mean.fill(0.0);
            q_mean.fill(0.0);
            if exact[r] {
                continue;
            }
            let a = &scratch.pieces[r * k..(r + 1) * k];
            // The sums at s = 1/6, 1/2, 5/6 and 1, then each weight over its node's sum
            // (the first three as in `neon-path`, to the bit).
            let mut totals = [0.0; PIECES + 1];
            for (((((&a, &b1), &b3), &b5), p), q) in a
                .iter()
                .zip(b1)
                .zip(b3)
                .zip(b5)
                .zip(&mut *p_mean)
                .zip(&mut *q_mean)
            {
                let a2 = a * a;
                let (e1, e3) = (b1 * a, b3 * a2 * a);
                let e5 = b5 * a2 * a2 * a;
                let e6 = a2 * a2 * a2;
                totals[0] += e1;
                totals[1] += e3;
                totals[2] += e5;
                totals[3] += e6;
                *p = e1;
                *q = e6;
            }
            if !totals.iter().all(|t| t.is_finite() && *t > 0.0) {
                exact[r] = true;
                continue;
            }
            let inv = [totals[0], totals[1], totals[2]].map(|t| 1.0 / (PIECES as f64 * t));
            let near_inv = [totals[2], totals[3]].map(|t| 1.0 / (NEAR_NODES.len() as f64 * t));
            let (mut sum, mut near_sum) = (0.0, 0.0);
            for (((&a, &b3), &b5), (p, q)) in a
                .iter()
                .zip(b3)
                .zip(b5)
                .zip(p_mean.iter_mut().zip(q_mean.iter_mut()))
            {
                let a2 = a * a;
                let e5 = b5 * a2 * a2 * a;
                *p = *p * inv[0] + b3 * a2 * a * inv[1] + e5 * inv[2];
                *q = e5 * near_inv[0] + *q * near_inv[1];
                sum += *p;
                near_sum += *q;
            }
            path_totals[r] = sum;
            near_totals[r] = near_sum;
        }
        // R0: sum_k p̄0_k w_ik = 2 (m_ti sum_k p̄0_k - (P̄0 M)_i), shared into the rows.
        self.pooled_numerators(
            rows,
            (&scratch.exps, &path_totals, &targets),
            reference,
            2.0,
            (&mut scratch.pulled, &mut scratch.row),
            &mut exact,
            |r, numerators| {
                let mut row = rel.row_mut(r);
                share(numerators, out[r], row.as_slice_mut().expect("owned"));
                false
            },
        );
        // R2 from p̄2 the same way, then the per-row mix.
        let second = &mut scratch.second[..d];
        self.pooled_numerators(
            rows,
            (&scratch.near, &near_totals, &targets),
            reference,
            2.0,
            (&mut scratch.pulled, &mut scratch.row),
            &mut exact,
            |r, numerators| {
                let mut row = rel.row_mut(r);
                let row = row.as_slice_mut().expect("owned");
                let l = mix_weight(row);
                if l > 0.0 {
                    share(numerators, out[r], second);
                    blend(row, second, l);
                }
                false
            },
        );
        exact
    }

    /// One row by the exact contrasts: its assigned cluster and explained logit, its
    /// relevance written into `out`.
    #[allow(clippy::too_many_arguments)]
    fn spread_row_exact(
        &self,
        z: &[f64],
        candidate: usize,
        cluster: Option<usize>,
        beta: f64,
        reference: &[f64],
        s: &mut SpreadScratch,
        out: &mut [f64],
    ) -> (usize, f64) {
        // R0 into `out`; the contrasts at the row and the reference stay in `s.path`.
        let (label, logit) =
            self.path_row_exact(z, candidate, cluster, beta, reference, &mut s.path, out);
        let l = mix_weight(out);
        if l == 0.0 {
            return (label, logit);
        }
        let p = &mut s.path;
        p.p_mean.fill(0.0);
        for along in NEAR_NODES {
            for ((h, &at_r), &at_z) in p.along.iter_mut().zip(&p.at_reference).zip(&p.at_row) {
                *h = at_r + along * (at_z - at_r);
            }
            softmin_weights_into(&p.along, beta, &mut p.p);
            for (m, &w) in p.p_mean.iter_mut().zip(&p.p) {
                *m += w / NEAR_NODES.len() as f64;
            }
        }
        let target = cluster.unwrap_or(label);
        let weights = self.contrast(target).linear().weights();
        for (i, n) in p.numerators.iter_mut().enumerate() {
            let pulled: f64 = p
                .p_mean
                .iter()
                .enumerate()
                .map(|(unit, w)| w * weights[[unit, i]])
                .sum();
            *n = pulled * (z[i] - reference[i]);
        }
        share(&p.numerators, logit, &mut s.second);
        blend(out, &s.second, l);
        (label, logit)
    }
}

/// `l = (1 - c)^2`, `c` the share of the positive relevance of `first` (`R0`) held by its
/// [`TOP`] largest values (`c = 1`, so `l = 0`, without positive relevance).
pub(super) fn mix_weight(first: &[f64]) -> f64 {
    const _: () = assert!(TOP == 3);
    // The three largest of max(R0_i, 0), largest first, in registers.
    let (mut t0, mut t1, mut t2) = (0.0_f64, 0.0_f64, 0.0_f64);
    let mut positive = 0.0;
    for &v in first {
        let v = v.max(0.0);
        positive += v;
        if v > t2 {
            if v > t1 {
                t2 = t1;
                if v > t0 {
                    t1 = t0;
                    t0 = v;
                } else {
                    t1 = v;
                }
            } else {
                t2 = v;
            }
        }
    }
    let c = if positive > 0.0 {
        ((t0 + t1 + t2) / positive).min(1.0)
    } else {
        1.0
    };
    (1.0 - c) * (1.0 - c)
}

/// `R = R0 + l (R2 - R0)` in place of `first` (`R0`), `second` = `R2`. Where `R2 = R0`
/// the row keeps `R0`'s bits.
fn blend(first: &mut [f64], second: &[f64], l: f64) {
    for (r, &q) in first.iter_mut().zip(second) {
        *r += l * (q - *r);
    }
}

/// The mix of the module docs in place of `first` (`R0`), `second` = `R2`.
#[cfg(test)]
fn mix(first: &mut [f64], second: &[f64]) {
    let l = mix_weight(first);
    if l > 0.0 {
        blend(first, second, l);
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_rows::assert_batch_agrees_with_exact;
    use super::*;
    use crate::method::RuleSet;

    /// The batch pass agrees with the exact per-row form: the same labels and logits (bits),
    /// relevances within rounding of the soft-min weights, every row conserving the logit;
    /// rows on a boundary, at a centroid, at the reference and very far away included. Some
    /// rows mix (l > 0) and the mix changes them.
    #[test]
    fn the_batch_neon_spread_agrees_with_the_exact_per_row_form() {
        let mut moved = 0;
        let forms = PathForms {
            batch: ClusterNetwork::spread_chunk,
            scratch: ClusterNetwork::spread_scratch,
            exact: ClusterNetwork::spread_row_exact,
        };
        assert_batch_agrees_with_exact(RuleSet::NeonSpread, forms, |row| {
            let one = row.rows.slice(ndarray::s![row.r..row.r + 1, ..]);
            let path = row.net.explain_path_rows(one, row.rules, row.cluster);
            let change = (&row.batch - &path.relevance.row(0))
                .iter()
                .fold(0.0_f64, |m, v| m.max(v.abs()));
            moved += usize::from(change > 1e-9 * row.logit.abs());
        });
        assert!(moved > 0, "no row moves away from neon-path");
    }

    /// The mix: a concentrated row (3 features hold all positive relevance) keeps `R0`'s
    /// bits; a spread one moves by `l = (1 - c)^2`; a row without positive relevance keeps
    /// `R0`; equal inputs give `R0`'s bits.
    #[test]
    fn mix_moves_spread_rows_only() {
        let mut first = [3.0, -1.0, 2.0, 1.0, -0.5];
        mix(&mut first, &[0.0; 5]);
        assert_eq!(first, [3.0, -1.0, 2.0, 1.0, -0.5]);
        // c = 3 / 4 on four equal values: l = 1 / 16.
        let mut first = [1.0, 1.0, 1.0, 1.0];
        mix(&mut first, &[0.0, 0.0, 0.0, 4.0]);
        assert_eq!(first, [0.9375, 0.9375, 0.9375, 1.1875]);
        let mut first = [-1.0, -2.0, 0.0, 0.0];
        mix(&mut first, &[1.0; 4]);
        assert_eq!(first, [-1.0, -2.0, 0.0, 0.0]);
        let mut first = [0.1, 0.3, 0.2, 0.7, 0.05, 0.4];
        let same = first;
        mix(&mut first, &same);
        assert_eq!(first, same);
    }
}
