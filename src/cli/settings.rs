//! Options shared by the commands that run explainers (`explain`, `evaluate`).

use crate::baselines::{Beta, Settings};
use crate::{LinearRule, Result};

/// Stiffness, linear-layer rule and sampling options of the explainers.
#[derive(Debug, Clone, clap::Args)]
pub struct SettingsArgs {
    /// Soft-min stiffness beta > 0 of the relevance pooling, or `auto` (from the model file
    /// only: kernel models min(1, 1/(gamma s)), s the median pairwise distance of the
    /// support vectors or points; k-means 10 x the beta below). Default: `auto` for the
    /// default method; for the NEON rule sets, 1 for one-class SVM and kernel density
    /// (their own soft-min) and for k-means the model file's beta, else
    /// 2 / (mean squared distance to the nearest other centroid).
    #[arg(long)]
    pub beta: Option<String>,
    /// k-means only: the rule of the linear layer: midpoint, lrp0, epsilon=E, gamma=G,
    /// alpha-beta=A,B, flat, w2 or zb (z^B needs `bounds` in the model file).
    #[arg(long, default_value = "midpoint")]
    pub linear_rule: String,
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
    /// Parse into the library's settings (which check their ranges when used).
    pub fn settings(&self) -> Result<Settings> {
        Ok(Settings {
            beta: self.beta.as_deref().map(str::parse::<Beta>).transpose()?,
            linear: self.linear_rule.parse::<LinearRule>()?,
            steps: self.steps,
            samples: self.samples,
            seed: self.seed,
        })
    }
}
