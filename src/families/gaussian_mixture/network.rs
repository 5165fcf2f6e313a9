//! Mahalanobis units + soft-min pooling: the network of a Gaussian mixture.
//!
//! `q_k(z) = ½ ‖U_kᵀ(z - mu_k)‖² + b_k`, `b_k = -log pi_k + (D/2) log 2π - sum_i log U_k,ii`,
//! and `o(z) = -log p(z) = -log sum_k exp(-q_k)` (soft-min at beta = 1, whose weights are
//! the responsibilities, scikit-learn's `predict_proba`).
//!
//! Relevance (`neon`): `R_k = softmin_k(beta q) o`, then each unit's relevance is split
//! over the features in proportion to the terms of its Mahalanobis distance,
//! `c_k,i = δ_i (P_k δ)_i`, `δ = z - mu_k`, `P_k = U_k U_kᵀ`, which sum to `δᵀ P_k δ`
//! (`P_k,ii δ_i²` for diagonal covariances): `R_i = sum_k R_k c_k,i / sum_i' c_k,i'`.
//! For full covariances `c_k,i` is negative where a feature's deviation runs against the
//! correlations. `neon-floor` (the default) applies this to `o - o_0`, `o_0 = -log sum_k
//! exp(-b_k)` the value with every unit at its mean, and spreads `o_0` evenly.

use super::cluster::MixtureCluster;
use super::precision::Factors;
use crate::error::Result;
use crate::explainer::{Explanation, Forward, Prediction};
use crate::families::ClassTarget;
use crate::lrp::pool::softmin_forward_redistribute;
use crate::method::RuleSet;
use crate::network::kernel::check_finite;
use crate::network::pool::{self, softmin_weights_into};
use crate::network::{try_for_each_chunk, NeonRules, Network, CHUNK_ROWS};
use ndarray::{s, Array1, Array2, ArrayView2, Zip};
use rayon::prelude::*;

/// A Gaussian mixture as a network.
#[derive(Debug, Clone)]
pub(crate) struct MixtureNetwork {
    means: Array2<f64>,
    factors: Factors,
    bias: Array1<f64>,
}

/// One chunk of rows through the Mahalanobis units.
pub(super) struct Units {
    /// `q_k`, rows x components.
    pub(super) q: Array2<f64>,
    /// Per component: the deviations `δ = z - mu_k` and `P_k δ`, rows x features.
    pub(super) terms: Vec<(Array2<f64>, Array2<f64>)>,
}

impl MixtureNetwork {
    pub(crate) fn new(means: Array2<f64>, factors: Factors, bias: Array1<f64>) -> Self {
        MixtureNetwork {
            means,
            factors,
            bias,
        }
    }

    pub(super) fn n_components(&self) -> usize {
        self.means.nrows()
    }

    /// `q` of every row of `z`; with `keep_terms` also `δ` and `P δ` of every component.
    pub(super) fn units(&self, z: ArrayView2<f64>, keep_terms: bool) -> Units {
        let mut q = Array2::zeros((z.nrows(), self.n_components()));
        let mut terms = Vec::new();
        for (k, mean) in self.means.outer_iter().enumerate() {
            let delta = &z - &mean;
            let (whitened, pulled) = match &self.factors {
                Factors::Dense(u) => {
                    let y = delta.dot(&u[k]);
                    let pulled = keep_terms.then(|| y.dot(&u[k].t()));
                    (y, pulled)
                }
                Factors::Diagonal(u) => {
                    let y = &delta * &u.row(k);
                    let pulled = keep_terms.then(|| &y * &u.row(k));
                    (y, pulled)
                }
            };
            let b = self.bias[k];
            Zip::from(q.column_mut(k))
                .and(whitened.rows())
                .for_each(|q, y| *q = 0.5 * y.dot(&y) + b);
            if let Some(pulled) = pulled {
                terms.push((delta, pulled));
            }
        }
        Units { q, terms }
    }

    /// The outlierness of every row, chunk by chunk.
    fn outlierness(&self, z: ArrayView2<f64>) -> Result<Array1<f64>> {
        let mut output = Array1::zeros(z.nrows());
        output
            .as_slice_mut()
            .expect("owned")
            .par_chunks_mut(CHUNK_ROWS)
            .enumerate()
            .try_for_each(|(c, out)| {
                let first = c * CHUNK_ROWS;
                let rows = z.slice(s![first..first + out.len(), ..]);
                let units = self.units(rows, false);
                for (r, (q, o)) in units.q.outer_iter().zip(out.iter_mut()).enumerate() {
                    *o = pool::soft_min(q.as_slice().expect("owned"));
                    check_finite(*o, first + r)?;
                }
                Ok(())
            })?;
        Ok(output)
    }

    /// The diagonal of every precision `P_k`, components x features.
    pub(super) fn precision_diagonals(&self) -> Array2<f64> {
        self.factors.precision_diagonals()
    }

    /// The biases `b_k`.
    pub(super) fn bias(&self) -> &Array1<f64> {
        &self.bias
    }

    /// `o_0 = -log sum_k exp(-b_k)`: the outlierness with every unit at its mean.
    fn floor(&self) -> f64 {
        pool::soft_min(self.bias.as_slice().expect("owned"))
    }
}

impl Network for MixtureNetwork {
    fn n_features(&self) -> usize {
        self.means.ncols()
    }

    fn rule_sets(&self) -> &'static [RuleSet] {
        &[RuleSet::Neon, RuleSet::NeonFloor]
    }

    /// `neon-floor`: the bias floor `o_0` (log normalizers and priors, no feature's doing)
    /// spread evenly, as for the kernel models.
    fn default_rule_set(&self) -> RuleSet {
        RuleSet::NeonFloor
    }

    fn default_reason(&self) -> &'static str {
        "the excess over the bias floor through the NEON rules, within 2% of the best of \
         gradient x input and occlusion on planted anomalies (docs/detectors.md)"
    }

    /// `log-odds`: the posterior log-odds of a component ([`MixtureCluster`]).
    fn with_class_target(&self, target: ClassTarget) -> Option<Box<dyn Network>> {
        match target {
            ClassTarget::LogOdds => Some(Box::new(MixtureCluster::new(self.clone()))),
            ClassTarget::Logit => None,
        }
    }

    fn has_linear_layer(&self) -> bool {
        false
    }

    /// 1: the model's own soft-min (the responsibilities).
    fn published_beta(&self, _stored: Option<f64>) -> f64 {
        1.0
    }

    /// 1 as well: the responsibilities are the model's own split of the density.
    fn auto_beta(&self, _published: f64) -> f64 {
        1.0
    }

    fn forward(&self, z: ArrayView2<f64>, _cluster: Option<usize>) -> Result<Forward> {
        let output = self.outlierness(z)?;
        Ok(Forward {
            prediction: Prediction::Values(output.mapv(|o| -o)),
            output,
        })
    }

    fn explain(
        &self,
        z: ArrayView2<f64>,
        rules: &NeonRules<'_>,
        _cluster: Option<usize>,
    ) -> Result<Explanation> {
        let floor = match rules.rule_set {
            RuleSet::NeonFloor => self.floor(),
            _ => 0.0,
        };
        let flat = floor / z.ncols() as f64;
        let mut output = Array1::zeros(z.nrows());
        let mut relevance = Array2::zeros(z.raw_dim());
        try_for_each_chunk(&mut output, &mut relevance, |first, out, mut rel| {
            let rows = z.slice(s![first..first + out.len(), ..]);
            let Units { mut q, terms } = self.units(rows, true);
            let mut shares = vec![0.0; rows.ncols()];
            for (r, (mut q, o)) in q.outer_iter_mut().zip(out.iter_mut()).enumerate() {
                let unit_relevance = q.as_slice_mut().expect("owned");
                *o = softmin_forward_redistribute(unit_relevance, rules.beta, floor);
                check_finite(*o, first + r)?;
                let mut out_row = rel.row_mut(r);
                out_row.fill(flat);
                for (k, (delta, pulled)) in terms.iter().enumerate() {
                    mahalanobis_shares(
                        delta.row(r).as_slice().expect("owned"),
                        pulled.row(r).as_slice().expect("owned"),
                        &mut shares,
                    );
                    let r_k = unit_relevance[k];
                    Zip::from(&mut out_row)
                        .and(&shares[..])
                        .for_each(|o, &s| *o += r_k * s);
                }
            }
            Ok(())
        })?;
        Ok(Explanation {
            prediction: Prediction::Values(output.mapv(|o| -o)),
            output,
            relevance,
        })
    }

    /// `do/dz = sum_k gamma_k P_k (z - mu_k)`, gamma the responsibilities.
    fn gradients(&self, z: ArrayView2<f64>, _cluster: Option<usize>) -> Array2<f64> {
        let units = self.units(z, true);
        let mut grad = Array2::zeros(z.raw_dim());
        let mut gamma = vec![0.0; self.n_components()];
        for (r, q) in units.q.outer_iter().enumerate() {
            softmin_weights_into(q.as_slice().expect("owned"), 1.0, &mut gamma);
            let mut g = grad.row_mut(r);
            for ((_, pulled), &w) in units.terms.iter().zip(&gamma) {
                g.scaled_add(w, &pulled.row(r));
            }
        }
        grad
    }
}

/// The shares `c_i / sum_i' c_i'`, `c_i = δ_i (P δ)_i`, normalized by their computed sum
/// (so they add up to 1 up to rounding); an even split when the sum is not a usable
/// positive number (a row at the mean, or all terms cancelling). A sum that overflows is
/// recomputed on `δ / max|δ|` (the shares are homogeneous of degree 0).
pub(crate) fn mahalanobis_shares(delta: &[f64], pulled: &[f64], out: &mut [f64]) {
    let mut total = 0.0;
    let mut magnitude = 0.0;
    for ((o, &d), &p) in out.iter_mut().zip(delta).zip(pulled) {
        *o = d * p;
        total += *o;
        magnitude += o.abs();
    }
    if !magnitude.is_finite() {
        let m = delta.iter().fold(0.0f64, |m, d| m.max(d.abs()));
        let pm = pulled.iter().fold(0.0f64, |m, d| m.max(d.abs()));
        total = 0.0;
        magnitude = 0.0;
        for ((o, &d), &p) in out.iter_mut().zip(delta).zip(pulled) {
            *o = (d / m) * (p / pm);
            total += *o;
            magnitude += o.abs();
        }
    }
    if total > 1e-12 * magnitude && total.is_finite() {
        out.iter_mut().for_each(|o| *o /= total);
    } else {
        let even = 1.0 / out.len() as f64;
        out.iter_mut().for_each(|o| *o = even);
    }
}
