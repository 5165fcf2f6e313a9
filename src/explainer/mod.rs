//! The entry point: a model, neuralized once, explained many times with any [`Method`].

mod blocks;
mod input;
mod resolve;

use crate::error::{Error, Result};
use crate::method::Method;
use crate::model::{Model, Standardizer};
use crate::network::Network;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use std::sync::Arc;

pub(crate) use resolve::Resolved;

/// What the original model predicts for each row, beside the explained output.
#[derive(Debug, Clone, PartialEq)]
pub enum Prediction {
    /// A number per row: one-class SVM `decision_function` (> 0: inlier), kernel density
    /// `log p(x)`.
    Values(Array1<f64>),
    /// A label per row: the k-means cluster (0-based).
    Labels(Vec<usize>),
}

impl Prediction {
    /// The rows of `parts` in order; the parts are of one kind (one network's).
    pub(crate) fn concat(parts: Vec<Prediction>) -> Prediction {
        let (mut values, mut labels) = (Vec::new(), Vec::new());
        for part in parts {
            match part {
                Prediction::Values(v) => values.extend(v),
                Prediction::Labels(l) => labels.extend(l),
            }
        }
        match labels.is_empty() {
            true => Prediction::Values(Array1::from(values)),
            false => Prediction::Labels(labels),
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Prediction::Values(v) => v.len(),
            Prediction::Labels(v) => v.len(),
        }
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Forward outputs of a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct Forward {
    /// The original model's own output per row.
    pub prediction: Prediction,
    /// The explained output per row: the outlierness (one-class SVM, kernel density) or the
    /// logit of the explained cluster (k-means).
    pub output: Array1<f64>,
}

/// The explanation of a batch of rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// The original model's own output per row.
    pub prediction: Prediction,
    /// The explained output per row: the outlierness, or the logit of the explained cluster.
    pub output: Array1<f64>,
    /// One relevance per row and feature; for conserving methods each row sums to `output`.
    pub relevance: Array2<f64>,
}

/// A neuralized model ready to score and explain batches of rows (input space).
///
/// Rows may come in any memory layout (row-major, column-major, strided views, zero rows).
/// A wrong number of columns, or a NaN or infinite value, is an [`Error::Input`] naming
/// the row and column; no caller data makes it panic.
#[derive(Debug, Clone)]
pub struct Explainer {
    network: Arc<dyn Network>,
    scaler: Option<Standardizer>,
    feature_names: Option<Vec<String>>,
    kind: &'static str,
    prediction_name: &'static str,
    output_name: &'static str,
    /// z^B bounds in the network's (standardized) space.
    bounds: Option<(Array1<f64>, Array1<f64>)>,
    published_beta: f64,
    auto_beta: f64,
    /// The reference x̃ (input space) and its standardized form.
    reference: Array1<f64>,
    reference_z: Array1<f64>,
    /// The model file's stored default method (`neuralize tune`), if any.
    stored: Option<crate::StoredMethod>,
}

impl Explainer {
    /// Neuralize `model`.
    pub fn new(model: &Model) -> Self {
        let family = model.family();
        let network: Arc<dyn Network> = Arc::from(family.network());
        let scaler = model.scaler().cloned();
        let to_z = |v: &Array1<f64>| match &scaler {
            Some(s) => (v - &s.mean()) / s.scale(),
            None => v.clone(),
        };
        let bounds = model.bounds().map(|b| (to_z(&b.low), to_z(&b.high)));
        let published_beta = network.published_beta(model.beta());
        let auto_beta = network.auto_beta(published_beta);
        let reference = match model.reference() {
            Some(r) => r.to_owned(),
            None => {
                let z = family.reference();
                match &scaler {
                    Some(s) => &z * &s.scale() + s.mean(),
                    None => z,
                }
            }
        };
        let reference_z = to_z(&reference);
        Explainer {
            network,
            scaler,
            feature_names: model.feature_names().map(<[String]>::to_vec),
            kind: family.tag(),
            prediction_name: family.prediction_name(),
            output_name: family.output_name(),
            bounds,
            published_beta,
            auto_beta,
            reference,
            reference_z,
            stored: model.method().cloned(),
        }
    }

    /// Use `reference` (input space) as x̃ for the reference-based rules and explainers.
    pub fn with_reference(mut self, reference: Array1<f64>) -> Result<Self> {
        if reference.len() != self.n_features() {
            return Err(Error::parameter(
                "reference",
                format!(
                    "has {} values, but the model has {} features",
                    reference.len(),
                    self.n_features()
                ),
            ));
        }
        if let Some(i) = reference.iter().position(|v| !v.is_finite()) {
            return Err(Error::parameter(
                "reference",
                format!("value {i} is not finite"),
            ));
        }
        self.reference_z = match &self.scaler {
            Some(s) => (&reference - &s.mean()) / s.scale(),
            None => reference.clone(),
        };
        self.reference = reference;
        Ok(self)
    }

    /// Explain `target` of a classifier's class (the logit by default, or the log-odds):
    /// for every method, baselines included. For a Gaussian mixture, `LogOdds` explains the
    /// posterior log-odds `log gamma_c / (1 - gamma_c)` of the assigned (or chosen)
    /// component, with outputs `cluster` and `logit`. An error for other models.
    /// A model file's stored method (`neuralize tune`) was chosen for the default target:
    /// for `LogOdds` it is dropped and the default method is the family's.
    pub fn with_class_target(mut self, target: crate::ClassTarget) -> Result<Self> {
        match self.network.with_class_target(target) {
            Some(network) => {
                if target != crate::ClassTarget::Logit {
                    self.stored = None;
                }
                if let Some((prediction, output)) = network.output_names() {
                    self.prediction_name = prediction;
                    self.output_name = output;
                }
                self.network = Arc::from(network);
                Ok(self)
            }
            None => {
                let name = match target {
                    crate::ClassTarget::Logit => "logit",
                    crate::ClassTarget::LogOdds => "log-odds",
                };
                Err(Error::parameter(
                    "target",
                    format!(
                        "this {} model has no {name} target: logit and log-odds apply to \
                         dense-network classifiers, log-odds to Gaussian mixtures (a component's \
                         posterior); a regressor or an SVC has one explained output",
                        self.kind
                    ),
                ))
            }
        }
    }

    /// The reference x̃ (input space): the model file's `reference`, else the family's
    /// typical input (support vectors weighted by their dual coefficients, the mean of the
    /// KDE points or of the centroids), or the one set by [`Self::with_reference`].
    pub fn reference(&self) -> ArrayView1<'_, f64> {
        self.reference.view()
    }

    /// Number of input features.
    pub fn n_features(&self) -> usize {
        self.network.n_features()
    }

    /// The model family's tag (`one_class_svm`, `kernel_density`, `kmeans`).
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// The name of the prediction (`decision_function`, `log_density`, `cluster`).
    pub fn prediction_name(&self) -> &'static str {
        self.prediction_name
    }

    /// The name of the explained output (`outlierness`, `logit`).
    pub fn output_name(&self) -> &'static str {
        self.output_name
    }

    /// The beta of the published rules ([`Method::neon`]): 1 for kernel models, the model
    /// file's beta for k-means (else `2 / mean_c min_{k != c} ||mu_c - mu_k||^2`).
    pub fn published_beta(&self) -> f64 {
        self.published_beta
    }

    /// The `auto` beta of the default method.
    pub fn auto_beta(&self) -> f64 {
        self.auto_beta
    }

    /// What [`Method::default`] runs on this model: the model file's stored method
    /// (`neuralize tune`, [`crate::Model::method`]) if it has one, else the family's default
    /// rule set and beta (e.g. `neon-pick@1` for an rbf one-class SVM or a kernel density,
    /// `neon-path@1` for a laplacian one-class SVM, `neon-spread@auto` for k-means).
    pub fn default_method(&self) -> Method {
        match &self.stored {
            Some(stored) => stored.method(),
            None => self.family_default_method(),
        }
    }

    /// The family's default method, whatever the model file stores.
    pub fn family_default_method(&self) -> Method {
        Method::rule_set(self.network.default_rule_set()).with_beta(self.network.default_beta())
    }

    /// Why [`Self::default_method`] is the default for this model, in one sentence: the
    /// stored method's reason, else the family's.
    pub fn default_method_reason(&self) -> &str {
        match &self.stored {
            Some(stored) => stored.reason(),
            None => self.network.default_reason(),
        }
    }

    /// The model file's stored default method, unless dropped by
    /// [`Self::with_class_target`].
    pub fn stored_method(&self) -> Option<&crate::StoredMethod> {
        self.stored.as_ref()
    }

    /// Explain every row of `x` (rows x model features, input space) with `method`.
    pub fn explain(&self, x: ArrayView2<f64>, method: &Method) -> Result<Explanation> {
        self.explain_from(x, method, 0)
    }

    /// Forward outputs; `cluster` picks the explained k-means cluster (default: assigned).
    pub fn forward(&self, x: ArrayView2<f64>, cluster: Option<usize>) -> Result<Forward> {
        self.check_cluster(cluster)?;
        let x = self.checked_rows(x)?;
        let z = self.standardized(x);
        self.network.forward(z.view(), cluster)
    }

    /// [`Self::explain`] where `x`'s first row is row `first_row` of a longer input (it names
    /// the random streams of the sampling methods, so results do not depend on the split).
    pub(crate) fn explain_from(
        &self,
        x: ArrayView2<f64>,
        method: &Method,
        first_row: usize,
    ) -> Result<Explanation> {
        let resolved = self.resolve(method)?;
        let x = self.checked_rows(x)?;
        match resolved {
            Resolved::Neon(rules) => self.explain_neon(x, &rules.bind(self), method.cluster()),
            Resolved::Other => crate::baselines::explain_rows(self, x.view(), method, first_row),
        }
    }

    /// The network.
    pub(crate) fn network(&self) -> &dyn Network {
        self.network.as_ref()
    }

    /// The input scaler.
    pub(crate) fn scaler(&self) -> Option<&Standardizer> {
        self.scaler.as_ref()
    }
}
