//! Which LRP rule each layer of a dense network gets, per rule set (composite).
//!
//! Layers are numbered from the input (0) to the explained unit (L - 1):
//!
//! | rule set | layer 0 (input) | lower hidden | upper hidden | top (L - 1) | conserving |
//! |---|---|---|---|---|---|
//! | `neon-ref` (default) | rooted at the reference, every layer (`network/rooted.rs`) | | | | yes |
//! | `tutorial` | z^B, w² without bounds | γ = 0.25 | ε = 0.25 std | LRP-0 | no (biases absorb) |
//! | `gamma-zb` | z^B, w² without bounds | γ = 0.25 | γ = 0.25 | γ = 0.25 | yes (biases get nothing) |
//! | `epsilon-plus-flat` | flat | ε = 1e-6 | ε = 1e-6 | ε = 1e-6 | no (biases absorb) |
//! | `uniform` | the linear rule | the linear rule | the linear rule | the linear rule | as the rule |
//!
//! The middle layers `1..L-2` are split in two: the first `ceil((L-2)/2)` are "lower" (γ),
//! the rest "upper" (ε). `0.25 std` is a quarter of the standard deviation of the layer's
//! pre-activations over its units, at the explained row (so results never depend on the
//! batch). This follows the layer-wise recipe of Montavon et al. (2019), "Layer-wise
//! relevance propagation: an overview", with w² for real-valued inputs without bounds.
//!
//! `--layer-rule L=RULE,...` ([`crate::LayerRules`]) replaces the rule set's rule on the
//! listed layers (checked by the explainer: existing layers, no midpoint, zb only on layer 0
//! with bounds).

use crate::error::{Error, Result};
use crate::method::{LinearRule, RuleSet};
use crate::network::NeonRules;

/// The γ of the composites.
pub(crate) const GAMMA: f64 = 0.25;
/// The ε factor of the tutorial composite (times the layer's pre-activation std).
pub(crate) const EPSILON_STD: f64 = 0.25;
/// The ε of `epsilon-plus-flat`.
pub(crate) const EPSILON_FLAT: f64 = 1e-6;

/// The rule of one layer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum LayerRule {
    /// A fixed linear rule.
    Fixed(LinearRule),
    /// ε = factor x the standard deviation of the layer's pre-activations at the row.
    EpsilonStd(f64),
}

impl LayerRule {
    /// The linear rule at one row, given the layer's pre-activations there.
    pub(crate) fn at(self, pre_activations: &[f64]) -> LinearRule {
        match self {
            LayerRule::Fixed(rule) => rule,
            LayerRule::EpsilonStd(factor) => {
                let n = pre_activations.len() as f64;
                let mean = pre_activations.iter().sum::<f64>() / n;
                let var = pre_activations
                    .iter()
                    .map(|v| (v - mean) * (v - mean))
                    .sum::<f64>()
                    / n;
                LinearRule::Epsilon {
                    epsilon: factor * var.sqrt(),
                }
            }
        }
    }
}

/// The rule of every layer (input first) of a network with `n_layers` layers.
pub(crate) fn layer_rules(rules: &NeonRules<'_>, n_layers: usize) -> Result<Vec<LayerRule>> {
    let input_rule = if rules.bounds.is_some() {
        LinearRule::ZBox
    } else {
        LinearRule::WSquare
    };
    let top = n_layers - 1;
    let lower_end = 1 + (n_layers.saturating_sub(2)).div_ceil(2);
    let fixed = LayerRule::Fixed;
    let rule_of = |l: usize| -> Result<LayerRule> {
        Ok(match rules.rule_set {
            RuleSet::Tutorial => match l {
                0 => fixed(input_rule),
                l if l == top => fixed(LinearRule::Lrp0),
                l if l < lower_end => fixed(LinearRule::Gamma { gamma: GAMMA }),
                _ => LayerRule::EpsilonStd(EPSILON_STD),
            },
            RuleSet::GammaZb => match l {
                0 => fixed(input_rule),
                _ => fixed(LinearRule::Gamma { gamma: GAMMA }),
            },
            RuleSet::EpsilonPlusFlat => match l {
                0 => fixed(LinearRule::Flat),
                _ => fixed(LinearRule::Epsilon {
                    epsilon: EPSILON_FLAT,
                }),
            },
            RuleSet::Uniform => match rules.linear {
                LinearRule::Midpoint => {
                    return Err(Error::parameter(
                        "linear-rule",
                        "the midpoint rule is k-means' own; the `uniform` rule set of a \
                         dense network needs another (lrp0, epsilon=E, gamma=G, \
                         alpha-beta=A,B, flat, w2)",
                    ))
                }
                LinearRule::ZBox if n_layers > 1 => {
                    return Err(Error::parameter(
                        "linear-rule",
                        "zb applies to the input layer only (it is part of the `tutorial` \
                         and `gamma-zb` rule sets)",
                    ))
                }
                rule => fixed(rule),
            },
            other => {
                return Err(Error::parameter(
                    "rule",
                    format!("{other} is not defined for dense networks"),
                ))
            }
        })
    };
    (0..n_layers)
        .map(|l| match rules.layer_rules.get(l) {
            Some(rule) => Ok(LayerRule::Fixed(rule)),
            None => rule_of(l),
        })
        .collect()
}
