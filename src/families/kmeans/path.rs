//! `neon-path` for k-means: the reference-rooted split of `neon-ref` with the soft-min
//! weights taken along the path from the reference r to the row z instead of at z alone.
//!
//! The contrasts of the explained cluster t are linear, `h_k(x) = w_k . x + b_k` (`w_k =
//! 2 (mu_t - mu_k)`), so along `a(s) = r + s (z - r)` they are `h_k(a(s)) = h_k(r) + s (h_k(z) -
//! h_k(r))`. The path is cut into [`PIECES`] equal pieces; the weights are frozen at each
//! piece's midpoint `s_j = (j + 1/2) / PIECES`,
//!
//! `p_k(s_j) = exp(-beta (h_k(s_j) - min_l h_l(s_j))) / sum_l exp(-beta (h_l(s_j) - min_l h_l(s_j)))`,
//!
//! and each contrast's change over a piece, `w_k . (z - r) / PIECES`, splits exactly over
//! the features. Summed over the pieces, with `p̄_k = (1 / PIECES) sum_j p_k(s_j)`:
//!
//! `N_i = (sum_k p̄_k w_ik) (z_i - r_i)`,   `R_i = f_t N_i / sum_i' N_i'`
//!
//! (the logit `f_t` shared in proportion; the contrasts are those of t all along the path,
//! also where another cluster is nearer). Rows whose `sum N` is tiny (`<= 1e-12 sum |N_i|`)
//! or of the other sign than `f_t` (the reference lies deeper in t than the row) keep the
//! numerators and spread the rest evenly, `R_i = N_i + (f_t - sum_i' N_i') / d`, which keeps
//! the ranking of the numerators; both forms sum to `f_t`. Numerators that are not finite
//! (rows near the edge of f64) give `R_i = f_t / d`.
//!
//! In batch the contrasts at `s_j` come from the scores of [`super::batch`] (affine in z,
//! so `s_k(a(s)) = (1 - s) s_k(r) + s s_k(z)`), and ONE exponential per row x cluster pair
//! serves all three pieces: with `A_k = exp(-beta (s_k(z) - min_(l != t) s_l(z)) / 6)` and
//! per-call constants `B_jk = exp(-beta (1 - s_j) (s_k(r) - min_l s_l(r)))`, the weights at
//! `s_j = 1/6, 1/2, 5/6` are `p_k(s_j) ∝ B_jk A_k^(6 s_j)` = `B_jk A_k`, `B_jk A_k^3`,
//! `B_jk A_k^5` (factors common to all k cancel in the normalization). Every term is at most
//! 1 and the largest at least `e^(-beta (max_l s_l(r) - min_l s_l(r)))`, so the form runs
//! where that spread is at most 600 (terms lost to underflow below `1e-47` of their sum);
//! elsewhere, and on rows the batch bound cannot decide, the exact contrasts
//! ([`ClusterNetwork::logit_of_row`]) and one soft-min per piece. The pull `sum_k p̄_k (m_t -
//! m_k)` (`m_k = mu_k - o`) is one matrix product per chunk.

use super::batch::{self, BatchScratch};
use super::explain::explain_by_chunks;
use super::network::{ClusterNetwork, RowScratch};
use super::node_weights;
use crate::explainer::Explanation;
use crate::network::dispatch::{dispatched, Level};
use crate::network::pool::softmin_weights_into;
use crate::network::scratch::{grow, with_local};
use crate::network::{lanes, NeonRules, CHUNK_ROWS};
use ndarray::{ArrayView2, ArrayViewMut2};

/// Pieces of the path from the reference to the row (3: the fewest with which the held-out
/// k-means sets stop improving, docs/faithfulness.md). The batch pass's powers
/// `A^1, A^3, A^5` are those of 3 pieces.
pub(crate) const PIECES: usize = 3;

/// The largest `beta (max_k s_k(r) - min_k s_k(r))` for which the batch pass's one-exponential
/// form runs (module docs).
const SPREAD_LIMIT: f64 = 600.0;

// The batch pass's powers A, A^3, A^5 are those of the midpoints 1/6, 1/2, 5/6.
const _: () = assert!(PIECES == 3);

/// The midpoint `s_j = (j + 1/2) / PIECES` of piece j.
pub(super) fn piece_midpoint(j: usize) -> f64 {
    (j as f64 + 0.5) / PIECES as f64
}

/// Per-row buffers of the exact path.
pub(super) struct PathScratch {
    contrasts: RowScratch,
    /// The contrasts of the explained cluster at the row and at the reference.
    pub(super) at_row: Vec<f64>,
    pub(super) at_reference: Vec<f64>,
    pub(super) along: Vec<f64>,
    pub(super) p: Vec<f64>,
    pub(super) p_mean: Vec<f64>,
    pub(super) numerators: Vec<f64>,
}

/// The batch pass of a path rule over one chunk: labels, logits and relevances of the rows it
/// can decide; returns which rows need the exact form.
pub(super) type BatchPass = fn(
    &ClusterNetwork,
    ArrayView2<f64>,
    f64,
    Option<usize>,
    &mut BatchScratch,
    (&[f64], &[f64]),
    &mut [usize],
    &mut [f64],
    ArrayViewMut2<f64>,
) -> [bool; CHUNK_ROWS];

/// The exact per-row form of a path rule: `(z, candidate, cluster, beta, reference, scratch,
/// relevance out)` to the row's label and explained logit.
pub(super) type ExactRow<S> = fn(
    &ClusterNetwork,
    &[f64],
    usize,
    Option<usize>,
    f64,
    &[f64],
    &mut S,
    &mut [f64],
) -> (usize, f64);

/// A path rule's two forms and its per-row scratch ([`ClusterNetwork::explain_along_path`]).
pub(super) struct PathForms<S> {
    /// The batch pass over one chunk.
    pub(super) batch: BatchPass,
    /// The per-row form's scratch, made once per chunk that needs it.
    pub(super) scratch: fn(&ClusterNetwork) -> S,
    /// The exact per-row form.
    pub(super) exact: ExactRow<S>,
}

impl<S> Clone for PathForms<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for PathForms<S> {}

impl ClusterNetwork {
    /// `neon-path` for every row of `z` (standardized), explaining `cluster` or each row's
    /// assigned cluster.
    pub(super) fn explain_path_rows(
        &self,
        z: ArrayView2<f64>,
        rules: &NeonRules<'_>,
        cluster: Option<usize>,
    ) -> Explanation {
        let forms = PathForms {
            batch: Self::path_chunk,
            scratch: Self::path_scratch,
            exact: Self::path_row_exact,
        };
        self.explain_along_path(z, rules, cluster, forms)
    }

    /// A path rule over every row of `z`: in parallel chunks, the batch pass where the
    /// reference's factors allow it ([`reference_factors`]), and the exact per-row form on
    /// the rows it leaves (or on every row).
    pub(super) fn explain_along_path<S>(
        &self,
        z: ArrayView2<f64>,
        rules: &NeonRules<'_>,
        cluster: Option<usize>,
        forms: PathForms<S>,
    ) -> Explanation {
        let reference = rules.reference.to_vec();
        let factors = reference_factors(&self.reference_scores(&reference), rules.beta);
        explain_by_chunks(z, |rows, labels, out, mut rel| {
            with_local(&batch::SCRATCH, |scratch| {
                let exact = match &factors {
                    Some(factors) => (forms.batch)(
                        self,
                        rows,
                        rules.beta,
                        cluster,
                        scratch,
                        (&reference, factors),
                        labels,
                        out,
                        rel.view_mut(),
                    ),
                    None => {
                        // Every row by the exact form; it needs the candidates' scores.
                        self.chunk_scores(rows, scratch);
                        [true; CHUNK_ROWS]
                    }
                };
                let mut per_row: Option<S> = None;
                for r in (0..rows.nrows()).filter(|&r| exact[r]) {
                    let s = per_row.get_or_insert_with(|| (forms.scratch)(self));
                    let z = rows.row(r);
                    let z = z.to_slice().expect("owned rows");
                    let k = self.n_clusters();
                    let candidate = batch::candidate(&scratch.scores[r * k..(r + 1) * k]);
                    let mut row = rel.row_mut(r);
                    let row = row.as_slice_mut().expect("owned");
                    (labels[r], out[r]) =
                        (forms.exact)(self, z, candidate, cluster, rules.beta, &reference, s, row);
                }
            });
        })
    }

    pub(super) fn path_scratch(&self) -> PathScratch {
        let (k, d) = (self.n_clusters(), self.n_features());
        PathScratch {
            contrasts: self.scratch(),
            at_row: vec![0.0; k - 1],
            at_reference: vec![0.0; k - 1],
            along: vec![0.0; k - 1],
            p: vec![0.0; k - 1],
            p_mean: vec![0.0; k - 1],
            numerators: vec![0.0; d],
        }
    }

    /// The scores `s_k(r) = ||m_k||^2 - 2 (r - o).m_k` of the reference ([`super::batch`]).
    pub(super) fn reference_scores(&self, reference: &[f64]) -> Vec<f64> {
        let centered: Vec<f64> = reference
            .iter()
            .zip(&self.origin)
            .map(|(&r, &o)| r - o)
            .collect();
        self.centered
            .outer_iter()
            .zip(&self.centered_norms)
            .map(|(m, &norm)| {
                let dot: f64 = m.iter().zip(&centered).map(|(&m, &a)| m * a).sum();
                norm - 2.0 * dot
            })
            .collect()
    }

    /// The batch pass over one chunk: labels, logits and relevances of every row it can
    /// decide; returns which rows need the exact path. `factors`: `B_jk`, pieces x clusters.
    #[allow(clippy::too_many_arguments)]
    fn path_chunk(
        &self,
        rows: ArrayView2<f64>,
        beta: f64,
        cluster: Option<usize>,
        scratch: &mut BatchScratch,
        (reference, factors): (&[f64], &[f64]),
        labels: &mut [usize],
        out: &mut [f64],
        rel: ArrayViewMut2<f64>,
    ) -> [bool; CHUNK_ROWS] {
        let (n, k) = (rows.nrows(), self.n_clusters());
        let (targets, mut exact) = self.path_chunk_start(rows, beta, cluster, scratch, labels, out);
        let mut p_totals = [0.0; CHUNK_ROWS];
        let (b1, rest) = factors.split_at(k);
        let (b3, b5) = rest.split_at(k);
        for r in 0..n {
            let p_mean = &mut scratch.exps[r * k..(r + 1) * k];
            if exact[r] {
                // Finite weights for the chunk's product; the row's result is not used.
                p_mean.fill(0.0);
                continue;
            }
            let a = &scratch.pieces[r * k..(r + 1) * k];
            match node_weights::path_weights(a, (b1, b3, b5), &mut scratch.terms, p_mean) {
                Some(sum) => p_totals[r] = sum,
                None => exact[r] = true,
            }
        }
        let decided = (&p_totals[..], &targets[..]);
        self.share_pooled(rows, decided, reference, scratch, &mut exact, (out, rel));
        exact
    }

    /// The start of the path rules' chunk pass (`neon-path`, `neon-spread`): the chunk's
    /// scores, the labels and logits of the rows the bound decides (into `labels`, `out`),
    /// and `A_k = exp(-v_k)` in `scratch.pieces` (rows x clusters) with `v_k = beta (s_k -
    /// min_(l != t) s_l) / 6`, `v_t = +inf` (module docs). Grows the buffers both rules use.
    /// Returns each row's explained cluster and which rows need the exact form.
    pub(super) fn path_chunk_start(
        &self,
        rows: ArrayView2<f64>,
        beta: f64,
        cluster: Option<usize>,
        scratch: &mut BatchScratch,
        labels: &mut [usize],
        out: &mut [f64],
    ) -> ([usize; CHUNK_ROWS], [bool; CHUNK_ROWS]) {
        let (n, d) = rows.dim();
        let k = self.n_clusters();
        self.chunk_scores(rows, scratch);
        grow(&mut scratch.pieces, n * k);
        grow(&mut scratch.exps, n * k);
        grow(&mut scratch.pulled, n * d);
        grow(&mut scratch.row, d);
        grow(&mut scratch.terms, 4 * k);
        let decided = self.decide_chunk(
            rows,
            &scratch.centered,
            &scratch.scores,
            cluster,
            beta / (2 * PIECES) as f64,
            &mut scratch.pieces,
            labels,
            out,
        );
        // A_t = exp(-inf) = 0 exactly.
        lanes::exp_sum_inplace(&mut scratch.pieces[..n * k], 0.0, 1.0);
        decided
    }

    /// `neon-path`'s relevance of every decided row into `rel`: with the path weights
    /// `p̄` in `scratch.exps` (rows x clusters, row sums `totals`), the numerators
    /// `N_i = (sum_k p̄_k w_ik) (z_i - r_i)`, `sum_k p̄_k w_ik = 2 (m_ti sum_k p̄_k - (P̄ M)_i)`,
    /// shared into each row's logit (`out`; `targets` the rows' explained clusters).
    pub(super) fn share_pooled(
        &self,
        rows: ArrayView2<f64>,
        (totals, targets): (&[f64], &[usize]),
        reference: &[f64],
        scratch: &mut BatchScratch,
        exact: &mut [bool; CHUNK_ROWS],
        (out, mut rel): (&[f64], ArrayViewMut2<f64>),
    ) {
        self.pooled_numerators(
            rows,
            (&scratch.exps, totals, targets),
            reference,
            2.0,
            (&mut scratch.pulled, &mut scratch.row),
            exact,
            |r, numerators| {
                let mut row = rel.row_mut(r);
                share(numerators, out[r], row.as_slice_mut().expect("owned"));
                false
            },
        );
    }

    /// One row by the exact contrasts: its assigned cluster and explained logit, its
    /// relevance written into `out`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn path_row_exact(
        &self,
        z: &[f64],
        candidate: usize,
        cluster: Option<usize>,
        beta: f64,
        reference: &[f64],
        s: &mut PathScratch,
        out: &mut [f64],
    ) -> (usize, f64) {
        let (label, target, logit) =
            self.logit_of_row(z, candidate, cluster, &mut s.contrasts, false);
        s.at_row.copy_from_slice(&s.contrasts.h);
        self.contrasts(reference, target, &mut s.contrasts, false);
        s.at_reference.copy_from_slice(&s.contrasts.h);
        s.p_mean.fill(0.0);
        for j in 0..PIECES {
            let along = piece_midpoint(j);
            for ((h, &at_r), &at_z) in s.along.iter_mut().zip(&s.at_reference).zip(&s.at_row) {
                *h = at_r + along * (at_z - at_r);
            }
            softmin_weights_into(&s.along, beta, &mut s.p);
            for (m, &p) in s.p_mean.iter_mut().zip(&s.p) {
                *m += p / PIECES as f64;
            }
        }
        let weights = self.contrast(target).linear().weights();
        for (i, n) in s.numerators.iter_mut().enumerate() {
            let pulled: f64 = s
                .p_mean
                .iter()
                .enumerate()
                .map(|(unit, p)| p * weights[[unit, i]])
                .sum();
            *n = pulled * (z[i] - reference[i]);
        }
        share(&s.numerators, logit, out);
        (label, logit)
    }
}

/// `B_jk = exp(-beta (1 - s_j) (s_k(r) - min_l s_l(r)))` for the pieces' midpoints
/// `s_j = 1/6, 1/2, 5/6` (pieces x clusters), or `None` where `beta (max - min)` of the
/// reference's scores is not finite or above [`SPREAD_LIMIT`] (module docs).
pub(super) fn reference_factors(reference_scores: &[f64], beta: f64) -> Option<Vec<f64>> {
    let min = reference_scores
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min);
    let max = reference_scores
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    let spread = beta * (max - min);
    if !(spread.is_finite() && spread <= SPREAD_LIMIT) {
        return None;
    }
    Some(
        (0..PIECES)
            .flat_map(|j| {
                let weight = beta * (1.0 - piece_midpoint(j));
                reference_scores
                    .iter()
                    .map(move |&b| (-weight * (b - min)).exp())
            })
            .collect(),
    )
}

/// `R_i = f N_i / sum N` where that sum is usable (not tiny, of f's sign), else
/// `R_i = N_i + (f - sum N) / d`; `f / d` on every feature for non-finite numerators.
pub(crate) fn share(numerators: &[f64], f: f64, out: &mut [f64]) {
    let d = numerators.len() as f64;
    let (sum, magnitude) = sum_and_magnitude(numerators);
    if !(sum.is_finite() && magnitude.is_finite()) {
        out.fill(f / d);
    } else if f != 0.0 && sum.abs() > 1e-12 * magnitude && (sum > 0.0) == (f > 0.0) {
        let scale = f / sum;
        for (r, &n) in out.iter_mut().zip(numerators) {
            *r = scale * n;
        }
    } else {
        let rest = (f - sum) / d;
        for (r, &n) in out.iter_mut().zip(numerators) {
            *r = n + rest;
        }
    }
}

dispatched!(
    /// `(sum_i v_i, sum_i |v_i|)`, each in four interleaved partial sums (a fixed order).
    sum_and_magnitude, sum_and_magnitude_at, sum_and_magnitude_generic,
    (v: &[f64]) -> (f64, f64)
);

#[inline(always)]
fn sum_and_magnitude_generic(v: &[f64]) -> (f64, f64) {
    let (mut sum, mut magnitude) = ([0.0; 4], [0.0; 4]);
    let chunks = v.chunks_exact(4);
    let rest = chunks.remainder();
    for chunk in chunks {
        for ((s, m), &v) in sum.iter_mut().zip(&mut magnitude).zip(chunk) {
            *s += v;
            *m += v.abs();
        }
    }
    let fold = |acc: [f64; 4]| (acc[0] + acc[1]) + (acc[2] + acc[3]);
    rest.iter()
        .fold((fold(sum), fold(magnitude)), |(s, m), &v| {
            (s + v, m + v.abs())
        })
}

#[cfg(test)]
mod tests {
    use super::super::test_rows::assert_batch_agrees_with_exact;
    use super::*;
    use crate::method::RuleSet;

    /// The batch pass agrees with the exact per-row form: the same labels and logits (bits),
    /// relevances within rounding of the soft-min weights, every row conserving the logit;
    /// rows on a boundary, at a centroid, at the reference and very far away included.
    #[test]
    fn the_batch_neon_path_agrees_with_the_exact_per_row_form() {
        let mut fallbacks = 0;
        let forms = PathForms {
            batch: ClusterNetwork::path_chunk,
            scratch: ClusterNetwork::path_scratch,
            exact: ClusterNetwork::path_row_exact,
        };
        assert_batch_agrees_with_exact(RuleSet::NeonPath, forms, |row| {
            let sum: f64 = row.scratch.numerators.iter().sum();
            fallbacks += usize::from((sum > 0.0) != (row.logit > 0.0));
        });
        assert!(
            fallbacks > 0,
            "no row spreads the rest of a wrong-signed sum"
        );
    }

    /// `share`: proportional where the sum is usable, the rest spread evenly where it is not,
    /// `f / d` for non-finite numerators; every form sums to f.
    #[test]
    fn share_conserves_in_every_branch() {
        let mut out = [0.0; 3];
        share(&[1.0, 2.0, 1.0], 8.0, &mut out);
        assert_eq!(out, [2.0, 4.0, 2.0]);
        share(&[1.0, -3.0, 0.5], 3.0, &mut out);
        assert_eq!(out, [2.5, -1.5, 2.0]);
        share(&[f64::INFINITY, 1.0, 0.0], 3.0, &mut out);
        assert_eq!(out, [1.0, 1.0, 1.0]);
        share(&[0.0, 0.0, 0.0], 0.0, &mut out);
        assert_eq!(out, [0.0, 0.0, 0.0]);
    }
}
