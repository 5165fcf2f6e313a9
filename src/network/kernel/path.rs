//! `neon-path` on a kernel network: the reference-rooted numerators of `neon-ref`, with the
//! pooling weights taken along the straight path from the reference to the row instead of
//! at the row alone.
//!
//! The path `a(t) = r + t (z - r)` is cut into [`SEGMENTS`] equal pieces
//! `[a_k, a_(k+1)]`, `a_k = r + (k / K)(z - r)`. On each piece the soft-min weights are frozen
//! at its midpoint `m_k`, `p(m_k) = softmin(beta h(m_k))`, and the change of every distance
//! unit along the piece is split exactly over the features:
//!
//! `N_i = sum_k sum_j p_j(m_k) (|a_(k+1),i - u_ij|^q - |a_k,i - u_ij|^q)`,
//!
//! which for `q = 2` is `sum_k 2 (z_i - r_i) / K (m_k,i - sum_j p_j(m_k) u_ij)`. At beta 1
//! (the model's own soft-min) each piece is the exact integral of the output's gradient
//! with the pooling frozen at its midpoint, so `sum_i N_i` approximates `o(z) - o(r)`
//! (integrated gradients in K exactly integrated pieces). The relevance is then
//! `R_i = o N_i / sum_i' N_i'` (conserving); rows where `sum N` is tiny or of the other
//! sign than `o` keep the `neon-floor` relevance.

use super::KernelNetwork;
use crate::error::Result;
use crate::explainer::Explanation;
use crate::lrp::rescale::{rescale_into, usable};
use crate::method::RuleSet;
use crate::network::pool::softmin_weights_into;
use crate::network::power::Power;
use crate::network::{NeonRules, Network, CHUNK_ROWS};
use ndarray::{s, Array2, ArrayView1, ArrayView2, Axis};
use rayon::prelude::*;

/// Number of equal pieces of the path from the reference to the row.
pub(crate) const SEGMENTS: usize = 2;

/// Pooling weights below this are left out of the `q = 1` sums (their share of the
/// numerators is below rounding).
const NEGLIGIBLE: f64 = 1e-18;

impl KernelNetwork {
    /// `neon-path` for every row of `z`: the outlierness (forward pass), the path
    /// numerators rescaled to it, and `neon-floor` (same beta) for the rows where they are
    /// unusable.
    pub(super) fn explain_path(
        &self,
        z: ArrayView2<f64>,
        rules: &NeonRules<'_>,
    ) -> Result<Explanation> {
        let mut output = self.forward(z, None)?.output;
        let mut relevance = Array2::zeros(z.raw_dim());
        let reference = rules.reference;
        // Per chunk (fixed rows, in parallel): rescale the usable rows, flag the others.
        let usable_rows: Vec<bool> = relevance
            .axis_chunks_iter_mut(Axis(0), CHUNK_ROWS)
            .into_par_iter()
            .enumerate()
            .map(|(c, mut rel)| {
                let first = c * CHUNK_ROWS;
                let rows = z.slice(s![first..first + rel.nrows(), ..]);
                let numerators = self.path_numerators(rows, reference, rules.beta);
                let mut flags = Vec::with_capacity(rows.nrows());
                for (k, (n, r)) in numerators
                    .outer_iter()
                    .zip(rel.outer_iter_mut())
                    .enumerate()
                {
                    let n = n.as_slice().expect("owned");
                    let o = output[first + k];
                    flags.push(usable(n, o));
                    rescale_into(n, o, 0.0, r);
                }
                flags
            })
            .collect::<Vec<_>>()
            .concat();
        let fallback: Vec<usize> = (0..z.nrows()).filter(|&r| !usable_rows[r]).collect();
        if !fallback.is_empty() {
            let floor = NeonRules {
                rule_set: RuleSet::NeonFloor,
                ..*rules
            };
            let rows = z.select(Axis(0), &fallback);
            let neon = self.explain_neon(rows.view(), &floor)?;
            for (k, &r) in fallback.iter().enumerate() {
                output[r] = neon.output[k];
                relevance.row_mut(r).assign(&neon.relevance.row(k));
            }
        }
        Ok(Explanation {
            prediction: self.prediction(&output),
            output,
            relevance,
        })
    }

    /// `N` (rows x features) of a chunk of rows.
    fn path_numerators(
        &self,
        rows: ArrayView2<f64>,
        reference: ArrayView1<f64>,
        beta: f64,
    ) -> Array2<f64> {
        let layer = &self.distance;
        let centers = layer.centers();
        let (n, d) = rows.dim();
        let mut numerators = Array2::zeros((n, d));
        let step = 1.0 / SEGMENTS as f64;
        for k in 0..SEGMENTS {
            let (lo, hi) = (k as f64 * step, (k + 1) as f64 * step);
            let mid = 0.5 * (lo + hi);
            let point = |t: f64| {
                Array2::from_shape_fn((n, d), |(r, i)| {
                    reference[i] + t * (rows[[r, i]] - reference[i])
                })
            };
            let midpoints = point(mid);
            let batch = layer.distances(midpoints.view());
            let mut weights = layer.activations(&batch.dist);
            for mut h in weights.outer_iter_mut() {
                let h = h.as_slice_mut().expect("owned");
                let pooled = h.to_vec();
                softmin_weights_into(&pooled, beta, h);
            }
            match layer.power() {
                Power::Two => {
                    // sum_j p_j ((b - u)^2 - (a - u)^2) = (b - a) 2 (m - sum_j p_j u).
                    let pooled_centers = weights.dot(&centers);
                    for r in 0..n {
                        for i in 0..d {
                            let delta = step * (rows[[r, i]] - reference[i]);
                            numerators[[r, i]] +=
                                2.0 * delta * (midpoints[[r, i]] - pooled_centers[[r, i]]);
                        }
                    }
                }
                Power::One => {
                    let (a, b) = (point(lo), point(hi));
                    for r in 0..n {
                        for (u, &p) in centers.outer_iter().zip(weights.row(r)) {
                            if p < NEGLIGIBLE {
                                continue;
                            }
                            for i in 0..d {
                                numerators[[r, i]] +=
                                    p * ((b[[r, i]] - u[i]).abs() - (a[[r, i]] - u[i]).abs());
                            }
                        }
                    }
                }
            }
        }
        numerators
    }
}
