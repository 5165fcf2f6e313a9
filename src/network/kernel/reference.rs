//! The reference-rooted rule sets on a kernel network (`neon-ref`, `hybrid`): each row's
//! relevance is recomputed from per-feature numerators and the NEON output, keeping the
//! NEON relevance of rows where the numerators are unusable.

use super::KernelNetwork;
use crate::explainer::Explanation;
use crate::lrp::rescale::rescale_into;
use crate::method::RuleSet;
use crate::network::distance::DistanceLayer;
use crate::network::pool::softmin_weights_into;
use crate::network::NeonRules;
use ndarray::{ArrayView1, Axis, Zip};

/// At most this many centers enter the median of [`typical_gap`] (the first ones).
const GAP_CENTERS: usize = 500;

impl KernelNetwork {
    /// Rewrite the NEON explanation of `z` under `rules.rule_set` (`neon-ref` or `hybrid`).
    pub(super) fn reroot(
        &self,
        z: ndarray::ArrayView2<f64>,
        rules: &NeonRules<'_>,
        neon: &mut Explanation,
    ) {
        let eta = match rules.rule_set {
            RuleSet::Hybrid => hybrid_eta(self.typical_gap),
            _ => 0.0,
        };
        Zip::from(neon.relevance.axis_iter_mut(Axis(0)))
            .and(z.axis_iter(Axis(0)))
            .and(&neon.output)
            .par_for_each(|relevance, z, &o| {
                let numerators = self.numerators(z, rules);
                rescale_into(&numerators, o, eta, relevance);
            });
    }

    /// `neon-ref`: `N_i = sum_j p_j (|z_i - u_ij|^q - |r_i - u_ij|^q)`;
    /// `hybrid`: `N_i = (z_i - r_i) sum_j p_j q |z_i - u_ij|^(q-1) sign(z_i - u_ij)`;
    /// `p = softmin(beta h)`.
    fn numerators(&self, z: ArrayView1<f64>, rules: &NeonRules<'_>) -> Vec<f64> {
        let layer = &self.distance;
        let power = layer.power();
        let reference = rules.reference;
        let z = z.as_slice().expect("owned rows");
        let h: Vec<f64> = layer
            .centers()
            .outer_iter()
            .zip(layer.bias())
            .map(|(u, &b)| layer.gamma() * power.distance(z, u.as_slice().expect("owned")) + b)
            .collect();
        let mut p = vec![0.0; h.len()];
        softmin_weights_into(&h, rules.beta, &mut p);
        let mut numerators = vec![0.0; z.len()];
        for (u, &p_j) in layer.centers().outer_iter().zip(&p) {
            for (i, n) in numerators.iter_mut().enumerate() {
                let (t, s) = (z[i] - u[i], reference[i] - u[i]);
                *n += p_j
                    * match rules.rule_set {
                        RuleSet::Hybrid => power.derivative(t) * (z[i] - reference[i]),
                        _ => power.term(t) - power.term(s),
                    };
            }
        }
        numerators
    }
}

/// `gamma s`, s the median of `||u_j - u_k||_q^q` over pairs of the (first 500) centers:
/// the typical activation gap between two distance units; 0 for a single center.
pub(super) fn typical_gap(layer: &DistanceLayer) -> f64 {
    let n = layer.n_units().min(GAP_CENTERS);
    let centers = layer.centers();
    let mut distances = Vec::with_capacity(n * n.saturating_sub(1) / 2);
    for j in 0..n {
        for k in 0..j {
            let (a, b) = (centers.row(j), centers.row(k));
            distances.push(
                layer
                    .power()
                    .distance(a.as_slice().expect("owned"), b.as_slice().expect("owned")),
            );
        }
    }
    if distances.is_empty() {
        return 0.0;
    }
    distances.sort_by(f64::total_cmp);
    layer.gamma() * distances[distances.len() / 2]
}

/// Bley et al.'s mixing weight `eta = clamp(0.4 log10(gamma s) + 0.4, 0, 1)` from the
/// typical gap `gamma s`: gamma on data scaled to a unit median pairwise distance. A zero
/// gap gives 0.
pub(super) fn hybrid_eta(gap: f64) -> f64 {
    if gap <= 0.0 {
        return 0.0;
    }
    (0.4 * gap.log10() + 0.4).clamp(0.0, 1.0)
}
