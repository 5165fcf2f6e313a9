//! `neon-ref`, the default explanation of k-means, in batch: two matrix products per chunk of
//! rows and O(K + d) per row.
//!
//! `neon-ref` gives feature i the share `N_i / sum_j N_j` of the logit `f_t`, with
//! `N_i = q_i (z_i - r_i)` (r the reference) and the pull `q_i = sum_{k != t} p_k w_ik`,
//! `p_k = e_k / sum_j e_j`, `e_k = exp(-beta (h_k - min_j h_j))`, `w_k = 2 (mu_t - mu_k)`.
//! The share is unchanged by a positive factor on q, so with `m_k = mu_k - o` (o the
//! centroids' mean) the batch pass uses
//!
//! `q_i ∝ sum_k e_k (m_ti - m_ki) = m_ti sum_k e_k - (E M)_i`,
//!
//! `E` the rows x clusters matrix of `e_k` (`e_t = 0`): one matrix product for the whole
//! chunk. The `e_k` come from the scores of [`super::batch`] (`h_k - min_j h_j = s_k -
//! min_j s_j` in real arithmetic, within the batch bound of the exact contrasts, so
//! `p_k` agrees with the per-row form to `beta` times that bound); the logit is the exact
//! one of the batch pass. Rows whose numerators are not usable (a tiny or wrong-signed sum,
//! where `neon-ref` keeps the NEON relevance) and rows the batch bound cannot decide take the
//! per-row path of [`ClusterNetwork::explain_row`].

use super::batch::{self, BatchScratch};
use super::explain::{explain_by_chunks, ExplainScratch};
use super::network::ClusterNetwork;
use crate::explainer::Explanation;
use crate::lrp::rescale::rescale_into;
use crate::network::scratch::{grow, with_local};
use crate::network::{lanes, NeonRules, CHUNK_ROWS};
use ndarray::{ArrayView2, ArrayViewMut2};

impl ClusterNetwork {
    /// `neon-ref` for every row of `z` (standardized), explaining `cluster` or each row's
    /// assigned cluster.
    pub(super) fn explain_reference_rows(
        &self,
        z: ArrayView2<f64>,
        rules: &NeonRules<'_>,
        cluster: Option<usize>,
    ) -> Explanation {
        let reference = rules.reference.to_vec();
        explain_by_chunks(z, |rows, labels, out, mut rel| {
            with_local(&batch::SCRATCH, |scratch| {
                let exact = self.reference_chunk(
                    rows,
                    rules,
                    cluster,
                    scratch,
                    labels,
                    out,
                    &reference,
                    rel.view_mut(),
                );
                let mut per_row: Option<ExplainScratch> = None;
                for r in (0..rows.nrows()).filter(|&r| exact[r]) {
                    let s = per_row.get_or_insert_with(|| ExplainScratch::new(self));
                    self.reference_row_exact(
                        rows,
                        r,
                        &scratch.scores,
                        rules,
                        cluster,
                        s,
                        labels,
                        out,
                        rel.view_mut(),
                    );
                }
            });
        })
    }

    /// The batch pass over one chunk: labels, logits and relevances of every row it can
    /// decide; returns which rows need the per-row path.
    #[allow(clippy::too_many_arguments)]
    fn reference_chunk(
        &self,
        rows: ArrayView2<f64>,
        rules: &NeonRules<'_>,
        cluster: Option<usize>,
        scratch: &mut BatchScratch,
        labels: &mut [usize],
        out: &mut [f64],
        reference: &[f64],
        mut rel: ArrayViewMut2<f64>,
    ) -> [bool; CHUNK_ROWS] {
        let (n, d) = rows.dim();
        let k = self.n_clusters();
        self.chunk_scores(rows, scratch);
        grow(&mut scratch.exps, n * k);
        grow(&mut scratch.pulled, n * d);
        grow(&mut scratch.row, d);
        let mut totals = [0.0; CHUNK_ROWS];
        // v_k = beta (s_k - min_j s_j) over the competitors k != t, v_t = +inf.
        let (targets, mut exact) = self.decide_chunk(
            rows,
            &scratch.centered,
            &scratch.scores,
            cluster,
            rules.beta,
            &mut scratch.exps,
            labels,
            out,
        );
        // e_k = exp(-v_k) for the whole chunk in one pass (e_t = exp(-inf) = 0 exactly).
        lanes::exp_sum_inplace(&mut scratch.exps[..n * k], 0.0, 1.0);
        for (r, e) in scratch.exps[..n * k].chunks_exact(k).enumerate() {
            let total = lanes::sum_unrolled8(e);
            totals[r] = total;
            exact[r] |= !(total.is_finite() && total > 0.0);
        }
        self.pooled_numerators(
            rows,
            (&scratch.exps, &totals, &targets),
            reference,
            1.0,
            (&mut scratch.pulled, &mut scratch.row),
            &mut exact,
            |r, numerators| {
                let sum: f64 = numerators.iter().sum();
                let magnitude: f64 = numerators.iter().map(|n| n.abs()).sum();
                // `rescale::usable`'s test: a sum that is not tiny, of the logit's sign.
                let f = out[r];
                let usable = f != 0.0 && sum.abs() > 1e-12 * magnitude && (sum > 0.0) == (f > 0.0);
                if usable {
                    let scale = f / sum;
                    let mut row = rel.row_mut(r);
                    let row = row.as_slice_mut().expect("owned");
                    for (r, &n) in row.iter_mut().zip(numerators) {
                        *r = scale * n;
                    }
                }
                !usable
            },
        );
        exact
    }

    /// Row r of the chunk by the per-row path (the exact scan where needed, the NEON relevance
    /// where the numerators are not usable).
    #[allow(clippy::too_many_arguments)]
    fn reference_row_exact(
        &self,
        rows: ArrayView2<f64>,
        r: usize,
        scores: &[f64],
        rules: &NeonRules<'_>,
        cluster: Option<usize>,
        s: &mut ExplainScratch,
        labels: &mut [usize],
        out: &mut [f64],
        mut rel: ArrayViewMut2<f64>,
    ) {
        let k = self.n_clusters();
        let bounds = rules.bounds.map(|(l, h)| (l.to_vec(), h.to_vec()));
        let bounds = bounds.as_ref().map(|(l, h)| (l.as_slice(), h.as_slice()));
        let z = rows.row(r);
        let z = z.to_slice().expect("owned rows");
        let candidate = batch::candidate(&scores[r * k..(r + 1) * k]);
        let mut row_out = rel.row_mut(r);
        row_out.fill(0.0);
        let row_slice = row_out.as_slice_mut().expect("owned");
        (labels[r], out[r]) = self.explain_row(z, candidate, cluster, rules, bounds, s, row_slice);
        rescale_into(&s.numerators, out[r], 0.0, row_out);
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_rows::{assert_row_agrees, for_each_case};
    use crate::method::RuleSet;

    /// The batch `neon-ref` agrees with the per-row form: the same labels and logits (bits),
    /// relevances within rounding of the soft-min weights, every row conserving the logit;
    /// rows on a boundary and at a centroid (where the numerators may be unusable) included.
    #[test]
    fn the_batch_neon_ref_agrees_with_the_per_row_form() {
        for_each_case(
            21,
            0.0,
            RuleSet::NeonRef,
            |net, z, _, rules, beta, cluster| {
                let batch = net.explain_reference_rows(z.view(), rules, cluster);
                let per_row = net.explain_rows(z.view(), rules, cluster);
                assert_eq!(
                    format!("{:?}", batch.prediction),
                    format!("{:?}", per_row.prediction)
                );
                for r in 0..z.nrows() {
                    let f = per_row.output[r];
                    assert_eq!(batch.output[r].to_bits(), f.to_bits(), "row {r}");
                    assert_row_agrees(beta, r, batch.relevance.row(r), per_row.relevance.row(r), f);
                }
            },
        );
    }
}
