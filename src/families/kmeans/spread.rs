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
use super::node_weights;
use super::path::{share, PathForms, PathScratch, PIECES};
use crate::explainer::Explanation;
use crate::network::dispatch::{dispatched, Level};
use crate::network::pool::softmin_weights_into;
use crate::network::scratch::grow;
use crate::network::{NeonRules, CHUNK_ROWS};
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
        let (targets, mut exact) = self.path_chunk_start(rows, beta, cluster, scratch, labels, out);
        grow(&mut scratch.near, n * k);
        grow(&mut scratch.second, d);
        let mut path_totals = [0.0; CHUNK_ROWS];
        let mut near_totals = [0.0; CHUNK_ROWS];
        let (b1, rest) = factors.split_at(k);
        let (b3, b5) = rest.split_at(k);
        for r in 0..n {
            let p_mean = &mut scratch.exps[r * k..(r + 1) * k];
            let q_mean = &mut scratch.near[r * k..(r + 1) * k];
            if exact[r] {
                // Finite weights for the chunk's products; the row's results are not used.
                p_mean.fill(0.0);
                q_mean.fill(0.0);
                continue;
            }
            let a = &scratch.pieces[r * k..(r + 1) * k];
            let means = (p_mean, q_mean);
            match node_weights::spread_weights(a, (b1, b3, b5), &mut scratch.terms, means) {
                Some(sums) => (path_totals[r], near_totals[r]) = sums,
                None => exact[r] = true,
            }
        }
        // R0, `neon-path`'s relevance, into the rows.
        let rel_path = rel.view_mut();
        let decided = (&path_totals[..], &targets[..]);
        self.share_pooled(
            rows,
            decided,
            reference,
            scratch,
            &mut exact,
            (out, rel_path),
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

dispatched!(
    /// `l = (1 - c)^2`, `c` the share of the positive relevance of `first` (`R0`) held by
    /// its [`TOP`] largest values (`c = 1`, so `l = 0`, without positive relevance).
    mix_weight, mix_weight_at, mix_weight_generic,
    (first: &[f64]) -> f64
);

#[inline(always)]
fn mix_weight_generic(first: &[f64]) -> f64 {
    // The largest values of max(R0_i, 0) in TRACKERS interleaved sorted triples (branch-free
    // and slot-major, so the trackers are vector lanes), then the largest of those and of the
    // rest; the positive sum in the same lanes.
    const TRACKERS: usize = 4;
    let mut tops = [[0.0_f64; TRACKERS]; TOP];
    let mut positive = [0.0; TRACKERS];
    let chunks = first.chunks_exact(TRACKERS);
    let rest = chunks.remainder();
    for chunk in chunks {
        let mut v = [0.0; TRACKERS];
        for ((v, &x), sum) in v.iter_mut().zip(chunk).zip(&mut positive) {
            *v = larger(x, 0.0);
            *sum += *v;
        }
        for slot in &mut tops {
            for (slot, v) in slot.iter_mut().zip(&mut v) {
                let low = smaller(*slot, *v);
                *slot = larger(*slot, *v);
                *v = low;
            }
        }
    }
    let mut best = [0.0; TOP];
    let mut total = (positive[0] + positive[1]) + (positive[2] + positive[3]);
    for &v in tops.iter().flatten() {
        insert_sorted(&mut best, v);
    }
    for &v in rest {
        let v = larger(v, 0.0);
        total += v;
        insert_sorted(&mut best, v);
    }
    let c = if total > 0.0 {
        (best.iter().sum::<f64>() / total).min(1.0)
    } else {
        1.0
    };
    (1.0 - c) * (1.0 - c)
}

/// Put `v` into the descending `top` if it is among its largest (the smallest drops out).
#[inline(always)]
fn insert_sorted(top: &mut [f64; TOP], mut v: f64) {
    for slot in top.iter_mut() {
        let low = smaller(*slot, v);
        *slot = larger(*slot, v);
        v = low;
    }
}

/// `max(a, b)` as one instruction (`b` where they are unordered).
#[inline(always)]
fn larger(a: f64, b: f64) -> f64 {
    if a > b {
        a
    } else {
        b
    }
}

/// `min(a, b)` as one instruction (`b` where they are unordered).
#[inline(always)]
fn smaller(a: f64, b: f64) -> f64 {
    if a < b {
        a
    } else {
        b
    }
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

    /// `mix_weight` on every compiled copy equals the weight from a full sort, for lengths
    /// around the trackers' width, with ties, negative values and no positive value.
    #[test]
    fn mix_weight_equals_the_sorted_definition_on_every_level() {
        let by_sorting = |v: &[f64]| {
            let mut p: Vec<f64> = v.iter().map(|&x| x.max(0.0)).collect();
            p.sort_by(|a, b| b.total_cmp(a));
            let total: f64 = p.iter().sum();
            let c = if total > 0.0 {
                (p.iter().take(TOP).sum::<f64>() / total).min(1.0)
            } else {
                1.0
            };
            (1.0 - c) * (1.0 - c)
        };
        let draws = crate::rng::test_matrix(40, 41, 7);
        for (n, row) in draws.outer_iter().enumerate() {
            let mut v = row.slice(ndarray::s![..n]).to_vec();
            if n % 5 == 0 && n > 2 {
                v[1] = v[0]; // a tie
            }
            let expected = by_sorting(&v);
            for level in Level::available() {
                let got = mix_weight_at(level, &v);
                assert!(
                    (got - expected).abs() <= 1e-15,
                    "n {n} {level:?}: {got} vs {expected}"
                );
            }
        }
        assert_eq!(mix_weight(&[-1.0, -2.0, -0.5, -3.0, 0.0]), 0.0);
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
