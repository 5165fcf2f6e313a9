//! The batch pass of k-means: candidate scores of a chunk of rows from one matrix product,
//! then the exact logit from only the contrasts that a rounding bound leaves in the race.
//!
//! With `o` the centroids' mean, the scores `s_k = ||mu_k - o||^2 - 2 (z - o).(mu_k - o)`
//! differ from the squared distances `||z - mu_k||^2` by `||z - o||^2`, the same for every
//! k, so the contrasts of cluster t are `h_k = s_k - s_t` in real arithmetic. The computed
//! scores (`u` the unit roundoff, `A = ||z - o||`, `M = max_k ||mu_k - o||`) obey
//!
//! `|fl(s_k) - s_k| <= (d + 4) u (2 A M + M^2)`,
//!
//! and the computed midpoint contrasts (`Z = ||z||`, `N = max_k ||mu_k||`, `w_k = 2 (mu_t -
//! mu_k)`, so `||w_k|| <= 4 M`)
//!
//! `|fl(h_k) - h_k| <= (d + 2) u sum_i |w_ik| (|z_i| + |mu_ti| + |mu_ki|) <= (d + 2) u 4 M (Z + 2 N)`.
//!
//! So every computed contrast is within `E = 2 (d + 4) u (2 A M + M^2) + (d + 2) u 4 M (Z + 2 N)`
//! of `fl(s_k) - fl(s_t)`, and the smallest computed contrast is among the k with
//! `fl(s_k) <= min_{j != t} fl(s_j) + 2 E` (any other k has `fl(h_k) > fl(h_j*)`, `j*` the
//! smallest score). [`tolerance`] is `2 E` with a factor 2 to spare. The logit `f_t = min_k
//! fl(h_k)` taken over those few k is therefore the bits of the full minimum: the forward pass
//! costs one matrix product plus O(d) per row instead of the K contrasts' O(K d). Where the
//! bound cannot decide (non-finite sizes, a zero logit, a candidate with `f_c <= 0`), the
//! callers fall back to the exact scan.

use super::network::ClusterNetwork;
use crate::network::scratch::grow;
use crate::network::{lanes, CHUNK_ROWS};
use ndarray::linalg::general_mat_mul;
use ndarray::{ArrayView1, ArrayView2, ArrayViewMut2};
use std::cell::RefCell;

/// The centroid sizes of the rounding bound: `M = max_k ||mu_k - o||` and `N = max_k ||mu_k||`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CentroidSizes {
    centered_max: f64,
    max_norm: f64,
}

impl CentroidSizes {
    pub(super) fn new(centroids: ArrayView2<f64>, centered_norms: ArrayView1<f64>) -> Self {
        let centered_max = centered_norms
            .iter()
            .fold(0.0, |m: f64, &n| m.max(n))
            .sqrt();
        let max_norm = centroids
            .outer_iter()
            .map(|mu| mu.dot(&mu))
            .fold(0.0, f64::max)
            .sqrt();
        CentroidSizes {
            centered_max,
            max_norm,
        }
    }
}

/// Per-thread buffers of the batch pass, grown on demand and reused across chunks.
#[derive(Debug, Default)]
pub(super) struct BatchScratch {
    /// `z - o`, rows x features.
    pub centered: Vec<f64>,
    /// Scores, rows x clusters.
    pub scores: Vec<f64>,
    /// `neon-ref`'s soft-min weights (unnormalized), rows x clusters.
    pub exps: Vec<f64>,
    /// `neon-path`'s exponentials, rows x pieces x clusters.
    pub pieces: Vec<f64>,
    /// `neon-spread`'s weights nearer the row, rows x clusters.
    pub near: Vec<f64>,
    /// `neon-ref`'s pull products, rows x features.
    pub pulled: Vec<f64>,
    /// One row's values (d features).
    pub row: Vec<f64>,
    /// `neon-spread`'s second relevance of one row (d features).
    pub second: Vec<f64>,
    /// The path rules' node terms of one row (up to 4 x clusters).
    pub terms: Vec<f64>,
}

thread_local! {
    pub(super) static SCRATCH: RefCell<BatchScratch> = RefCell::default();
}

impl ClusterNetwork {
    /// Fill `scratch.centered` with `z - o` and `scratch.scores` with the scores `s_k` of the
    /// rows of `z` (one matrix product).
    pub(super) fn chunk_scores(&self, z: ArrayView2<f64>, scratch: &mut BatchScratch) {
        let (n, d) = z.dim();
        let k = self.n_clusters();
        grow(&mut scratch.centered, n * d);
        grow(&mut scratch.scores, n * k);
        let origin = self.origin.as_slice().expect("owned");
        let centered = &mut scratch.centered[..n * d];
        for (a, z) in centered.chunks_exact_mut(d).zip(z.outer_iter()) {
            let z = z.to_slice().expect("owned rows");
            for ((a, &z), &o) in a.iter_mut().zip(z).zip(origin) {
                *a = z - o;
            }
        }
        let a = ArrayView2::from_shape((n, d), &*centered).expect("sized buffer");
        let mut s =
            ArrayViewMut2::from_shape((n, k), &mut scratch.scores[..n * k]).expect("sized buffer");
        general_mat_mul(-2.0, &a, &self.centered.t(), 0.0, &mut s);
        let norms = self.centered_norms.as_slice().expect("owned");
        for row in scratch.scores[..n * k].chunks_exact_mut(k) {
            for (s, &norm) in row.iter_mut().zip(norms) {
                *s += norm;
            }
        }
    }

    /// `2 E` (module docs) with a factor 2 to spare, for the row `z` and its centered `a`.
    fn tolerance(&self, z: &[f64], a: &[f64]) -> f64 {
        let norm = |v: &[f64]| squares(v).sqrt();
        let (a, z_norm) = (norm(a), norm(z));
        let (m, n) = (self.sizes.centered_max, self.sizes.max_norm);
        let d = self.n_features() as f64 + 8.0;
        // 4 d eps = 8 d u: twice 2 E; the last term covers underflow.
        4.0 * d * f64::EPSILON * (2.0 * a * m + m * m + 4.0 * m * (z_norm + 2.0 * n))
            + 16.0 * d * f64::MIN_POSITIVE
    }

    /// Assigned cluster, explained cluster and its exact logit of one row from its scores
    /// `s` (`a` = `z - o`), or `None` where the bound cannot decide (the caller then runs the
    /// exact scan). The logit has the bits of [`ClusterNetwork::logit_of_row`]'s.
    pub(super) fn batch_logit(
        &self,
        z: &[f64],
        a: &[f64],
        s: &[f64],
        cluster: Option<usize>,
    ) -> Option<(usize, usize, f64)> {
        let tol = self.tolerance(z, a);
        if !tol.is_finite() {
            return None;
        }
        let c = candidate(s);
        let f_c = self.subset_logit(z, c, s, tol)?;
        // f_c > 0: c is the assigned cluster (module docs of `network`); else the scan decides.
        if f_c <= 0.0 {
            return None;
        }
        let target = cluster.unwrap_or(c);
        let logit = if target == c {
            f_c
        } else {
            self.subset_logit(z, target, s, tol)?
        };
        Some((c, target, logit))
    }

    /// The rows of a chunk the bound decides: their labels and logits (into `labels`, `out`)
    /// and the soft-min exponents of the explained cluster t's competitors,
    /// `v_k = scale (s_k - min_{l != t} s_l)` with `v_t = +inf` (row r's into
    /// `exponents[r k..(r + 1) k]`). Returns each row's explained cluster and which rows need
    /// the exact path (their exponents are all +inf). `centered` and `scores` are the chunk's
    /// `z - o` and scores from [`ClusterNetwork::chunk_scores`].
    #[allow(clippy::too_many_arguments)]
    pub(super) fn decide_chunk(
        &self,
        rows: ArrayView2<f64>,
        centered: &[f64],
        scores: &[f64],
        cluster: Option<usize>,
        scale: f64,
        exponents: &mut [f64],
        labels: &mut [usize],
        out: &mut [f64],
    ) -> ([usize; CHUNK_ROWS], [bool; CHUNK_ROWS]) {
        let (n, d) = rows.dim();
        let k = self.n_clusters();
        let mut targets = [0usize; CHUNK_ROWS];
        let mut exact = [false; CHUNK_ROWS];
        for r in 0..n {
            let z = rows.row(r);
            let z = z.to_slice().expect("owned rows");
            let a = &centered[r * d..(r + 1) * d];
            let s = &scores[r * k..(r + 1) * k];
            let v = &mut exponents[r * k..(r + 1) * k];
            let Some((c, t, logit)) = self.batch_logit(z, a, s, cluster) else {
                exact[r] = true;
                v.fill(f64::INFINITY);
                continue;
            };
            (labels[r], out[r], targets[r]) = (c, logit, t);
            let s_min = lanes::min(&s[..t]).min(lanes::min(&s[t + 1..]));
            for (v, &s) in v.iter_mut().zip(s) {
                *v = scale * (s - s_min);
            }
            v[t] = f64::INFINITY;
        }
        (targets, exact)
    }

    /// The reference-rooted numerators of every row of a chunk not marked `exact`:
    /// `N_i = factor (m_ti P_r - (W M)_ri) (z_i - r_i)`, with `W` the chunk's pooling weights
    /// (rows x clusters, from `weights`), `P_r = totals[r]` their row sums, `M` the centered
    /// centroids and `t` the row's explained cluster (one GEMM for the whole chunk). Each
    /// row's numerators go to `finish(r, numerators)`, which returns whether the row needs
    /// the exact path after all.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn pooled_numerators(
        &self,
        rows: ArrayView2<f64>,
        (weights, totals, targets): (&[f64], &[f64], &[usize]),
        reference: &[f64],
        factor: f64,
        (pulled, numerators): (&mut [f64], &mut [f64]),
        exact: &mut [bool; CHUNK_ROWS],
        mut finish: impl FnMut(usize, &[f64]) -> bool,
    ) {
        let (n, d) = rows.dim();
        let k = self.n_clusters();
        let w = ArrayView2::from_shape((n, k), &weights[..n * k]).expect("sized buffer");
        let mut pulled_rows =
            ArrayViewMut2::from_shape((n, d), &mut pulled[..n * d]).expect("sized buffer");
        general_mat_mul(1.0, &w, &self.centered, 0.0, &mut pulled_rows);
        let numerators = &mut numerators[..d];
        for r in 0..n {
            if exact[r] {
                continue;
            }
            let m_t = self.centered.row(targets[r]);
            let m_t = m_t.to_slice().expect("owned");
            let q = &pulled[r * d..(r + 1) * d];
            let z = rows.row(r);
            let z = z.to_slice().expect("owned rows");
            for ((((n, &q), &m), &z), &ref_i) in
                numerators.iter_mut().zip(q).zip(m_t).zip(z).zip(reference)
            {
                *n = factor * (m * totals[r] - q) * (z - ref_i);
            }
            exact[r] |= finish(r, numerators);
        }
    }

    /// `min_k fl(h_k)` of cluster t over the k whose scores are within `tol` of the smallest
    /// (`None` for a non-finite smallest score, a NaN or a zero, whose sign the full
    /// minimum decides).
    fn subset_logit(&self, z: &[f64], t: usize, s: &[f64], tol: f64) -> Option<f64> {
        let s_min = lanes::min(&s[..t]).min(lanes::min(&s[t + 1..]));
        if !s_min.is_finite() {
            return None;
        }
        let threshold = s_min + tol;
        let mut logit = f64::INFINITY;
        for (k, &v) in s.iter().enumerate() {
            if v <= threshold && k != t {
                let h = self.exact_contrast(z, t, k);
                if h.is_nan() {
                    return None;
                }
                logit = logit.min(h);
            }
        }
        (logit.is_finite() && logit != 0.0).then_some(logit)
    }

    /// `fl(h_k)` of cluster t: `sum_i (z_i - (mu_ti + mu_ki) / 2) (2 (mu_ti - mu_ki))` summed in
    /// order from `-0.0`, the bits of `lanes::midpoint_contrasts`.
    pub(super) fn exact_contrast(&self, z: &[f64], t: usize, k: usize) -> f64 {
        let c = self.centroids.row(t);
        let u = self.centroids.row(k);
        let (c, u) = (
            c.to_slice().expect("standard layout"),
            u.to_slice().expect("standard layout"),
        );
        let mut acc = -0.0;
        for ((&zi, &ci), &ui) in z.iter().zip(c).zip(u) {
            acc += (zi - (ci + ui) * 0.5) * ((ci - ui) * 2.0);
        }
        acc
    }
}

/// The candidate cluster of a row: the first smallest score (0 when none is smaller than
/// infinity), as [`ClusterNetwork::candidates`].
pub(super) fn candidate(s: &[f64]) -> usize {
    let mut best = (0, f64::INFINITY);
    for (k, &v) in s.iter().enumerate() {
        if v < best.1 {
            best = (k, v);
        }
    }
    best.0
}

/// `sum_i v_i^2` in four interleaved partial sums (any order serves the bound).
fn squares(v: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let chunks = v.chunks_exact(4);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (a, &x) in acc.iter_mut().zip(chunk) {
            *a += x * x;
        }
    }
    let tail: f64 = rest.iter().map(|x| x * x).sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explainer::Prediction;
    use crate::rng::test_matrix as matrix;

    /// Rows near every kind of boundary and far away: the batch forward pass gives the bits
    /// of the per-row exact path (`logit_of_row`) for the assigned and for a given cluster.
    #[test]
    fn the_batch_forward_pass_gives_the_bits_of_the_exact_scan() {
        for (k, d, seed) in [(2, 1, 3), (7, 5, 5), (30, 12, 9)] {
            let mut centroids = matrix(k, d, seed);
            // A duplicated centroid: every row ties between them.
            let last = centroids.row(0).to_owned();
            centroids.row_mut(k - 1).assign(&last);
            let net = ClusterNetwork::new(centroids.clone());
            let mut z = matrix(600, d, seed + 1);
            for r in 0..40 {
                let (a, b) = (r % k, (r * 7 + 1) % k);
                let mid = (&centroids.row(a) + &centroids.row(b)) * 0.5;
                z.row_mut(r).assign(&mid);
                z.row_mut(40 + r).assign(&centroids.row(a));
                z.row_mut(80 + r)
                    .mapv_inplace(|v| v * 10f64.powi(r as i32 * 4));
                z.row_mut(120 + r).mapv_inplace(|v| v * 1e-150);
            }
            let mut scratch = net.scratch();
            for cluster in [None, Some(k / 2)] {
                let got = net.logits(z.view(), cluster).unwrap();
                let Prediction::Labels(labels) = &got.prediction else {
                    panic!("labels")
                };
                let candidates = net.candidates(z.view());
                for (r, row) in z.outer_iter().enumerate() {
                    let row = row.as_slice().unwrap();
                    let (assigned, _, logit) =
                        net.logit_of_row(row, candidates[r], cluster, &mut scratch, false);
                    assert_eq!(labels[r], assigned, "k {k} row {r}");
                    assert_eq!(got.output[r].to_bits(), logit.to_bits(), "k {k} row {r}");
                }
            }
        }
    }

    /// The rounding bound is not so loose that every row takes the exact contrasts of all
    /// clusters: on rows drawn around the centroids, few k stay in the race.
    #[test]
    fn the_bound_leaves_few_contrasts_in_the_race() {
        let (k, d) = (30, 20);
        let net = ClusterNetwork::new(matrix(k, d, 11));
        let z = matrix(256, d, 12);
        let mut scratch = BatchScratch::default();
        net.chunk_scores(z.view(), &mut scratch);
        let mut in_race = 0;
        for (r, row) in z.outer_iter().enumerate() {
            let row = row.as_slice().unwrap();
            let tol = net.tolerance(row, &scratch.centered[r * d..(r + 1) * d]);
            let s = &scratch.scores[r * k..(r + 1) * k];
            let c = candidate(s);
            let s_min = (0..k)
                .filter(|&j| j != c)
                .map(|j| s[j])
                .fold(f64::INFINITY, f64::min);
            in_race += (0..k).filter(|&j| j != c && s[j] <= s_min + tol).count();
            assert!(net
                .batch_logit(row, &scratch.centered[r * d..(r + 1) * d], s, None)
                .is_some());
        }
        assert!(
            in_race < 2 * z.nrows(),
            "{in_race} contrasts for {} rows",
            z.nrows()
        );
    }
}
