//! The neuralized networks: distance or linear units followed by (soft-)min pooling, and
//! what every network offers the explainers ([`Network`]).
//!
//! Networks see standardized rows `z` in standard (row-major) layout, checked for width and
//! finiteness by the [`crate::Explainer`] (the one boundary with caller data).

pub(crate) mod dispatch;
pub(crate) mod distance;
pub(crate) mod fast_exp;
pub(crate) mod kernel;
pub(crate) mod lanes;
pub(crate) mod linear;
pub(crate) mod pool;
pub(crate) mod power;
pub(crate) mod scratch;

use crate::error::Result;
use crate::explainer::{Explanation, Forward};
use crate::method::{Beta, LayerRules, LinearRule, RuleSet};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut2, Axis};
use rayon::prelude::*;
use std::fmt::Debug;

/// Rows per work unit: fixed, so results never depend on the number of threads.
pub(crate) const CHUNK_ROWS: usize = 256;

/// A resolved NEON rule set: everything the LRP pass of a network needs, checked against
/// the network by the explainer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NeonRules<'a> {
    pub rule_set: RuleSet,
    /// Soft-min stiffness of the relevance pooling, finite and > 0.
    pub beta: f64,
    /// Rule of linear layers (networks that have them).
    pub linear: LinearRule,
    /// Per-layer overrides of the rule set (dense networks; checked against
    /// [`Network::n_layers`]).
    pub layer_rules: LayerRules,
    /// The reference x̃ in the network's (standardized) space.
    pub reference: ArrayView1<'a, f64>,
    /// z^B bounds `(low, high)` in the network's space, when the model file has them.
    pub bounds: Option<(ArrayView1<'a, f64>, ArrayView1<'a, f64>)>,
}

#[cfg(test)]
impl<'a> NeonRules<'a> {
    /// `rule_set` at `beta`, rooted at `reference`: the midpoint linear rule, no bounds and
    /// no per-layer overrides (the rules the unit tests of the passes take).
    pub(crate) fn rooted(rule_set: RuleSet, beta: f64, reference: ArrayView1<'a, f64>) -> Self {
        NeonRules {
            rule_set,
            beta,
            linear: LinearRule::Midpoint,
            reference,
            bounds: None,
            layer_rules: Default::default(),
        }
    }
}

/// A neuralized model, in the network's (standardized) input space.
pub(crate) trait Network: Debug + Send + Sync {
    /// Number of input features.
    fn n_features(&self) -> usize;
    /// Number of units whose output can be chosen for explanation (k-means clusters), or
    /// `None` (the default) when the network has one explained output.
    fn n_clusters(&self) -> Option<usize> {
        None
    }
    /// The rule sets the network implements.
    fn rule_sets(&self) -> &'static [RuleSet];
    /// The rule set of the default method.
    fn default_rule_set(&self) -> RuleSet;
    /// The beta of the default method (`auto` unless the network says otherwise).
    fn default_beta(&self) -> Beta {
        Beta::Auto
    }
    /// Why the default method is the default, in one sentence for `info`.
    fn default_reason(&self) -> &'static str {
        "the most faithful conserving variant measured for this kind of model \
         (docs/faithfulness.md)"
    }
    /// The network explaining `target` for a classifier; `None` when the network is not a
    /// classifier's.
    fn with_class_target(&self, _target: crate::families::ClassTarget) -> Option<Box<dyn Network>> {
        None
    }
    /// The `(prediction, output)` column names when they differ from the family's (a
    /// network made by [`Self::with_class_target`] for another target).
    fn output_names(&self) -> Option<(&'static str, &'static str)> {
        None
    }
    /// A conserving rule set (`sum_i R_i = output`), the one `verify` checks.
    #[cfg_attr(not(feature = "cli"), allow(dead_code))]
    fn conserving_rule_set(&self) -> RuleSet {
        RuleSet::Neon
    }
    /// Whether linear-layer rules apply.
    fn has_linear_layer(&self) -> bool;
    /// The number of layers whose rule `--layer-rule` can set (dense networks); `None` for
    /// networks without per-layer rules.
    fn n_layers(&self) -> Option<usize> {
        None
    }
    /// The beta of the published rules, given the model file's `beta`.
    fn published_beta(&self, stored: Option<f64>) -> f64;
    /// `Beta::Auto`, given the published beta.
    fn auto_beta(&self, published: f64) -> f64;
    /// Prediction and explained output of every row; `cluster` is a valid cluster or `None`.
    fn forward(&self, z: ArrayView2<f64>, cluster: Option<usize>) -> Result<Forward>;
    /// The LRP explanation of every row under `rules` (a rule set of [`Self::rule_sets`]).
    fn explain(
        &self,
        z: ArrayView2<f64>,
        rules: &NeonRules<'_>,
        cluster: Option<usize>,
    ) -> Result<Explanation>;
    /// The gradient of the explained output with respect to `z`, rows x features.
    fn gradients(&self, z: ArrayView2<f64>, cluster: Option<usize>) -> Array2<f64>;
}

/// Per-row outputs split into the fixed `CHUNK_ROWS` chunks, in parallel:
/// `(first row, (labels, outputs))` of each chunk.
pub(crate) fn par_row_chunks<'a>(
    labels: &'a mut [usize],
    outputs: &'a mut [f64],
) -> impl IndexedParallelIterator<Item = (usize, (&'a mut [usize], &'a mut [f64]))> {
    labels
        .par_chunks_mut(CHUNK_ROWS)
        .zip(outputs.par_chunks_mut(CHUNK_ROWS))
        .enumerate()
        .map(|(chunk, pair)| (chunk * CHUNK_ROWS, pair))
}

/// Outputs and relevances of a batch, split into the fixed `CHUNK_ROWS` chunks and filled in
/// parallel: `f(first row, outputs, relevances)` per chunk; the first error is returned.
pub(crate) fn try_for_each_chunk(
    output: &mut Array1<f64>,
    relevance: &mut Array2<f64>,
    f: impl Fn(usize, &mut [f64], ArrayViewMut2<f64>) -> Result<()> + Send + Sync,
) -> Result<()> {
    output
        .as_slice_mut()
        .expect("owned")
        .par_chunks_mut(CHUNK_ROWS)
        .zip(
            relevance
                .axis_chunks_iter_mut(Axis(0), CHUNK_ROWS)
                .into_par_iter(),
        )
        .enumerate()
        .try_for_each(|(c, (out, rel))| f(c * CHUNK_ROWS, out, rel))
}

/// Kernels the benchmarks time to measure the arithmetic floor (`benches/library.rs`);
/// not a stable API.
pub mod bench_internals {
    /// `values_j <- exp(shift - values_j)` with the library's vectorized exponential (the
    /// best compiled copy for this CPU), returning their sum: the one exponential pass per
    /// row x unit pair of a kernel explanation.
    pub fn exp_sum_inplace(values: &mut [f64], shift: f64) -> f64 {
        super::lanes::exp_sum_inplace(values, shift, 1.0)
    }
}
