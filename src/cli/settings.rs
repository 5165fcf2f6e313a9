//! Options shared by the commands that run explainers (`explain`, `evaluate`).

use crate::{Beta, LayerRules, LinearRule, Method, Result};

/// The help of `--linear-rule`, from the table of linear rules.
fn linear_rule_help() -> String {
    format!(
        "k-means only: the rule of the linear layer: {} (zb needs `bounds` in the model file)",
        LinearRule::syntax()
    )
}

/// Stiffness, linear-layer rule and sampling options of the explainers.
#[derive(Debug, Clone, clap::Args)]
pub struct SettingsArgs {
    /// Soft-min stiffness beta > 0 of the relevance pooling, or `auto` (from the model file
    /// only: kernel models min(1, 1/(gamma s)), s the median pairwise distance of the
    /// support vectors or points; k-means 10 x the beta below). Default: the default
    /// method's own (1 for one-class SVMs and kernel densities, `auto` for the other
    /// families; `info` shows it); for the NEON
    /// rule sets, 1 for one-class SVM and kernel density
    /// (their own soft-min) and for k-means the model file's beta, else
    /// 2 / (mean squared distance to the nearest other centroid).
    #[arg(long)]
    pub beta: Option<String>,
    #[arg(long, default_value = "midpoint", help = linear_rule_help())]
    pub linear_rule: String,
    /// Dense networks: replace the rule set's rule on chosen layers, numbered from the
    /// input (0) to the explained unit, e.g. `0=zb,1=gamma=0.25` (rules as --linear-rule;
    /// zb on layer 0 only). Applies to the NEON rule sets and the default.
    #[arg(long, value_name = "L=RULE,...")]
    pub layer_rule: Option<String>,
    /// Integrated-gradients path points.
    #[arg(long, default_value_t = 32)]
    pub steps: usize,
    /// Shapley-sampling permutations.
    #[arg(long, default_value_t = 64)]
    pub samples: usize,
    /// Seed of the sampling methods and of evaluate's marginal draws (results do not
    /// depend on the thread count).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

impl SettingsArgs {
    /// `method` with these options: `--beta` applies to the NEON rule sets and the default
    /// (unless the method names its own, `NAME@BETA`); the others apply to every method.
    pub fn apply(&self, method: Method) -> Result<Method> {
        let mut method = method
            .with_linear_rule(self.linear_rule.parse::<LinearRule>()?)
            .with_steps(self.steps)
            .with_samples(self.samples)
            .with_seed(self.seed);
        if let Some(spec) = &self.layer_rule {
            let layer_rules = spec.parse::<LayerRules>()?;
            if method.technique().has_beta() {
                method = method.with_layer_rules(layer_rules);
            }
        }
        if let Some(beta) = &self.beta {
            let beta = beta.parse::<Beta>()?;
            if method.technique().has_beta() && method.beta().is_none() {
                method = method.with_beta(beta);
            }
        }
        Ok(method)
    }
}
