//! A fitted model of any family, together with what its model file says about its inputs.

mod classes;
mod file;
mod standardizer;
mod stored_method;
pub(crate) mod validate;

pub use file::{load_model, model_from_json, model_to_json, save_model};
pub use standardizer::Standardizer;
pub use stored_method::{StoredMethod, TuneScore};

use crate::error::{Error, Result};
use crate::families::Family;
use ndarray::{Array1, ArrayView1};
use std::fmt;

/// Per-feature box `low <= x <= high` in input space, used by the z^B rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Bounds {
    /// Lower bounds, one per feature.
    pub low: Array1<f64>,
    /// Upper bounds, one per feature.
    pub high: Array1<f64>,
}

/// A fitted model of one family plus the optional metadata of its model file.
///
/// Built from a family's model (`Model::from(KMeans::new(centroids)?)`) or read from a
/// model file ([`load_model`]).
pub struct Model {
    family: Box<dyn Family>,
    feature_names: Option<Vec<String>>,
    scaler: Option<Standardizer>,
    reference: Option<Array1<f64>>,
    beta: Option<f64>,
    bounds: Option<Bounds>,
    provenance: Option<serde_json::Value>,
    method: Option<StoredMethod>,
}

impl Model {
    /// A model of `family` with no metadata (each family has `impl From<_> for Model`).
    pub(crate) fn with_family(family: Box<dyn Family>) -> Self {
        Model {
            family,
            feature_names: None,
            scaler: None,
            reference: None,
            beta: None,
            bounds: None,
            provenance: None,
            method: None,
        }
    }

    /// Name the features; names must be unique and one per feature.
    pub fn with_feature_names(mut self, names: Vec<String>) -> Result<Self> {
        if names.len() != self.n_features() {
            return Err(Error::model(
                "feature_names",
                format!(
                    "has {} names, but the model has {} features",
                    names.len(),
                    self.n_features()
                ),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for (i, name) in names.iter().enumerate() {
            if !seen.insert(name.as_str()) {
                return Err(Error::model(
                    format!("feature_names[{i}]"),
                    format!("duplicate name {name:?}"),
                ));
            }
        }
        self.feature_names = Some(names);
        Ok(self)
    }

    /// Standardize inputs first.
    pub fn with_scaler(mut self, scaler: Standardizer) -> Result<Self> {
        if scaler.n_features() != self.n_features() {
            return Err(Error::model(
                "scaler.mean",
                format!(
                    "has {} entries, but the model has {} features",
                    scaler.n_features(),
                    self.n_features()
                ),
            ));
        }
        self.scaler = Some(scaler);
        Ok(self)
    }

    /// A typical input row (input space), used by reference-based explainers.
    pub fn with_reference(mut self, reference: Array1<f64>) -> Result<Self> {
        validate::length("reference", reference.view(), self.n_features())?;
        validate::finite_vector("reference", reference.view())?;
        self.reference = Some(reference);
        Ok(self)
    }

    /// The default soft-min stiffness stored with the model.
    pub fn with_beta(mut self, beta: f64) -> Result<Self> {
        validate::positive("beta", beta)?;
        self.beta = Some(beta);
        Ok(self)
    }

    /// Input box for the z^B rule; `low <= high` everywhere.
    pub fn with_bounds(mut self, bounds: Bounds) -> Result<Self> {
        let d = self.n_features();
        validate::length("bounds.low", bounds.low.view(), d)?;
        validate::length("bounds.high", bounds.high.view(), d)?;
        validate::finite_vector("bounds.low", bounds.low.view())?;
        validate::finite_vector("bounds.high", bounds.high.view())?;
        if let Some(i) = (0..d).find(|&i| bounds.low[i] > bounds.high[i]) {
            return Err(Error::model(
                format!("bounds.low[{i}]"),
                format!(
                    "is above bounds.high[{i}] ({} > {})",
                    bounds.low[i], bounds.high[i]
                ),
            ));
        }
        self.bounds = Some(bounds);
        Ok(self)
    }

    /// Free-form description of where the model came from.
    pub fn with_provenance(mut self, provenance: serde_json::Value) -> Self {
        self.provenance = Some(provenance);
        self
    }

    /// Store the method `neuralize explain` runs without `--method` or `--rule` (what
    /// `neuralize tune` writes): a NEON rule set this model's family supports, else an
    /// [`Error::InvalidModel`] naming the field `method.name`.
    pub fn with_method(mut self, method: StoredMethod) -> Result<Self> {
        let rule_set = match method.method().technique() {
            crate::Technique::Neon(rule_set) => rule_set,
            other => {
                return Err(Error::model(
                    "method.name",
                    format!("must be a NEON rule set, got {:?}", other.name()),
                ))
            }
        };
        let network = self.family.network();
        if !network.rule_sets().contains(&rule_set) {
            let supported: Vec<&str> = network.rule_sets().iter().map(|r| r.name()).collect();
            return Err(Error::model(
                "method.name",
                format!(
                    "{:?}: the rule set {rule_set} is not defined for {} models (they support {})",
                    method.method().to_string(),
                    self.kind(),
                    supported.join(", ")
                ),
            ));
        }
        self.method = Some(method);
        Ok(self)
    }

    /// Remove the stored method (explain then runs the family's default).
    pub fn without_method(mut self) -> Self {
        self.method = None;
        self
    }

    /// The stored default method (`"method"` of the model file), if any.
    pub fn method(&self) -> Option<&StoredMethod> {
        self.method.as_ref()
    }

    /// The family's model, when it is a `T` (`OneClassSvm`, `KernelDensity`, `KMeans`).
    pub fn estimator<T: 'static>(&self) -> Option<&T> {
        self.family.as_any().downcast_ref::<T>()
    }

    /// The family's tag in model files: `one_class_svm`, `kernel_density` or `kmeans`.
    pub fn kind(&self) -> &'static str {
        self.family.tag()
    }

    /// Number of input features.
    pub fn n_features(&self) -> usize {
        self.family.n_features()
    }

    pub(crate) fn family(&self) -> &dyn Family {
        self.family.as_ref()
    }

    /// The feature names, if the model file has them.
    pub fn feature_names(&self) -> Option<&[String]> {
        self.feature_names.as_deref()
    }

    /// The standardizing step applied before the model.
    pub fn scaler(&self) -> Option<&Standardizer> {
        self.scaler.as_ref()
    }

    /// The typical input row stored with the model (input space).
    pub fn reference(&self) -> Option<ArrayView1<'_, f64>> {
        self.reference.as_ref().map(|r| r.view())
    }

    /// The stiffness stored with the model.
    pub fn beta(&self) -> Option<f64> {
        self.beta
    }

    /// The input box of the z^B rule.
    pub fn bounds(&self) -> Option<&Bounds> {
        self.bounds.as_ref()
    }

    /// Where the model came from (free-form).
    pub fn provenance(&self) -> Option<&serde_json::Value> {
        self.provenance.as_ref()
    }
}

impl Clone for Model {
    fn clone(&self) -> Self {
        Model {
            family: self.family.clone_box(),
            feature_names: self.feature_names.clone(),
            scaler: self.scaler.clone(),
            reference: self.reference.clone(),
            beta: self.beta,
            bounds: self.bounds.clone(),
            provenance: self.provenance.clone(),
            method: self.method.clone(),
        }
    }
}

impl fmt::Debug for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Model")
            .field("family", &self.family)
            .field("feature_names", &self.feature_names)
            .field("scaler", &self.scaler)
            .field("reference", &self.reference)
            .field("beta", &self.beta)
            .field("bounds", &self.bounds)
            .field("provenance", &self.provenance)
            .field("method", &self.method)
            .finish()
    }
}

impl PartialEq for Model {
    /// Equal when their model files are equal.
    fn eq(&self, other: &Self) -> bool {
        model_to_json(self) == model_to_json(other)
    }
}
