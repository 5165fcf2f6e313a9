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
//! which for `q = 2` is `(2 / K)(z_i - r_i) sum_k (m_k,i - sum_j p_j(m_k) u_ij)`. At beta 1
//! (the model's own soft-min) each piece is the exact integral of the output's gradient
//! with the pooling frozen at its midpoint, so `sum_i N_i` approximates `o(z) - o(r)`
//! (integrated gradients in K exactly integrated pieces). As under `neon-floor`, the
//! outlierness above its floor `o_0 = -log sum_j exp(-b_j)` goes by these shares and the
//! floor is spread evenly: `R_i = (o - o_0) N_i / sum_i' N_i' + o_0 / d` (conserving; the
//! same ranking for inliers and outliers). Rows where `sum N` is tiny or not > 0 (rows more
//! normal than the reference) keep the `neon-floor` relevance.
//!
//! Cost for `q = 2`: the row's own distances (the forward pass) give every point of the
//! path, `||a(t) - u||^2 = D_r + t (D_z - D_r - s) + t^2 s` with `D_r = ||r - u||^2`,
//! `D_z = ||z - u||^2`, `s = ||z - r||^2`, so the only extra work is the soft-min weights
//! at the midpoints and one product `(sum_k p(m_k)) U`. The q = 2 pass runs fused and cache-sized in
//! [`super::path_squared`]; at beta 1 the midpoints' weights and the output come from one
//! exponential per pair ([`super::path_quarter`]). For `q = 1` the row's and the
//! midpoints' distances are computed from exact differences in one fused loop
//! ([`super::path_manhattan`]).

use super::path_lean::LeanAnchor;
use super::path_manhattan::ManhattanPath;
use super::path_pick::{PickColumns, PICK_MAX_GAP};
use super::path_quarter::QuarterPowers;
use super::{check_finite, KernelNetwork};
use crate::error::Result;
use crate::explainer::Explanation;
use crate::lrp::rescale::{rescale_into, usable};
use crate::method::RuleSet;
use crate::network::power::Power;
use crate::network::{pool, try_for_each_chunk, NeonRules};
use ndarray::{s, Array2, ArrayView2, ArrayViewMut2, Axis};

/// Number of equal pieces of the path from the reference to the row.
pub(crate) const SEGMENTS: usize = 2;

/// `t_k`, the midpoints of the pieces of the path.
pub(super) fn midpoints() -> [f64; SEGMENTS] {
    std::array::from_fn(|k| (k as f64 + 0.5) / SEGMENTS as f64)
}

impl KernelNetwork {
    /// `neon-path` for every row of `z`, with `neon-floor` (same beta) for the rows whose
    /// numerators are unusable; for `neon-flip` and `neon-focus` (rbf networks only, which
    /// the explainer checks) mixed with the flip-ordered path ([`super::path_flip`]), for
    /// `neon-lean` with the reference-pooled rule ([`super::path_lean`]).
    pub(super) fn explain_path(
        &self,
        z: ArrayView2<f64>,
        rules: &NeonRules<'_>,
    ) -> Result<Explanation> {
        let layer = &self.distance;
        let reference = rules.reference;
        let reference_distances: Vec<f64> = layer
            .centers()
            .outer_iter()
            .map(|u| {
                let u = u.as_slice().expect("owned");
                layer
                    .power()
                    .distance(reference.as_slice().expect("owned"), u)
            })
            .collect();
        let floor = pool::soft_min(layer.bias().as_slice().expect("owned"));
        let quarter = match layer.power() {
            Power::Two => QuarterPowers::new(layer, &reference_distances, rules.beta, &midpoints()),
            Power::One => None,
        };
        let manhattan = (layer.power() == Power::One).then(|| ManhattanPath::new(layer, reference));
        // `neon-flip` / `neon-focus` (rbf only): the flip-ordered path mixed in by the q = 2
        // pass.
        let flip = matches!(rules.rule_set, RuleSet::NeonFlip | RuleSet::NeonFocus)
            .then_some(rules.rule_set);
        // `neon-lean` and `neon-pick` (rbf only): the reference-pooled relevance mixed in per
        // row; `neon-pick` then tests the top group on wide kernels.
        let lean = (matches!(rules.rule_set, RuleSet::NeonLean | RuleSet::NeonPick)
            && layer.power() == Power::Two)
            .then(|| LeanAnchor::new(layer, &reference_distances, rules.beta));
        let pick = (rules.rule_set == RuleSet::NeonPick
            && layer.power() == Power::Two
            && self.typical_gap <= PICK_MAX_GAP)
            .then(|| PickColumns::new(layer));
        let mut output = ndarray::Array1::zeros(z.nrows());
        let mut relevance = Array2::zeros(z.raw_dim());
        try_for_each_chunk(&mut output, &mut relevance, |first, out, mut rel| {
            let rows = z.slice(s![first..first + out.len(), ..]);
            if layer.power() == Power::Two {
                return self.explain_path_squared(
                    rows,
                    first,
                    reference,
                    &reference_distances,
                    quarter.as_ref(),
                    (rules.beta, floor),
                    (flip, lean.as_ref(), pick.as_ref()),
                    out,
                    rel,
                );
            }
            let manhattan = manhattan.as_ref().expect("built for q = 1");
            let mut numerators = Array2::zeros(rows.raw_dim());
            manhattan.explain_into(
                layer,
                rows,
                reference,
                rules.beta,
                out,
                numerators.view_mut(),
            );
            for (r, &o) in out.iter().enumerate() {
                check_finite(o, first + r)?;
            }
            rescale_rows(&numerators, floor, out, rel.view_mut());
            Ok(())
        })?;
        // Only the q = 1 pass marks rows for the fallback (the q = 2 pass gives them
        // `neon-floor` itself): no scan over the rows otherwise.
        let fallback: Vec<usize> = match (layer.power(), relevance.ncols()) {
            (Power::One, 1..) => relevance
                .column(0)
                .iter()
                .enumerate()
                .filter_map(|(r, v)| v.is_nan().then_some(r))
                .collect(),
            _ => Vec::new(),
        };
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
}

/// `R = (o - o_0) N / sum N + o_0 / d` per row; rows whose numerators are unusable
/// (`sum N` tiny or not > 0) are marked NaN (replaced by the `neon-floor` fallback before
/// anything leaves [`KernelNetwork::explain_path`]).
fn rescale_rows(numerators: &Array2<f64>, floor: f64, out: &[f64], mut rel: ArrayViewMut2<f64>) {
    let flat = floor / numerators.ncols() as f64;
    for ((n, &o), mut r) in numerators.outer_iter().zip(out).zip(rel.outer_iter_mut()) {
        let n = n.as_slice().expect("owned");
        if usable(n, o - floor) {
            rescale_into(n, o - floor, 0.0, r.view_mut());
            r.mapv_inplace(|v| v + flat);
        } else {
            r.fill(f64::NAN);
        }
    }
}
