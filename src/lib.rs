//! # neuralize — explain anomaly detectors and clusterings with NEON
//!
//! NEON (neuralization–propagation) rewrites a classical model **exactly** as a small neural
//! network and runs Layer-wise Relevance Propagation (LRP) backwards through it, so that each
//! prediction is split into one relevance score per input feature.
//!
//! | model | network | explained output |
//! |---|---|---|
//! | one-class SVM | `h_j = gamma ||x-u_j||_q^q - log(alpha_j/rho)`, `o = -log sum_j e^{-h_j}` | outlierness `o` (>= 0 iff f(x) <= 0) |
//! | kernel density | `h_j = gamma ||x-u_j||^2 + log N`, `o = -log sum_j e^{-h_j}` | outlierness `o = -log p(x) - (d/2) log(pi/gamma)` |
//! | k-means | `h_k = w_k.x + b_k` (k != c), `f_c = min_k h_k` | logit `f_c` (>= 0 iff x is in c) |
//!
//! Relevance flows back by soft-min redistribution `R_j = softmin_j(beta h) * output`, then
//! the distance share `R_i = sum_j |x_i-u_ij|^q / ||x-u_j||_q^q R_j` (kernel models) or the
//! midpoint rule (k-means). For these rules `sum_i R_i = output` up to rounding.
//!
//! ```
//! use neuralize::{Composite, Explainer, model_from_json};
//! use ndarray::array;
//!
//! let model = model_from_json(r#"{"format": "neuralize/1", "model": "one_class_svm",
//!     "kernel": {"rbf": {"gamma": 0.5}},
//!     "support_vectors": [[0.0, 0.0], [1.0, 1.0]], "dual_coef": [0.5, 0.5], "rho": 0.4}"#)?;
//! let explainer = Explainer::new(&model);
//! let x = array![[3.0, 0.5]];
//! let explanation = explainer.explain(x.view(), &Composite::neon(1.0)?, None)?;
//! let total: f64 = explanation.relevance.row(0).sum();
//! assert!((total - explanation.output[0]).abs() < 1e-12);
//! assert!(explanation.output[0] > 0.0); // an outlier
//! # Ok::<(), neuralize::Error>(())
//! ```

pub mod baselines;
pub mod classical;
#[cfg(feature = "cli")]
pub mod cli;
mod error;
pub mod evaluate;
mod explainer;
pub mod fit;
pub mod io;
pub mod lrp;
pub mod network;
pub mod neuralize;
#[cfg(feature = "cli")]
pub mod plot;
mod rng;

pub use classical::{Estimator, Kernel, Model, ModelKind};
pub use error::{Error, Result};
pub use explainer::Explainer;
pub use io::{load_model, model_from_json, model_to_json, save_model};
pub use lrp::{Composite, Explanation, LinearRule, RuleSet};
pub use network::{Forward, Network, Prediction};
