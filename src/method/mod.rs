//! What to explain with: one [`Method`] value names a NEON rule set (with its beta,
//! linear rule and cluster) or any other explainer, with its parameters.
//!
//! Every name (methods, rule sets, linear rules) comes from one table, so parsing, display,
//! help text, error messages and test enumeration cannot disagree.

mod layer_rules;
mod linear_rule;
mod rule_set;

pub use layer_rules::{LayerRules, MAX_LAYER_RULES};
pub use linear_rule::LinearRule;
pub use rule_set::RuleSet;

use crate::error::{Error, Result};
use std::fmt;
use std::str::FromStr;

/// The soft-min stiffness of a NEON rule set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Beta {
    /// A heuristic read off the model file (never the explained rows): for kernel models
    /// `min(1, 1 / (gamma s))`, s the median pairwise `||u_j - u_k||_q^q` of the centers;
    /// for k-means 10 times the published beta.
    Auto,
    /// A finite value > 0.
    Value(f64),
}

impl FromStr for Beta {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        if s == "auto" {
            return Ok(Beta::Auto);
        }
        match s.parse::<f64>() {
            Ok(b) if b.is_finite() && b > 0.0 => Ok(Beta::Value(b)),
            _ => Err(Error::parameter(
                "beta",
                format!("must be `auto` or a finite number > 0, got {s}"),
            )),
        }
    }
}

impl fmt::Display for Beta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Beta::Auto => f.write_str("auto"),
            Beta::Value(b) => write!(f, "{b}"),
        }
    }
}

/// The explainer a [`Method`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Technique {
    /// The most faithful conserving NEON variant measured (`docs/faithfulness.md`): the
    /// model family's default rule set and beta (`neon-lean` at beta 1 for rbf kernel
    /// models, `neon-path` at beta 1 for laplacian ones, `neon-path` at beta `auto` for
    /// k-means).
    Default,
    /// An LRP rule set.
    Neon(RuleSet),
    /// `R_i = f(x) - f(x with x_i <- x̃_i)`.
    Occlusion,
    /// `R_i = df/dx_i(x) (x_i - x̃_i)`, analytic gradient.
    GradientXInput,
    /// `R_i = (df/dx_i(x))^2`.
    Sensitivity,
    /// Integrated gradients from x̃ (midpoint rule, `steps` points).
    IntegratedGradients,
    /// `R_i = df/dx_i(x0) (x_i - x0_i)` at a root point x0 between x and x̃.
    Taylor,
    /// A deletion mask times `f(x)`.
    MeaningfulPerturbation,
    /// Monte-Carlo permutation Shapley values (`samples` permutations).
    ShapleySampling,
    /// `U(-1, 1)`, a sanity baseline.
    Random,
}

/// Every technique but the NEON rule sets (which come from [`RuleSet`]'s table), by name.
const TECHNIQUES: &[(Technique, &str)] = &[
    (Technique::Default, "default"),
    (Technique::Occlusion, "occlusion"),
    (Technique::GradientXInput, "gradient-x-input"),
    (Technique::Sensitivity, "sensitivity"),
    (Technique::IntegratedGradients, "integrated-gradients"),
    (Technique::Taylor, "taylor"),
    (Technique::MeaningfulPerturbation, "meaningful-perturbation"),
    (Technique::ShapleySampling, "shapley-sampling"),
    (Technique::Random, "random"),
];

impl Technique {
    /// Every technique, NEON rule sets after `default`.
    pub fn all() -> Vec<Technique> {
        let mut all = vec![Technique::Default];
        all.extend(RuleSet::all().map(Technique::Neon));
        all.extend(TECHNIQUES[1..].iter().map(|&(t, _)| t));
        all
    }

    /// The name of the technique.
    pub fn name(self) -> &'static str {
        match self {
            Technique::Neon(rule_set) => rule_set.name(),
            other => TECHNIQUES
                .iter()
                .find(|(t, _)| *t == other)
                .map(|&(_, name)| name)
                .unwrap_or("?"),
        }
    }

    /// Whether beta applies (the LRP rule sets and the default).
    pub fn has_beta(self) -> bool {
        matches!(self, Technique::Default | Technique::Neon(_))
    }

    /// Whether the technique draws random numbers (and so depends on the seed).
    pub fn is_sampled(self) -> bool {
        matches!(
            self,
            Technique::MeaningfulPerturbation | Technique::ShapleySampling | Technique::Random
        )
    }
}

/// An explanation method and its parameters.
///
/// ```
/// use neuralize::{Beta, LinearRule, Method, RuleSet};
/// let default = Method::default();                 // what `neuralize explain` does
/// let published = Method::neon();                  // `--rule neon`
/// let stiff: Method = "neon-ref@2.5".parse()?;     // a rule set with its beta
/// assert_eq!(stiff, Method::rule_set(RuleSet::NeonRef).with_beta(Beta::Value(2.5)));
/// let sampled: Method = "shapley-sampling".parse()?;
/// let sampled = sampled.with_samples(128).with_seed(7);
/// let k_means = Method::neon().with_linear_rule(LinearRule::Flat).with_cluster(1);
/// # let _ = (default, published, sampled, k_means);
/// # Ok::<(), neuralize::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Method {
    technique: Technique,
    beta: Option<Beta>,
    linear: LinearRule,
    layer_rules: LayerRules,
    cluster: Option<usize>,
    steps: usize,
    samples: usize,
    seed: u64,
}

impl Default for Method {
    /// Exactly what `neuralize explain` does with no options.
    fn default() -> Self {
        Method::of(Technique::Default)
    }
}

impl Method {
    /// A technique with default parameters: beta from the technique (the default method's own
    /// for the default, e.g. 1 for kernel models and `auto` for k-means; the published beta for
    /// a rule set), the midpoint linear rule, the assigned cluster,
    /// 32 integrated-gradients steps, 64 Shapley permutations, seed 0.
    pub fn of(technique: Technique) -> Self {
        Method {
            technique,
            beta: None,
            linear: LinearRule::Midpoint,
            layer_rules: LayerRules::new(),
            cluster: None,
            steps: 32,
            samples: 64,
            seed: 0,
        }
    }

    /// The published NEON rules, as `--rule neon`: beta 1 for kernel models (their own
    /// soft-min), the model file's beta for k-means (else its scale-free default).
    pub fn neon() -> Self {
        Method::rule_set(RuleSet::Neon)
    }

    /// An LRP rule set with its published beta.
    pub fn rule_set(rule_set: RuleSet) -> Self {
        Method::of(Technique::Neon(rule_set))
    }

    /// Set the soft-min stiffness (NEON rule sets and the default only).
    pub fn with_beta(mut self, beta: Beta) -> Self {
        self.beta = Some(beta);
        self
    }

    /// Set the rule of linear layers (k-means).
    pub fn with_linear_rule(mut self, linear: LinearRule) -> Self {
        self.linear = linear;
        self
    }

    /// Replace the rule set's rule on chosen layers of a dense network (NEON rule sets and
    /// the default only), as `--layer-rule 0=zb,1=gamma=0.25`.
    pub fn with_layer_rules(mut self, layer_rules: LayerRules) -> Self {
        self.layer_rules = layer_rules;
        self
    }

    /// Explain the logit of this cluster (0-based, k-means) instead of the assigned one.
    pub fn with_cluster(mut self, cluster: usize) -> Self {
        self.cluster = Some(cluster);
        self
    }

    /// Explain the logit of this class (0-based index into the classifier's `classes`)
    /// instead of the predicted one; the same setting as [`Self::with_cluster`], which
    /// [`Self::cluster`] reports.
    pub fn with_class(self, class: usize) -> Self {
        self.with_cluster(class)
    }

    /// Seed of the sampling methods: results depend on the seed and each row's index only.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Integrated-gradients path points (>= 1).
    pub fn with_steps(mut self, steps: usize) -> Self {
        self.steps = steps;
        self
    }

    /// Shapley-sampling permutations (>= 1).
    pub fn with_samples(mut self, samples: usize) -> Self {
        self.samples = samples;
        self
    }

    /// The explainer.
    pub fn technique(&self) -> Technique {
        self.technique
    }

    /// The stiffness, if one was set.
    pub fn beta(&self) -> Option<Beta> {
        self.beta
    }

    /// The linear-layer rule.
    pub fn linear_rule(&self) -> LinearRule {
        self.linear
    }

    /// The per-layer rule overrides (dense networks).
    pub fn layer_rules(&self) -> LayerRules {
        self.layer_rules
    }

    /// The explained cluster, if one was set.
    pub fn cluster(&self) -> Option<usize> {
        self.cluster
    }

    /// Integrated-gradients steps.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// Shapley-sampling permutations.
    pub fn samples(&self) -> usize {
        self.samples
    }

    /// The seed of the sampling methods.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The method names accepted by [`Method::from_str`], comma-separated.
    pub fn names() -> String {
        let names: Vec<&str> = Technique::all().into_iter().map(Technique::name).collect();
        format!(
            "{} (NEON rule sets and default also as NAME@BETA or NAME@auto)",
            names.join(", ")
        )
    }

    /// Check the parameters' ranges.
    pub(crate) fn validate(&self) -> Result<()> {
        if self.beta.is_some() && !self.technique.has_beta() {
            return Err(Error::parameter(
                "beta",
                format!(
                    "{} has no beta (only the NEON rule sets do)",
                    self.technique.name()
                ),
            ));
        }
        if let Some(Beta::Value(b)) = self.beta {
            if !(b.is_finite() && b > 0.0) {
                return Err(Error::parameter(
                    "beta",
                    format!("must be a finite number > 0, got {b}"),
                ));
            }
        }
        self.linear.validated()?;
        if !self.layer_rules.is_empty() && !self.technique.has_beta() {
            return Err(Error::parameter(
                "layer-rule",
                format!(
                    "applies to the NEON rule sets of dense networks, not to {}",
                    self.technique.name()
                ),
            ));
        }
        if self.steps == 0 {
            return Err(Error::parameter("steps", "must be at least 1"));
        }
        if self.samples == 0 {
            return Err(Error::parameter("samples", "must be at least 1"));
        }
        Ok(())
    }
}

impl FromStr for Method {
    type Err = Error;

    /// A technique name, for the NEON rule sets and `default` optionally with `@BETA` or
    /// `@auto`: `default`, `neon@2`, `neon-ref@auto`, `occlusion`, ...
    fn from_str(s: &str) -> Result<Self> {
        let (name, beta) = match s.split_once('@') {
            Some((name, beta)) => (name, Some(beta.parse::<Beta>()?)),
            None => (s, None),
        };
        let technique = Technique::all()
            .into_iter()
            .find(|t| t.name() == name)
            .ok_or_else(|| {
                Error::parameter(
                    "method",
                    format!("unknown method {s:?}; expected one of {}", Method::names()),
                )
            })?;
        let method = Method::of(technique);
        match beta {
            None => Ok(method),
            Some(_) if !technique.has_beta() => Err(Error::parameter(
                "method",
                format!("{name} has no beta (only the NEON rule sets do)"),
            )),
            Some(beta) => Ok(method.with_beta(beta)),
        }
    }
}

impl fmt::Display for Method {
    /// The technique's name, with `@BETA` when a beta was set.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.technique.name())?;
        match self.beta {
            Some(beta) => write!(f, "@{beta}"),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Adding a variant breaks this match until the variant is in its table too.
    fn listed(technique: Technique) -> bool {
        match technique {
            Technique::Neon(rule_set) => match rule_set {
                RuleSet::Neon
                | RuleSet::NeonRef
                | RuleSet::Hybrid
                | RuleSet::NeonFloor
                | RuleSet::NeonPath
                | RuleSet::NeonFlip
                | RuleSet::NeonDrop
                | RuleSet::NeonFocus
                | RuleSet::NeonLean
                | RuleSet::NeonPick
                | RuleSet::NeonSpread
                | RuleSet::OcclusionShare
                | RuleSet::Tutorial
                | RuleSet::GammaZb
                | RuleSet::EpsilonPlusFlat
                | RuleSet::Uniform
                | RuleSet::RevealCancel => RuleSet::all().any(|r| r == rule_set),
            },
            Technique::Default
            | Technique::Occlusion
            | Technique::GradientXInput
            | Technique::Sensitivity
            | Technique::IntegratedGradients
            | Technique::Taylor
            | Technique::MeaningfulPerturbation
            | Technique::ShapleySampling
            | Technique::Random => TECHNIQUES.iter().any(|(t, _)| *t == technique),
        }
    }

    #[test]
    fn every_name_round_trips_through_the_table() {
        let all = Technique::all();
        assert_eq!(all.len(), TECHNIQUES.len() + RuleSet::all().count());
        for technique in all {
            assert!(listed(technique), "{technique:?}");
            let method: Method = technique.name().parse().unwrap();
            assert_eq!(method.technique(), technique);
            assert_eq!(method.to_string(), technique.name());
            if technique.has_beta() {
                let with_beta: Method = format!("{}@auto", technique.name()).parse().unwrap();
                assert_eq!(with_beta.beta(), Some(Beta::Auto));
            } else {
                assert!(format!("{}@2", technique.name()).parse::<Method>().is_err());
            }
        }
    }

    /// Adding a linear rule breaks this match until the rule is in the table too.
    fn example_of(rule: LinearRule) -> LinearRule {
        let name = match rule {
            LinearRule::Midpoint => "midpoint",
            LinearRule::Lrp0 => "lrp0",
            LinearRule::Epsilon { .. } => "epsilon",
            LinearRule::Gamma { .. } => "gamma",
            LinearRule::AlphaBeta { .. } => "alpha-beta",
            LinearRule::Flat => "flat",
            LinearRule::WSquare => "w2",
            LinearRule::ZBox => "zb",
        };
        LinearRule::examples()
            .into_iter()
            .find(|r| r.to_string().split('=').next() == Some(name))
            .unwrap_or_else(|| panic!("{name} is not in the table"))
    }

    #[test]
    fn every_linear_rule_round_trips_and_says_whether_it_conserves() {
        for rule in LinearRule::examples() {
            assert_eq!(example_of(rule), rule);
            let text = rule.to_string();
            assert_eq!(text.parse::<LinearRule>().unwrap(), rule, "{text}");
            assert!(LinearRule::syntax().contains(text.split('=').next().unwrap()));
        }
        assert!(LinearRule::Midpoint.conserves());
        assert!(!LinearRule::Lrp0.conserves());
        let err = "epsilon".parse::<LinearRule>().unwrap_err().to_string();
        assert!(err.contains("expected epsilon=E"), "{err}");
        let err = "nope".parse::<LinearRule>().unwrap_err().to_string();
        assert!(err.contains("alpha-beta=A,B"), "{err}");
    }

    #[test]
    fn unknown_names_list_the_known_ones() {
        let err = "nope".parse::<Method>().unwrap_err().to_string();
        for technique in Technique::all() {
            assert!(err.contains(technique.name()), "{err}");
        }
        let err = "nope".parse::<RuleSet>().unwrap_err().to_string();
        assert!(err.contains("neon-floor"), "{err}");
    }

    #[test]
    fn parameters_are_checked() {
        assert!(Method::default().validate().is_ok());
        assert!(Method::of(Technique::Occlusion)
            .with_beta(Beta::Auto)
            .validate()
            .is_err());
        assert!(Method::neon()
            .with_beta(Beta::Value(-1.0))
            .validate()
            .is_err());
        assert!(Method::of(Technique::IntegratedGradients)
            .with_steps(0)
            .validate()
            .is_err());
    }
}
