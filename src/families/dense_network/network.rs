//! The dense network as a [`Network`]: batched forward pass, gradient of the explained
//! output, and the LRP pass with one linear rule per layer ([`super::rules`]).
//!
//! The explained output of target t (a class, or the regression output) is one linear unit
//! on the last hidden activations: `f_t(a) = s_t (a . w_t + b_t)`, `w_t` column t of the last
//! weights (column 0 for one output unit), `s_t = -1` for class 0 of a logistic output and
//! `+1` otherwise. LRP starts with `R = f_t` on that unit and applies the layer's rule on each
//! layer from the top down; a ReLU passes the relevance of its unit unchanged.

use super::model::{Activation, DenseNetwork, OutputKind};
use super::rules::{layer_rules, LayerRule};
use super::ClassTarget;
use crate::error::Result;
use crate::explainer::{Explanation, Forward, Prediction};
use crate::lrp::linear::{propagate_linear, LinearInput};
use crate::method::RuleSet;
use crate::network::{NeonRules, Network, CHUNK_ROWS};
use flip::SecondPath;
use ndarray::{array, s, Array1, Array2, ArrayView1, ArrayView2, Axis};
use rayon::prelude::*;

mod drop;
mod flip;
mod reveal;
mod rooted;

/// One layer: weights inputs x units and their transpose (units x inputs, the layout of the
/// LRP kernels).
#[derive(Debug, Clone)]
struct Layer {
    weights: Array2<f64>,
    weights_t: Array2<f64>,
    biases: Array1<f64>,
    activation: Option<Activation>,
}

/// The explained units of one target on the last hidden activations a: one unit
/// `h = s_t (a . w_t + b_t)` for the logit, or (log-odds of a softmax class c) the contrasts
/// `h_k = a . (w_c - w_k) + b_c - b_k` of every other class k, pooled by soft-min:
/// `f = -log sum_k exp(-h_k) = log p_c / (1 - p_c)`.
#[derive(Debug, Clone)]
struct TargetUnits {
    /// Units x inputs.
    weights: Array2<f64>,
    biases: Array1<f64>,
}

impl TargetUnits {
    /// The unit values `h` and the explained output `f` (max-shifted soft-min for several
    /// units).
    fn evaluate(&self, a: ArrayView1<f64>) -> (Vec<f64>, f64) {
        let h: Vec<f64> = self
            .weights
            .outer_iter()
            .zip(&self.biases)
            .map(|(w, b)| w.dot(&a) + b)
            .collect();
        let f = soft_min(&h);
        (h, f)
    }
}

/// `-log sum_k exp(-h_k)`, max-shifted (`h_0` itself for one unit).
fn soft_min(h: &[f64]) -> f64 {
    if h.len() == 1 {
        return h[0];
    }
    let m = h.iter().copied().fold(f64::INFINITY, f64::min);
    m - h.iter().map(|v| (-(v - m)).exp()).sum::<f64>().ln()
}

/// The soft-min shares `exp(-h_k) / sum exp(-h)` (`[1]` for one unit): the relevance of each
/// unit is its share times the output, and the gradient `df/dh_k`.
fn soft_min_shares(h: &[f64]) -> Vec<f64> {
    let m = h.iter().copied().fold(f64::INFINITY, f64::min);
    let e: Vec<f64> = h.iter().map(|v| (-(v - m)).exp()).collect();
    let s: f64 = e.iter().sum();
    e.iter().map(|v| v / s).collect()
}

/// The neuralized dense network.
#[derive(Debug, Clone)]
pub(crate) struct DenseLrp {
    model: DenseNetwork,
    layers: Vec<Layer>,
    targets: Vec<TargetUnits>,
}

/// Inputs `a_l` and pre-activations of every layer for a chunk of rows.
struct Pass {
    /// `inputs[l]`: the input of layer l (rows x inputs); `inputs[0] = z`.
    inputs: Vec<Array2<f64>>,
    /// `pre[l]`: the pre-activations of layer l (rows x units); the last is the logits.
    pre: Vec<Array2<f64>>,
}

/// The rule sets of dense networks, the default first.
const RULE_SETS: &[RuleSet] = &[
    RuleSet::NeonDrop,
    RuleSet::NeonRef,
    RuleSet::NeonFlip,
    RuleSet::RevealCancel,
    RuleSet::Tutorial,
    RuleSet::GammaZb,
    RuleSet::EpsilonPlusFlat,
    RuleSet::Uniform,
];

impl DenseLrp {
    /// The network explaining `target` of a classifier (the output of a regressor).
    pub(crate) fn new(model: DenseNetwork, target: ClassTarget) -> Self {
        let layers: Vec<Layer> = model
            .layers()
            .iter()
            .map(|l| Layer {
                weights: l.weights().to_owned(),
                weights_t: l.weights().t().as_standard_layout().into_owned(),
                biases: l.biases().to_owned(),
                activation: l.activation(),
            })
            .collect();
        let last = layers.last().expect("at least one layer");
        let unit = |column: usize, sign: f64| TargetUnits {
            weights: last
                .weights
                .column(column)
                .mapv(|w| sign * w)
                .insert_axis(Axis(0)),
            biases: array![sign * last.biases[column]],
        };
        let k = last.weights.ncols();
        let contrasts = |c: usize| {
            let others: Vec<usize> = (0..k).filter(|&j| j != c).collect();
            let mut weights = Array2::zeros((others.len(), last.weights.nrows()));
            let mut biases = Array1::zeros(others.len());
            for (u, &j) in others.iter().enumerate() {
                weights
                    .row_mut(u)
                    .assign(&(&last.weights.column(c) - &last.weights.column(j)));
                biases[u] = last.biases[c] - last.biases[j];
            }
            TargetUnits { weights, biases }
        };
        let targets = match (model.output(), target) {
            (OutputKind::Identity, _) => vec![unit(0, 1.0)],
            (OutputKind::Logistic, _) => vec![unit(0, -1.0), unit(0, 1.0)],
            (OutputKind::Softmax, ClassTarget::Logit) => (0..k).map(|c| unit(c, 1.0)).collect(),
            (OutputKind::Softmax, ClassTarget::LogOdds) => (0..k).map(contrasts).collect(),
        };
        DenseLrp {
            model,
            layers,
            targets,
        }
    }

    fn pass(&self, z: ArrayView2<f64>) -> Pass {
        let first = z.dot(&self.layers[0].weights) + &self.layers[0].biases;
        self.pass_from_first(z.to_owned(), first)
    }

    /// The pass of the rows `z` whose first layer's pre-activations are already known.
    fn pass_from_first(&self, z: Array2<f64>, first: Array2<f64>) -> Pass {
        let mut inputs = vec![z];
        let mut pre = Vec::with_capacity(self.layers.len());
        pre.push(first);
        for (l, layer) in self.layers.iter().enumerate() {
            if l > 0 {
                pre.push(inputs.last().expect("z").dot(&layer.weights) + &layer.biases);
            }
            if let Some(act) = layer.activation {
                inputs.push(pre[l].mapv(|v| act.apply(v)));
            }
        }
        Pass { inputs, pre }
    }

    /// Predicted target and, for each row, the explained target (chosen or predicted).
    fn decide(&self, logits: ArrayView2<f64>, chosen: Option<usize>) -> (Vec<usize>, Vec<usize>) {
        let predicted: Vec<usize> = logits
            .outer_iter()
            .map(|row| self.model.decide(row.as_slice().expect("owned rows")).0)
            .collect();
        let targets = predicted.iter().map(|&p| chosen.unwrap_or(p)).collect();
        (predicted, targets)
    }

    /// The explained output of target t at one row, from the last hidden activations.
    fn target_value(&self, t: usize, last_input: ArrayView1<f64>) -> f64 {
        self.targets[t].evaluate(last_input).1
    }

    fn prediction(&self, predicted: Vec<usize>, logits: ArrayView2<f64>) -> Prediction {
        match self.model.output() {
            OutputKind::Identity => Prediction::Values(logits.column(0).to_owned()),
            _ => Prediction::Labels(predicted),
        }
    }

    /// Forward, explanation or gradient of every chunk of rows, in parallel over fixed
    /// chunks (results do not depend on the thread count); outputs are concatenated.
    fn chunked<T: Send>(
        &self,
        z: ArrayView2<f64>,
        work: impl Fn(ArrayView2<f64>) -> T + Sync,
    ) -> Vec<T> {
        let n = z.nrows();
        (0..n.div_ceil(CHUNK_ROWS))
            .into_par_iter()
            .map(|c| {
                let rows = c * CHUNK_ROWS..((c + 1) * CHUNK_ROWS).min(n);
                work(z.slice(s![rows, ..]))
            })
            .collect()
    }

    /// Outputs and layer-wise LRP relevances of a chunk, row by row.
    fn explain_rows(
        &self,
        pass: &Pass,
        targets: &[usize],
        rules: &[LayerRule],
        bounds: Bounds<'_>,
    ) -> (Vec<f64>, Array2<f64>) {
        let mut relevance = Array2::zeros((targets.len(), self.n_features()));
        let mut output = Vec::with_capacity(targets.len());
        for (r, &t) in targets.iter().enumerate() {
            let (o, rel) = self.explain_row(pass, r, t, rules, bounds);
            output.push(o);
            relevance.row_mut(r).assign(&ArrayView1::from(&rel[..]));
        }
        (output, relevance)
    }

    /// The LRP relevance of one row explaining target t.
    fn explain_row(
        &self,
        pass: &Pass,
        r: usize,
        t: usize,
        rules: &[LayerRule],
        bounds: Bounds<'_>,
    ) -> (f64, Vec<f64>) {
        let last = self.layers.len() - 1;
        let top_input = pass.inputs[last].row(r);
        let (units, output) = self.targets[t].evaluate(top_input);
        // Soft-min pooling: unit k gets its share of the output (all of it for one unit).
        let mut relevance: Vec<f64> = soft_min_shares(&units).iter().map(|p| p * output).collect();
        let no_midpoints = ArrayView2::from_shape((0, 0), &[]).expect("empty");
        for l in (0..self.layers.len()).rev() {
            let input = pass.inputs[l].row(r);
            let input = input.to_slice().expect("owned rows");
            let (weights, activations) = if l == last {
                (self.targets[t].weights.view(), &units[..])
            } else {
                let pre = pass.pre[l].row(r);
                (
                    self.layers[l].weights_t.view(),
                    pre.to_slice().expect("owned rows"),
                )
            };
            let rule = rules[l].at(activations);
            let layer = LinearInput {
                input,
                weights,
                activations,
                midpoints: no_midpoints,
                bounds: if l == 0 { bounds } else { None },
            };
            let mut below = vec![0.0; input.len()];
            propagate_linear(rule, &layer, &relevance, &mut below);
            relevance = below;
        }
        (output, relevance)
    }
}

/// z^B bounds of the input layer (standardized space).
type Bounds<'a> = Option<(&'a [f64], &'a [f64])>;

impl Network for DenseLrp {
    fn n_features(&self) -> usize {
        self.model.n_features()
    }

    /// The classes of a classifier; `None` for a regressor.
    fn n_clusters(&self) -> Option<usize> {
        self.model.classes().map(<[String]>::len)
    }

    fn rule_sets(&self) -> &'static [RuleSet] {
        RULE_SETS
    }

    fn default_rule_set(&self) -> RuleSet {
        RULE_SETS[0]
    }

    fn default_reason(&self) -> &'static str {
        "neon-ref (every layer rooted at the reference, DeepLIFT's rescale rule) averaged \
         with a path on which its top 3 features carry their joint drop: within 2% of the \
         best of occlusion, gradient x input and integrated gradients on all 40 held-out \
         sets, at under 3 forward passes (docs/dense_network.md)"
    }

    /// `neon-drop`, the default: conserving.
    fn conserving_rule_set(&self) -> RuleSet {
        RuleSet::NeonDrop
    }

    fn with_class_target(&self, target: ClassTarget) -> Option<Box<dyn Network>> {
        self.model
            .classes()
            .map(|_| Box::new(DenseLrp::new(self.model.clone(), target)) as Box<dyn Network>)
    }

    fn has_linear_layer(&self) -> bool {
        true
    }

    /// Every weight layer, the explained unit's included.
    fn n_layers(&self) -> Option<usize> {
        Some(self.layers.len())
    }

    /// No soft-min pooling: beta is unused.
    fn published_beta(&self, _stored: Option<f64>) -> f64 {
        1.0
    }

    fn auto_beta(&self, published: f64) -> f64 {
        published
    }

    fn forward(&self, z: ArrayView2<f64>, cluster: Option<usize>) -> Result<Forward> {
        let parts = self.chunked(z, |chunk| {
            let pass = self.pass(chunk);
            let logits = pass.pre.last().expect("a layer");
            let (predicted, targets) = self.decide(logits.view(), cluster);
            let top = pass.inputs.last().expect("z");
            let output: Vec<f64> = targets
                .iter()
                .enumerate()
                .map(|(r, &t)| self.target_value(t, top.row(r)))
                .collect();
            (predicted, logits.column(0).to_vec(), output)
        });
        let mut predicted = Vec::with_capacity(z.nrows());
        let mut values = Vec::with_capacity(z.nrows());
        let mut output = Vec::with_capacity(z.nrows());
        for (p, v, o) in parts {
            predicted.extend(p);
            values.extend(v);
            output.extend(o);
        }
        let prediction = match self.model.output() {
            OutputKind::Identity => Prediction::Values(Array1::from(values)),
            _ => Prediction::Labels(predicted),
        };
        Ok(Forward {
            prediction,
            output: Array1::from(output),
        })
    }

    fn explain(
        &self,
        z: ArrayView2<f64>,
        rules: &NeonRules<'_>,
        cluster: Option<usize>,
    ) -> Result<Explanation> {
        let reveal = rules.rule_set == RuleSet::RevealCancel;
        let flip = rules.rule_set == RuleSet::NeonFlip;
        let drop = rules.rule_set == RuleSet::NeonDrop;
        let rooted = reveal || flip || drop || rules.rule_set == RuleSet::NeonRef;
        if reveal && (0..self.layers.len()).any(|l| rules.layer_rules.get(l).is_some()) {
            return Err(crate::error::Error::parameter(
                "layer-rule",
                "reveal-cancel roots every layer at the reference; per-layer rules go with a \
                 layer-wise --rule: tutorial, gamma-zb, epsilon-plus-flat or one linear rule",
            ));
        }
        // The rooted rules are the same on every layer (see `rooted`, `reveal`); the others
        // per layer.
        let per_layer = if rooted {
            Vec::new()
        } else {
            layer_rules(rules, self.layers.len())?
        };
        let bounds = rules.bounds.map(|(l, h)| {
            (
                l.to_slice().expect("owned bounds"),
                h.to_slice().expect("owned bounds"),
            )
        });
        let d = self.n_features();
        let root = rooted.then(|| self.pass(rules.reference.insert_axis(Axis(0))));
        let signed = if reveal {
            self.signed_weights()
        } else {
            Vec::new()
        };
        let parts = self.chunked(z, |chunk| {
            let pass = self.pass(chunk);
            let logits = pass.pre.last().expect("a layer");
            let (predicted, targets) = self.decide(logits.view(), cluster);
            let (output, relevance) = match &root {
                Some(root) if reveal => {
                    self.explain_reveal(&pass, root, &targets, rules.reference, &signed)
                }
                Some(root) if flip || drop => {
                    let second = if flip {
                        SecondPath::Flip
                    } else {
                        SecondPath::Drop
                    };
                    self.explain_flip_ordered(&pass, root, &targets, rules.reference, second)
                }
                Some(root) => self.explain_rooted(&pass, root, &targets, rules.reference),
                None => self.explain_rows(&pass, &targets, &per_layer, bounds),
            };
            let prediction = self.prediction(predicted, logits.view());
            (prediction, output, relevance)
        });
        let mut labels = Vec::new();
        let mut values = Vec::new();
        let mut output = Vec::with_capacity(z.nrows());
        let mut blocks = Vec::with_capacity(parts.len());
        for (p, o, rel) in parts {
            match p {
                Prediction::Labels(l) => labels.extend(l),
                Prediction::Values(v) => values.extend(v),
            }
            output.extend(o);
            blocks.push(rel);
        }
        let views: Vec<_> = blocks.iter().map(|b| b.view()).collect();
        let relevance = if views.is_empty() {
            Array2::zeros((0, d))
        } else {
            ndarray::concatenate(Axis(0), &views).expect("equal widths")
        };
        let prediction = match self.model.output() {
            OutputKind::Identity => Prediction::Values(Array1::from(values)),
            _ => Prediction::Labels(labels),
        };
        Ok(Explanation {
            prediction,
            output: Array1::from(output),
            relevance,
        })
    }

    /// Backpropagation: `g = sum_k p_k w_k` on the last hidden activations (the explained
    /// units' weights, `p` their soft-min shares; `s_t w_t` for a logit), then
    /// `g <- (g * act'(pre_l)) W_l^T` down to the input (`relu'(v) = 1` for `v > 0`, else 0).
    fn gradients(&self, z: ArrayView2<f64>, cluster: Option<usize>) -> Array2<f64> {
        let d = self.n_features();
        let parts = self.chunked(z, |chunk| {
            let pass = self.pass(chunk);
            let logits = pass.pre.last().expect("a layer");
            let (_, targets) = self.decide(logits.view(), cluster);
            let last = self.layers.len() - 1;
            let mut g = Array2::zeros((chunk.nrows(), self.layers[last].weights.nrows()));
            let top = &pass.inputs[last];
            for (r, &t) in targets.iter().enumerate() {
                let units = &self.targets[t];
                let (h, _) = units.evaluate(top.row(r));
                for (p, w) in soft_min_shares(&h).iter().zip(units.weights.outer_iter()) {
                    g.row_mut(r).scaled_add(*p, &w);
                }
            }
            for l in (0..last).rev() {
                if self.layers[l].activation == Some(Activation::Relu) {
                    g.zip_mut_with(&pass.pre[l], |gi, &p| {
                        if p <= 0.0 {
                            *gi = 0.0
                        }
                    });
                }
                g = g.dot(&self.layers[l].weights_t);
            }
            g
        });
        let views: Vec<_> = parts.iter().map(|b| b.view()).collect();
        if views.is_empty() {
            Array2::zeros((0, d))
        } else {
            ndarray::concatenate(Axis(0), &views).expect("equal widths")
        }
    }
}
