//! A classical model together with what the model file says about its inputs.

use super::{validate, KMeans, KernelDensity, OneClassSvm, Standardizer};
use crate::error::{Error, Result};
use ndarray::{Array1, ArrayView1};

/// The fitted estimator.
#[derive(Debug, Clone, PartialEq)]
pub enum Estimator {
    OneClassSvm(OneClassSvm),
    KernelDensity(KernelDensity),
    KMeans(KMeans),
}

/// Which family a model belongs to; also its `model` tag in model files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelKind {
    OneClassSvm,
    KernelDensity,
    KMeans,
}

impl ModelKind {
    /// The `model` tag of the file format.
    pub fn tag(self) -> &'static str {
        match self {
            ModelKind::OneClassSvm => "one_class_svm",
            ModelKind::KernelDensity => "kernel_density",
            ModelKind::KMeans => "kmeans",
        }
    }
}

impl Estimator {
    pub fn kind(&self) -> ModelKind {
        match self {
            Estimator::OneClassSvm(_) => ModelKind::OneClassSvm,
            Estimator::KernelDensity(_) => ModelKind::KernelDensity,
            Estimator::KMeans(_) => ModelKind::KMeans,
        }
    }

    /// Number of input features the estimator expects (after any scaler).
    pub fn n_features(&self) -> usize {
        match self {
            Estimator::OneClassSvm(m) => m.n_features(),
            Estimator::KernelDensity(m) => m.n_features(),
            Estimator::KMeans(m) => m.n_features(),
        }
    }
}

/// Per-feature box `low <= x <= high` in input space, used by the z^B rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Bounds {
    pub low: Array1<f64>,
    pub high: Array1<f64>,
}

/// An estimator plus the optional metadata of its model file.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    estimator: Estimator,
    feature_names: Option<Vec<String>>,
    scaler: Option<Standardizer>,
    reference: Option<Array1<f64>>,
    beta: Option<f64>,
    bounds: Option<Bounds>,
    provenance: Option<serde_json::Value>,
}

impl Model {
    /// A model with no metadata.
    pub fn new(estimator: Estimator) -> Self {
        Model {
            estimator,
            feature_names: None,
            scaler: None,
            reference: None,
            beta: None,
            bounds: None,
            provenance: None,
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
        for (i, name) in names.iter().enumerate() {
            if names[..i].contains(name) {
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

    pub fn estimator(&self) -> &Estimator {
        &self.estimator
    }

    pub fn kind(&self) -> ModelKind {
        self.estimator.kind()
    }

    pub fn n_features(&self) -> usize {
        self.estimator.n_features()
    }

    pub fn feature_names(&self) -> Option<&[String]> {
        self.feature_names.as_deref()
    }

    pub fn scaler(&self) -> Option<&Standardizer> {
        self.scaler.as_ref()
    }

    pub fn reference(&self) -> Option<ArrayView1<'_, f64>> {
        self.reference.as_ref().map(|r| r.view())
    }

    pub fn beta(&self) -> Option<f64> {
        self.beta
    }

    pub fn bounds(&self) -> Option<&Bounds> {
        self.bounds.as_ref()
    }

    pub fn provenance(&self) -> Option<&serde_json::Value> {
        self.provenance.as_ref()
    }
}
