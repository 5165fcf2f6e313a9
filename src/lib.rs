//! # neuralize — explain anomaly detectors and clusterings with NEON
//!
//! NEON (neuralization–propagation) rewrites a classical model **exactly** as a small neural
//! network and runs Layer-wise Relevance Propagation (LRP) backwards through it, so that each
//! prediction is split into one relevance score per input feature. The mathematics, in the
//! project's own words, is in `docs/neon.md`.
//!
//! | model | network | explained output |
//! |---|---|---|
//! | one-class SVM | `h_j = gamma ‖x-u_j‖_q^q - log(alpha_j/rho)`, `o = -log sum_j e^{-h_j}` | outlierness `o` (>= 0 iff f(x) <= 0) |
//! | kernel density | `h_j = gamma ‖x-u_j‖^2 + log N`, `o = -log sum_j e^{-h_j}` | outlierness `o = -log p(x) - (d/2) log(pi/gamma)` |
//! | k-means | `h_k = w_k.x + b_k` (k != c), `f_c = min_k h_k` | logit `f_c` (>= 0 iff x is in c) |
//!
//! The API is small: [`load_model`] (or a family's model, `Model::from(KMeans::new(..)?)`),
//! [`Explainer::new`], [`Explainer::explain`] with a [`Method`], giving an [`Explanation`].
//! Arrays are [`ndarray`] 0.17, re-exported as `neuralize::ndarray`. Rows may come in any
//! memory layout; a wrong width, NaN or infinity is an [`Error`], never a panic.
//!
//! ```
//! use neuralize::{model_from_json, Explainer, Method};
//! use neuralize::ndarray::array;
//!
//! let model = model_from_json(r#"{"format": "neuralize/1", "model": "one_class_svm",
//!     "kernel": {"rbf": {"gamma": 0.5}},
//!     "support_vectors": [[0.0, 0.0], [1.0, 1.0]], "dual_coef": [0.5, 0.5], "rho": 0.4}"#)?;
//! let explainer = Explainer::new(&model);
//! let x = array![[3.0, 0.5]];
//! let explanation = explainer.explain(x.view(), &Method::neon())?; // the published rules
//! let total: f64 = explanation.relevance.row(0).sum();
//! assert!((total - explanation.output[0]).abs() < 1e-12);
//! assert!(explanation.output[0] > 0.0); // an outlier
//! // What `neuralize explain` does by default:
//! let default = explainer.explain(x.view(), &Method::default())?;
//! assert!((default.relevance.row(0).sum() - default.output[0]).abs() < 1e-12);
//! // A wrong number of columns is an error, not a panic:
//! assert!(explainer.explain(array![[1.0]].view(), &Method::default()).is_err());
//! # Ok::<(), neuralize::Error>(())
//! ```
#![warn(missing_docs)]

mod baselines;
#[cfg(feature = "cli")]
pub mod cli;
mod error;
pub mod evaluate;
mod explainer;
mod families;
pub mod fit;
pub(crate) mod io;
mod lrp;
mod method;
mod model;
mod network;
#[cfg(feature = "cli")]
pub mod plot;
mod rng;
pub mod spray;
pub mod tune;

pub use error::{Error, Result};
pub use explainer::{Explainer, Explanation, Forward, Prediction};
/// Every family's model type and its parameter types (`KMeans`, `OneClassSvm`, ...), to build
/// models in code: `Model::from(KMeans::new(centroids)?)`.
pub use families::*;
pub use method::{Beta, LayerRules, LinearRule, Method, RuleSet, Technique, MAX_LAYER_RULES};
pub use model::{
    load_model, model_from_json, model_to_json, save_model, Bounds, Model, Standardizer,
    StoredMethod, TuneScore,
};
pub use ndarray;
#[doc(hidden)]
pub use network::bench_internals;
