//! Every compatibility check between a [`Method`] and a model, in one place.

use super::Explainer;
use crate::error::{Error, Result};
use crate::method::{Beta, LinearRule, Method, RuleSet, Technique};
use crate::network::NeonRules;

/// A method checked against the model.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Resolved {
    /// An LRP rule set with its numbers.
    Neon(Rules),
    /// One of the other explainers.
    Other,
}

/// The resolved numbers of a NEON rule set (references into the explainer are bound later).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rules {
    rule_set: RuleSet,
    beta: f64,
    linear: LinearRule,
}

impl Rules {
    /// The rules with the explainer's reference and bounds.
    pub(crate) fn bind(self, explainer: &Explainer) -> NeonRules<'_> {
        NeonRules {
            rule_set: self.rule_set,
            beta: self.beta,
            linear: self.linear,
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
            Technique::Default => (
                network.default_rule_set(),
                method.beta().unwrap_or(network.default_beta()),
            ),
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
        let beta = match beta {
            Beta::Auto => self.auto_beta,
            Beta::Value(b) => b,
        };
        Ok(Resolved::Neon(Rules {
            rule_set,
            beta,
            linear,
        }))
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
