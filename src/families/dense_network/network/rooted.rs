//! `neon-ref` on a dense network: LRP rooted at the reference r (the rescale rule of
//! DeepLIFT), in batch over a chunk of rows.
//!
//! Every quantity is a difference from the reference's own forward pass. A linear layer
//! splits its change exactly, `Δp_k = Σ_i Δa_i w_ik` (the biases cancel); an activation
//! passes the relevance of its unit on, scaled by its secant slope
//! `s_k = (act(p_k) - act(p̄_k)) / (p_k - p̄_k)` (the derivative where `p_k = p̄_k`). With
//! multipliers `m` on a layer's inputs this is one product per layer,
//! `m ← (m ⊙ s_l) W_lᵀ`, and the relevance of feature i is `m_i (z_i - r_i)`.
//!
//! On the explained units the multipliers are the soft-min shares averaged along the
//! straight path from the reference's unit values h̄ to the row's h,
//! `c_k = ∫_0^1 π_k(h̄ + t (h - h̄)) dt` (the midpoint rule on [`PATH_STEPS`] intervals; exactly
//! 1 for a single unit, the logit). Then `Σ_i m_i (z_i - r_i) = f(z) - f(r)` (up to that
//! quadrature for pooled targets), and what remains of the output, the reference's own
//! `f(r)`, is spread evenly over the features as the floor of the kernel models is:
//! `R_i = m_i (z_i - r_i) + (f(z) - Σ_i' m_i' (z_i' - r_i')) / d`, so `Σ_i R_i = f(z)`.

use super::reveal::spread_rest;
use super::{soft_min_shares, DenseLrp, Pass};
use crate::families::dense_network::model::Activation;
use ndarray::{Array2, ArrayView1, Axis, Zip};

/// Intervals of the midpoint rule along the path of the explained units.
const PATH_STEPS: usize = 64;

impl DenseLrp {
    /// Outputs and reference-rooted relevances of a chunk: `pass` of its rows, `root` of the
    /// reference (one row), `targets[r]` the explained target of row r.
    pub(super) fn explain_rooted(
        &self,
        pass: &Pass,
        root: &Pass,
        targets: &[usize],
        reference: ArrayView1<f64>,
    ) -> (Vec<f64>, Array2<f64>) {
        let (mut relevance, output) = self.segment_multipliers(pass, root, targets);
        for (mut rel, z) in relevance
            .axis_iter_mut(Axis(0))
            .zip(pass.inputs[0].axis_iter(Axis(0)))
        {
            Zip::from(&mut rel)
                .and(&z)
                .and(&reference)
                .for_each(|m, &z, &r| *m *= z - r);
        }
        let relevance = spread_rest(relevance, &output);
        (output, relevance)
    }

    /// The rescale multipliers of the segment from `root` to `pass` (rows x features) and
    /// the explained outputs at `pass`: `m <- (m ⊙ s_l) W_lᵀ` from the explained units down,
    /// so `Σ_i m_i (z_i - r_i) = f(z) - f(r)` (up to the path quadrature of pooled targets).
    /// `root` holds one row (shared by every row of `pass`) or one row per row of `pass`.
    pub(super) fn segment_multipliers(
        &self,
        pass: &Pass,
        root: &Pass,
        targets: &[usize],
    ) -> (Array2<f64>, Vec<f64>) {
        let last = self.layers.len() - 1;
        let (mut multipliers, output) = self.top_multipliers(pass, root, targets);
        for l in (0..last).rev() {
            if self.layers[l].activation == Some(Activation::Relu) {
                let shared = root.pre[l].nrows() == 1;
                for (r, (mut m, p)) in multipliers
                    .axis_iter_mut(Axis(0))
                    .zip(pass.pre[l].axis_iter(Axis(0)))
                    .enumerate()
                {
                    let q = root.pre[l].row(if shared { 0 } else { r });
                    scale_by_relu_secants(
                        m.as_slice_mut().expect("owned rows"),
                        p.as_slice().expect("owned rows"),
                        q.as_slice().expect("owned rows"),
                    );
                }
            }
            multipliers = multipliers.dot(&self.layers[l].weights_t);
        }
        (multipliers, output)
    }

    /// The multipliers on the last hidden activations (rows x units: the explained units'
    /// weights times their path-averaged soft-min shares, [`path_shares`]) and the explained
    /// outputs of a chunk; `root` as in [`Self::segment_multipliers`].
    pub(super) fn top_multipliers(
        &self,
        pass: &Pass,
        root: &Pass,
        targets: &[usize],
    ) -> (Array2<f64>, Vec<f64>) {
        let last = self.layers.len() - 1;
        let top = &pass.inputs[last];
        let top_root = &root.inputs[last];
        let shared = top_root.nrows() == 1;
        // A shared root's unit values, once per explained target.
        let mut root_units: Vec<Option<Vec<f64>>> = vec![None; self.targets.len()];
        let mut multipliers = Array2::zeros(top.raw_dim());
        let mut output = Vec::with_capacity(targets.len());
        for (r, &t) in targets.iter().enumerate() {
            let units = &self.targets[t];
            let (h, f) = units.evaluate(top.row(r));
            output.push(f);
            if h.len() == 1 {
                // One unit (a logit): its path share is 1.
                multipliers.row_mut(r).assign(&units.weights.row(0));
                continue;
            }
            let own_root;
            let h_root = if shared {
                root_units[t].get_or_insert_with(|| units.evaluate(top_root.row(0)).0)
            } else {
                own_root = units.evaluate(top_root.row(r)).0;
                &own_root
            };
            let shares = path_shares(h_root, &h);
            for (c, w) in shares.iter().zip(units.weights.outer_iter()) {
                multipliers.row_mut(r).scaled_add(*c, &w);
            }
        }
        (multipliers, output)
    }
}

/// `c_k = ∫_0^1 π_k(h̄ + t (h - h̄)) dt` by the midpoint rule, π the soft-min shares; `[1]`
/// for one unit.
fn path_shares(h_root: &[f64], h: &[f64]) -> Vec<f64> {
    if h.len() == 1 {
        return vec![1.0];
    }
    let mut average = vec![0.0; h.len()];
    let mut point = vec![0.0; h.len()];
    for step in 0..PATH_STEPS {
        let t = (step as f64 + 0.5) / PATH_STEPS as f64;
        for ((p, &a), &b) in point.iter_mut().zip(h_root).zip(h) {
            *p = a + t * (b - a);
        }
        for (avg, share) in average.iter_mut().zip(soft_min_shares(&point)) {
            *avg += share / PATH_STEPS as f64;
        }
    }
    average
}

/// `m_k *= s_k` with the ReLU's secant slopes `s_k = (relu(p_k) - relu(q_k)) / (p_k - q_k)`,
/// its derivative where `p_k = q_k` (1 for `p_k > 0`, else 0). Written as selects so the
/// loop vectorizes (an identity activation has slope 1 and is skipped by the caller).
fn scale_by_relu_secants(m: &mut [f64], p: &[f64], q: &[f64]) {
    let relu = |v: f64| if v > 0.0 { v } else { 0.0 };
    for ((m, &p), &q) in m.iter_mut().zip(p).zip(q) {
        let derivative = if p > 0.0 { 1.0 } else { 0.0 };
        let secant = (relu(p) - relu(q)) / (p - q);
        *m *= if p == q { derivative } else { secant };
    }
}
