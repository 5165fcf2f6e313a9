//! `reveal-cancel` on a dense network: DeepLIFT's RevealCancel rule (Shrikumar et al.,
//! 2017) rooted at the reference r, in batch over a chunk of rows.
//!
//! As under `neon-ref` every quantity is a difference from the reference's own forward
//! pass, but the change of each unit is kept in two parts, the positive and the negative
//! one, each with its own multiplier. A linear layer sends input part `Δa⁺_i` (`>= 0`) and
//! `Δa⁻_i` (`<= 0`) through the weights of matching sign:
//! `Δp⁺_k = Σ_i Δa⁺_i w⁺_ik + Δa⁻_i w⁻_ik`, `Δp⁻_k = Σ_i Δa⁺_i w⁻_ik + Δa⁻_i w⁺_ik`
//! (`w⁺ = max(w, 0)`, `w⁻ = min(w, 0)`; the biases cancel), and a ReLU at the reference
//! pre-activation `p̄` averages each part's effect over the two orders of adding them:
//!
//! `Δy⁺ = ½ (relu(p̄ + Δp⁺) - relu(p̄)) + ½ (relu(p̄ + Δp⁻ + Δp⁺) - relu(p̄ + Δp⁻))`,
//! `Δy⁻ = ½ (relu(p̄ + Δp⁻) - relu(p̄)) + ½ (relu(p̄ + Δp⁺ + Δp⁻) - relu(p̄ + Δp⁺))`,
//!
//! so `Δy⁺ + Δy⁻ = relu(p) - relu(p̄)` exactly, with multipliers `μ⁺ = Δy⁺ / Δp⁺` and
//! `μ⁻ = Δy⁻ / Δp⁻` (0 where the part is 0; an identity activation has `μ = 1`). The parts
//! `Δy⁺ >= 0`, `Δy⁻ <= 0` are the next layer's input parts. Backwards, with multipliers
//! `m⁺`, `m⁻` on a layer's input parts (both `w_t`-weighted shares of the explained units
//! on the last hidden layer, as under `neon-ref`) and `g^± = m^± ⊙ μ^±` on its units:
//!
//! `m⁺ ← g⁺ W⁺ᵀ + g⁻ W⁻ᵀ`, `m⁻ ← g⁺ W⁻ᵀ + g⁻ W⁺ᵀ`, and `R_i = m⁺_i Δz⁺_i + m⁻_i Δz⁻_i`,
//!
//! which sums to `f(z) - f(r)` exactly (up to the path quadrature of pooled targets); the
//! reference's own output is spread evenly as under `neon-ref`, so `Σ_i R_i = f(z)`.
//! Cost: each layer's forward and backward products run on both parts and both weight
//! signs (four products each way instead of one).

use super::{DenseLrp, Pass};
use crate::families::dense_network::model::Activation;
use ndarray::{Array2, ArrayView1, Axis, Zip};

/// The sign parts of one layer's weights, transposed (units x inputs) as the backward
/// products need them, and as stored (inputs x units) for the forward ones.
pub(super) struct SignedWeights {
    positive: Array2<f64>,
    negative: Array2<f64>,
    positive_t: Array2<f64>,
    negative_t: Array2<f64>,
}

impl DenseLrp {
    /// The sign parts of every hidden layer's weights (all but the explained units).
    pub(super) fn signed_weights(&self) -> Vec<SignedWeights> {
        self.layers[..self.layers.len() - 1]
            .iter()
            .map(|l| SignedWeights {
                positive: l.weights.mapv(|w| w.max(0.0)),
                negative: l.weights.mapv(|w| w.min(0.0)),
                positive_t: l.weights_t.mapv(|w| w.max(0.0)),
                negative_t: l.weights_t.mapv(|w| w.min(0.0)),
            })
            .collect()
    }

    /// Outputs and RevealCancel relevances of a chunk (see the module documentation).
    pub(super) fn explain_reveal(
        &self,
        pass: &Pass,
        root: &Pass,
        targets: &[usize],
        reference: ArrayView1<f64>,
        signed: &[SignedWeights],
    ) -> (Vec<f64>, Array2<f64>) {
        let last = self.layers.len() - 1;
        let mut delta = &pass.inputs[0] - &reference.insert_axis(Axis(0));
        let input_positive = delta.mapv(|v| v.max(0.0));
        delta.mapv_inplace(|v| v.min(0.0));
        let input_negative = delta;
        let (mut up, mut down) = (input_positive.clone(), input_negative.clone());
        let mut slopes = Vec::with_capacity(last);
        for (l, w) in signed.iter().enumerate() {
            let dp_up = up.dot(&w.positive) + down.dot(&w.negative);
            let dp_down = up.dot(&w.negative) + down.dot(&w.positive);
            let relu = self.layers[l].activation == Some(Activation::Relu);
            let mut y_up = Array2::zeros(dp_up.raw_dim());
            let mut y_down = Array2::zeros(dp_up.raw_dim());
            Zip::from(&mut y_up)
                .and(&mut y_down)
                .and(&dp_up)
                .and(&dp_down)
                .and_broadcast(root.pre[l].row(0))
                .for_each(|yu, yd, &a, &b, &q| {
                    (*yu, *yd) = if relu { reveal(q, a, b) } else { (a, b) };
                });
            let ratio = |y: &Array2<f64>, dp: &Array2<f64>| {
                Zip::from(y)
                    .and(dp)
                    .map_collect(|&y, &p| if p != 0.0 { y / p } else { 0.0 })
            };
            let (mu_up, mu_down) = (ratio(&y_up, &dp_up), ratio(&y_down, &dp_down));
            slopes.push((mu_up, mu_down));
            up = y_up;
            down = y_down;
        }
        let (top, output) = self.top_multipliers(pass, root, targets);
        let (mut m_up, mut m_down) = (top.clone(), top);
        for l in (0..last).rev() {
            let (mu_up, mu_down) = &slopes[l];
            let g_up = &m_up * mu_up;
            let g_down = &m_down * mu_down;
            let w = &signed[l];
            m_up = g_up.dot(&w.positive_t) + g_down.dot(&w.negative_t);
            m_down = g_up.dot(&w.negative_t) + g_down.dot(&w.positive_t);
        }
        let relevance = m_up * &input_positive + m_down * &input_negative;
        (output.clone(), spread_rest(relevance, &output))
    }
}

/// `(Δy⁺, Δy⁻)` of a ReLU at reference pre-activation q for input parts a (`>= 0`) and b
/// (`<= 0`).
fn reveal(q: f64, a: f64, b: f64) -> (f64, f64) {
    let relu = |v: f64| v.max(0.0);
    let base = relu(q);
    let both = relu(q + a + b);
    let up = 0.5 * (relu(q + a) - base) + 0.5 * (both - relu(q + b));
    let down = 0.5 * (relu(q + b) - base) + 0.5 * (both - relu(q + a));
    (up, down)
}

/// `R_i + (f - Σ_i' R_i') / d` on every row: the rest of the output spread evenly.
pub(super) fn spread_rest(mut relevance: Array2<f64>, output: &[f64]) -> Array2<f64> {
    let d = relevance.ncols() as f64;
    for (mut rel, &f) in relevance.axis_iter_mut(Axis(0)).zip(output) {
        let rest = (f - rel.sum()) / d;
        rel.mapv_inplace(|v| v + rest);
    }
    relevance
}
