//! Every compatibility check between a [`Method`] and a model, in one place.

use super::Explainer;
use crate::error::{Error, Result};
use crate::method::{Beta, LayerRules, LinearRule, Method, RuleSet, Technique};
use crate::network::NeonRules;

/// A method checked against the model.
#[derive(Debug, Clone)]
pub(crate) enum Resolved {
    /// An LRP rule set with its numbers (boxed: the per-layer overrides make it large).
    Neon(Box<Rules>),
    /// One of the other explainers.
    Other,
}

/// The resolved numbers of a NEON rule set (references into the explainer are bound later).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rules {
    rule_set: RuleSet,
    beta: f64,
    linear: LinearRule,
    layer_rules: LayerRules,
}

impl Rules {
    /// The rules with the explainer's reference and bounds.
    pub(crate) fn bind(self, explainer: &Explainer) -> NeonRules<'_> {
        NeonRules {
            rule_set: self.rule_set,
            beta: self.beta,
            linear: self.linear,
            layer_rules: self.layer_rules,
            reference: explainer.reference_z.view(),
            bounds: explainer.bounds.as_ref().map(|(l, h)| (l.view(), h.view())),
        }
    }
}

impl Explainer {
    /// Check `method` against the model: its parameters, the cluster, the rule set and the
    /// linear rule; resolve the default method and beta.
    pub(crate) fn resolve(&self, method: &Method) -> Result<Resolved> {
        method.validate()?;
        self.check_cluster(method.cluster())?;
        let network = self.network();
        let linear = method.linear_rule();
        if linear != LinearRule::Midpoint && !network.has_linear_layer() {
            return Err(Error::parameter(
                "linear-rule",
                format!(
                    "{} models have no linear layer (the linear rules apply to k-means)",
                    self.kind
                ),
            ));
        }
        if linear.needs_bounds() && self.bounds.is_none() {
            return Err(Error::parameter(
                "linear-rule",
                "zb needs input bounds: add `bounds` {\"low\", \"high\"} to the model file",
            ));
        }
        let (rule_set, beta) = match method.technique() {
            Technique::Default => match &self.stored {
                // The model file's tuned method; an explicit beta still overrides its beta.
                Some(stored) => {
                    let stored = stored.method();
                    let Technique::Neon(rule_set) = stored.technique() else {
                        // StoredMethod::new refuses anything else.
                        return Err(Error::model("method.name", "must be a NEON rule set"));
                    };
                    let beta = method
                        .beta()
                        .or(stored.beta())
                        .unwrap_or(Beta::Value(self.published_beta));
                    (rule_set, beta)
                }
                None => (
                    network.default_rule_set(),
                    method.beta().unwrap_or(network.default_beta()),
                ),
            },
            Technique::Neon(rule_set) => (
                rule_set,
                method.beta().unwrap_or(Beta::Value(self.published_beta)),
            ),
            _ => return Ok(Resolved::Other),
        };
        if !network.rule_sets().contains(&rule_set) {
            let supported: Vec<&str> = network.rule_sets().iter().map(|r| r.name()).collect();
            return Err(Error::parameter(
                "rule",
                format!(
                    "{rule_set} is not defined for {} models (they support {})",
                    self.kind,
                    supported.join(", ")
                ),
            ));
        }
        if matches!(rule_set, RuleSet::NeonPath | RuleSet::NeonSpread)
            && linear != LinearRule::Midpoint
        {
            return Err(Error::parameter(
                "linear-rule",
                "neon-path and neon-spread split every contrast exactly and take no linear rule; \
                 use --rule neon or neon-ref with --linear-rule",
            ));
        }
        let beta = match beta {
            Beta::Auto => self.auto_beta,
            Beta::Value(b) => b,
        };
        let layer_rules = method.layer_rules();
        self.check_layer_rules(layer_rules, rule_set)?;
        Ok(Resolved::Neon(Box::new(Rules {
            rule_set,
            beta,
            linear,
            layer_rules,
        })))
    }

    /// Per-layer overrides need a dense network, a layer-wise rule set (not `neon-ref`, which
    /// roots every layer at the reference), existing layers, no midpoint rule, and z^B only
    /// on the input layer with bounds.
    fn check_layer_rules(&self, layer_rules: LayerRules, rule_set: RuleSet) -> Result<()> {
        let Some(top) = layer_rules.max_layer() else {
            return Ok(());
        };
        let bad = |message: String| Err(Error::parameter("layer-rule", message));
        let Some(n) = self.network().n_layers() else {
            return bad(format!(
                "{} models have no layers to choose rules for (dense networks do)",
                self.kind
            ));
        };
        if top >= n {
            return bad(format!(
                "layer {top} does not exist: the network has {n} layers, 0 (input) to {} \
                 (the explained unit)",
                n - 1
            ));
        }
        for (layer, rule) in layer_rules.iter() {
            match rule {
                LinearRule::Midpoint => {
                    return bad(format!(
                        "layer {layer}: the midpoint rule is k-means' own (use lrp0, \
                         epsilon=E, gamma=G, alpha-beta=A,B, flat, w2, or zb on layer 0)"
                    ))
                }
                LinearRule::ZBox if layer != 0 => {
                    return bad(format!(
                        "layer {layer}: zb applies to the input layer (0) only"
                    ))
                }
                LinearRule::ZBox if self.bounds.is_none() => {
                    return bad(
                        "layer 0: zb needs input bounds: add `bounds` {\"low\", \"high\"} \
                         to the model file"
                            .to_string(),
                    )
                }
                _ => {}
            }
        }
        if rule_set == RuleSet::NeonRef && self.network().n_layers().is_some() {
            return bad("neon-ref roots every layer at the reference; \
                 per-layer rules go with a layer-wise --rule: tutorial, gamma-zb, \
                 epsilon-plus-flat or one linear rule (lrp0, epsilon=E, gamma=G, ...)"
                .to_string());
        }
        if matches!(rule_set, RuleSet::NeonFlip | RuleSet::NeonDrop)
            && self.network().n_layers().is_some()
        {
            return bad(format!(
                "{rule_set} roots every layer at the reference (as neon-ref); per-layer rules \
                 go with a layer-wise --rule: tutorial, gamma-zb, epsilon-plus-flat or one \
                 linear rule (lrp0, epsilon=E, gamma=G, ...)"
            ));
        }
        Ok(())
    }

    /// A chosen cluster (k-means) or class (classifiers) must exist.
    pub(crate) fn check_cluster(&self, cluster: Option<usize>) -> Result<()> {
        match (cluster, self.network().n_clusters()) {
            (None, _) => Ok(()),
            (Some(_), None) => Err(Error::parameter(
                "cluster",
                "only k-means models (clusters) and classifiers (classes) have outputs to \
                 choose from",
            )),
            (Some(c), Some(k)) if c >= k => Err(Error::parameter(
                "cluster",
                format!("must be below the number of clusters ({k}), got {c} (classes, for a classifier)"),
            )),
            (Some(_), Some(_)) => Ok(()),
        }
    }
}
