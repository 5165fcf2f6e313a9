//! The other explainers of the field, behind one interface, on every model of the crate.
//!
//! Each explains the same output as NEON, `Explainer::forward(x, cluster).output`
//! (outlierness for one-class SVMs and kernel densities, the logit of the explained
//! cluster for k-means, the cluster being fixed per row to the one explained at x), against
//! the reference x̃ of the explainer ([`model_reference`], or `Explainer::with_reference`):
//!
//! | method | relevance `R_i` |
//! |---|---|
//! | `neon`, `neon-ref`, `hybrid`, `neon-floor` (`@BETA` or `@auto` optional) | the LRP rule sets ([`RuleSet`]) |
//! | `occlusion` | `f(x) - f(x with x_i <- x̃_i)` |
//! | `gradient-x-input` | `df/dx_i(x) (x_i - x̃_i)`, analytic gradient ([`Target`]) |
//! | `sensitivity` | `(df/dx_i(x))^2` |
//! | `integrated-gradients` | midpoint rule, `steps` points ([`gradient`]) |
//! | `taylor` | `df/dx_i(x0) (x_i - x0_i)` at a root point x0 ([`taylor`]) |
//! | `meaningful-perturbation` | deletion mask times `f(x)` ([`perturbation`]) |
//! | `shapley-sampling` | Monte-Carlo permutation Shapley values, `samples` permutations ([`shapley`]) |
//! | `random` | `U(-1, 1)`, a sanity baseline |
//!
//! Sampling methods draw from the stream `(seed, row index)`: results depend on the seed
//! and the row's index only, not on the thread count or the batch split.
//!
//! ```
//! use neuralize::baselines::{explain_batch, Method, Settings};
//! use neuralize::{load_model, Explainer};
//!
//! let model = load_model(concat!(env!("CARGO_MANIFEST_DIR"), "/models/kmeans_iris.json"))?;
//! let explainer = Explainer::new(&model);
//! let x = ndarray::array![[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]];
//! let settings = Settings::default();
//! let default = explain_batch(&explainer, x.view(), 0, Method::Default, &settings, None)?;
//! let shapley: Method = "shapley-sampling".parse()?;
//! let sampled = explain_batch(&explainer, x.view(), 0, shapley, &settings, None)?;
//! for e in [&default, &sampled] {
//!     assert_eq!(e.relevance.dim(), (2, 4));
//! }
//! // The default conserves: each row's relevances sum to the explained logit.
//! for (row, &logit) in default.relevance.outer_iter().zip(&default.output) {
//!     assert!((row.sum() - logit).abs() <= 1e-9 * logit.abs().max(1.0));
//! }
//! # Ok::<(), neuralize::Error>(())
//! ```

pub mod gradient;
mod occlusion;
pub mod perturbation;
mod reference;
pub mod shapley;
mod target;
pub mod taylor;

pub use occlusion::occlusion;
pub use reference::{column_means, model_reference};
pub use target::Target;

use crate::error::{Error, Result};
use crate::lrp::{Composite, Explanation, LinearRule, RuleSet};
use crate::network::{Network, Prediction};
use crate::rng::Rng;
use crate::Explainer;
use ndarray::{Array2, ArrayView2, Axis};
use rayon::prelude::*;
use std::fmt;
use std::str::FromStr;

/// The soft-min stiffness of a NEON variant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Beta {
    /// [`Explainer::auto_beta`]: a heuristic from the model file.
    Auto,
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

/// An explainer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Method {
    /// The most faithful conserving NEON variant we measured (docs/faithfulness.md): beta
    /// `auto` (unless the settings give one) with the rule set [`RuleSet::default_for`] the
    /// model family: `neon-floor` for kernel models, `neon-ref` for k-means.
    Default,
    /// An LRP rule set; `beta: None` takes the caller's default.
    Neon {
        rule_set: RuleSet,
        beta: Option<Beta>,
    },
    Occlusion,
    GradientXInput,
    Sensitivity,
    IntegratedGradients,
    Taylor,
    MeaningfulPerturbation,
    ShapleySampling,
    Random,
}

const NAMES: &str =
    "default, neon, neon-ref, hybrid, neon-floor (optionally NAME@BETA or NAME@auto), occlusion, \
gradient-x-input, sensitivity, integrated-gradients, taylor, meaningful-perturbation, \
shapley-sampling, random";

impl FromStr for Method {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let (name, beta) = match s.split_once('@') {
            Some((name, beta)) => (name, Some(beta.parse::<Beta>()?)),
            None => (s, None),
        };
        let plain = |method: Method| match beta {
            None => Ok(method),
            Some(_) => Err(Error::parameter(
                "method",
                format!("{name} has no beta (only the NEON rule sets do)"),
            )),
        };
        match name {
            "default" => plain(Method::Default),
            "neon" | "neon-ref" | "hybrid" | "neon-floor" => Ok(Method::Neon {
                rule_set: name.parse()?,
                beta,
            }),
            "occlusion" => plain(Method::Occlusion),
            "gradient-x-input" => plain(Method::GradientXInput),
            "sensitivity" => plain(Method::Sensitivity),
            "integrated-gradients" => plain(Method::IntegratedGradients),
            "taylor" => plain(Method::Taylor),
            "meaningful-perturbation" => plain(Method::MeaningfulPerturbation),
            "shapley-sampling" => plain(Method::ShapleySampling),
            "random" => plain(Method::Random),
            _ => Err(Error::parameter(
                "method",
                format!("unknown method {s:?}; expected one of {NAMES}"),
            )),
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Method::Default => f.write_str("default"),
            Method::Neon { rule_set, beta } => match beta {
                Some(beta) => write!(f, "{rule_set}@{beta}"),
                None => write!(f, "{rule_set}"),
            },
            Method::Occlusion => f.write_str("occlusion"),
            Method::GradientXInput => f.write_str("gradient-x-input"),
            Method::Sensitivity => f.write_str("sensitivity"),
            Method::IntegratedGradients => f.write_str("integrated-gradients"),
            Method::Taylor => f.write_str("taylor"),
            Method::MeaningfulPerturbation => f.write_str("meaningful-perturbation"),
            Method::ShapleySampling => f.write_str("shapley-sampling"),
            Method::Random => f.write_str("random"),
        }
    }
}

/// Parameters shared by the methods.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// NEON variants without their own beta: `None` is the explainer's default beta.
    pub beta: Option<Beta>,
    /// The k-means linear-layer rule of the NEON variants.
    pub linear: LinearRule,
    /// Integrated-gradients path points (>= 1).
    pub steps: usize,
    /// Shapley-sampling permutations (>= 1).
    pub samples: usize,
    pub seed: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            beta: None,
            linear: LinearRule::Midpoint,
            steps: 32,
            samples: 64,
            seed: 0,
        }
    }
}

impl Settings {
    fn validate(&self) -> Result<()> {
        if self.steps == 0 {
            return Err(Error::parameter("steps", "must be at least 1"));
        }
        if self.samples == 0 {
            return Err(Error::parameter("samples", "must be at least 1"));
        }
        Ok(())
    }
}

/// The NEON composite of a rule set and beta choice.
pub fn neon_composite(
    explainer: &Explainer,
    rule_set: RuleSet,
    beta: Option<Beta>,
    settings: &Settings,
) -> Result<Composite> {
    let beta = match beta.or(settings.beta) {
        None => explainer.default_beta(),
        Some(Beta::Auto) => explainer.auto_beta(),
        Some(Beta::Value(b)) => b,
    };
    Ok(Composite::from_rule_set(rule_set, beta)?.with_linear(settings.linear))
}

impl Method {
    /// [`Method::Default`] spelled out for `network`; every other method as it is.
    pub fn resolved(self, network: &Network, settings: &Settings) -> Method {
        match self {
            Method::Default => Method::Neon {
                rule_set: RuleSet::default_for(network.kind()),
                beta: Some(settings.beta.unwrap_or(Beta::Auto)),
            },
            method => method,
        }
    }
}

/// Explain every row of `x` with `method`. `first_row` is the index of `x`'s first row in
/// the whole input (it names the random streams of the sampling methods).
pub fn explain_batch(
    explainer: &Explainer,
    x: ArrayView2<f64>,
    first_row: usize,
    method: Method,
    settings: &Settings,
    cluster: Option<usize>,
) -> Result<Explanation> {
    settings.validate()?;
    let method = method.resolved(explainer.network(), settings);
    if let Method::Neon { rule_set, beta } = method {
        let composite = neon_composite(explainer, rule_set, beta, settings)?;
        return explainer.explain(x, &composite, cluster);
    }
    let forward = explainer.forward(x, cluster)?;
    let network = explainer.network();
    let clusters: Vec<Option<usize>> = match (&forward.prediction, network) {
        (Prediction::Cluster(assigned), Network::Cluster(_)) => assigned
            .iter()
            .map(|&a| Some(cluster.unwrap_or(a)))
            .collect(),
        _ => vec![None; x.nrows()],
    };
    let reference = explainer.reference().to_vec();
    let mut relevance = Array2::zeros(x.raw_dim());
    relevance
        .axis_iter_mut(Axis(0))
        .into_par_iter()
        .enumerate()
        .try_for_each(|(r, mut out)| {
            let target = Target::new(network, clusters[r]);
            let row = x.row(r).to_vec();
            let out = out.as_slice_mut().expect("standard layout");
            let mut rng = Rng::new(settings.seed, (first_row + r) as u64);
            explain_row(
                &target,
                &row,
                forward.output[r],
                &reference,
                method,
                settings,
                &mut rng,
                out,
            )
        })?;
    Ok(Explanation {
        prediction: forward.prediction,
        output: forward.output,
        relevance,
    })
}

#[allow(clippy::too_many_arguments)]
fn explain_row(
    target: &Target<'_>,
    x: &[f64],
    fx: f64,
    reference: &[f64],
    method: Method,
    settings: &Settings,
    rng: &mut Rng,
    out: &mut [f64],
) -> Result<()> {
    match method {
        Method::Default | Method::Neon { .. } => {
            unreachable!("resolved to a rule set and explained by the LRP engine")
        }
        Method::Occlusion => occlusion(target, x, fx, reference, out)?,
        Method::GradientXInput => gradient::gradient_x_input(target, x, reference, out),
        Method::Sensitivity => gradient::sensitivity(target, x, out),
        Method::IntegratedGradients => {
            gradient::integrated_gradients(target, x, reference, settings.steps, out)
        }
        Method::Taylor => taylor::taylor(target, x, fx, reference, out)?,
        Method::MeaningfulPerturbation => {
            perturbation::meaningful_perturbation(target, x, fx, reference, rng, out)
        }
        Method::ShapleySampling => {
            shapley::shapley_sampling(target, x, reference, settings.samples, rng, out)?
        }
        Method::Random => out.iter_mut().for_each(|o| *o = 2.0 * rng.uniform() - 1.0),
    }
    Ok(())
}
