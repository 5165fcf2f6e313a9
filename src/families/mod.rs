//! The model families. Each lives in one folder with everything that is particular to it:
//! the classical model and its own decision function (the ground truth), its model-file
//! fields, its network, its default explanation, its output columns, its reference fallback
//! and what `info` and `verify` show. The rest of the crate reaches a family only through
//! [`Family`] and the registry [`FAMILIES`].
//!
//! Adding a family: a folder here implementing [`Family`], one line in [`FAMILIES`], a row
//! in the README's model table, and its fixtures in the test fixture list.

mod dense_network;
mod gaussian_mixture;
mod kernel;
mod kernel_density;
mod kmeans;
mod knn_detector;
mod one_class_svm;
mod svc;

pub use dense_network::{Activation, ClassTarget, DenseLayer, DenseNetwork, OutputKind};
pub use gaussian_mixture::{CovarianceType, GaussianMixture};
pub use kernel::Kernel;
pub use kernel_density::KernelDensity;
pub use kmeans::KMeans;
pub use knn_detector::{KnnDetector, KnnMetric, KnnScore};
pub use one_class_svm::OneClassSvm;
pub use svc::Svc;

use crate::error::Result;
use crate::explainer::Prediction;
use crate::network::Network;
use ndarray::{Array1, ArrayView2};
use serde_json::{Map, Value};
use std::any::Any;
use std::fmt::Debug;

/// A model family: what the rest of the crate needs to know about one kind of model.
///
/// All vectors live in the family's own input space: the standardized space `z` when the
/// model has a scaler (the scaler is applied by the caller).
pub(crate) trait Family: Debug + Send + Sync + AsFamily {
    /// The `model` tag of the model file, e.g. `"one_class_svm"`.
    fn tag(&self) -> &'static str;
    /// Number of input features.
    fn n_features(&self) -> usize;
    /// The family's own model-file fields (everything but the common ones).
    fn fields(&self) -> Map<String, Value>;
    /// The exact network.
    fn network(&self) -> Box<dyn Network>;
    /// The name of the prediction column (`decision_function`, `log_density`, `cluster`).
    fn prediction_name(&self) -> &'static str;
    /// The name of the explained output column (`outlierness`, `logit`).
    fn output_name(&self) -> &'static str;
    /// A typical input (standardized space) when the model file has no `reference`.
    fn reference(&self) -> Array1<f64>;
    /// The class labels of a classifier, in the order of its class indices (the CLI
    /// writes them in place of the index); `None` for other families.
    fn class_labels(&self) -> Option<&[String]> {
        None
    }
    /// What `info` shows: `(key, value)` pairs, in display order.
    #[cfg_attr(not(feature = "cli"), allow(dead_code))]
    fn facts(&self) -> Vec<(&'static str, Value)>;
    /// The family's own outputs on standardized rows `z`, computed the plain way (for
    /// `verify`).
    #[cfg_attr(not(feature = "cli"), allow(dead_code))]
    fn ground_truth(&self, z: ArrayView2<f64>) -> GroundTruth;
}

/// What every family gets for free from being `Clone + 'static`.
pub(crate) trait AsFamily {
    /// For downcasting to the concrete model (`Model::estimator`).
    fn as_any(&self) -> &dyn Any;
    /// A boxed copy.
    fn clone_box(&self) -> Box<dyn Family>;
}

impl<T: Family + Clone + 'static> AsFamily for T {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn clone_box(&self) -> Box<dyn Family> {
        Box::new(self.clone())
    }
}

/// The classical model's own outputs on a batch, to compare with the network's.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(not(feature = "cli"), allow(dead_code))]
pub(crate) struct GroundTruth {
    /// The prediction, as the network reports it.
    pub prediction: Prediction,
    /// The explained output computed the plain way, where it differs from a function of the
    /// prediction (the k-means logit); `None` when the prediction already pins it down.
    pub output: Option<Array1<f64>>,
    /// For labels: how far each row is from a tie between two labels (k-means: the logit of
    /// its own cluster, `min_k d_k - d_c`); a row within `verify`'s tolerance of a tie may
    /// get either label. `None`: labels must match exactly.
    pub margin: Option<Array1<f64>>,
}

/// A model-file object, as parsed JSON.
pub(crate) type JsonObject = Map<String, Value>;

impl GroundTruth {
    /// A numeric prediction that pins the explained output down; NaN rows if the plain
    /// computation failed (then `verify` reports them).
    #[cfg_attr(not(feature = "cli"), allow(dead_code))]
    pub(crate) fn values(values: Result<Array1<f64>>, rows: usize) -> Self {
        GroundTruth {
            prediction: Prediction::Values(
                values.unwrap_or_else(|_| Array1::from_elem(rows, f64::NAN)),
            ),
            output: None,
            margin: None,
        }
    }
}

/// How to read a family from a model file: its tag and a parser of its fields.
pub(crate) struct Registration {
    /// The `model` tag.
    pub tag: &'static str,
    /// Parse and validate the family's fields from the whole model-file object.
    pub parse: fn(&JsonObject) -> Result<Box<dyn Family>>,
}

/// Every family the model file format knows.
pub(crate) const FAMILIES: &[Registration] = &[
    one_class_svm::REGISTRATION,
    kernel_density::REGISTRATION,
    kmeans::REGISTRATION,
    gaussian_mixture::REGISTRATION,
    knn_detector::REGISTRATION,
    dense_network::REGISTRATION,
    svc::REGISTRATION,
];

/// Read one family field (absent: `None`); errors name the field's path.
pub(crate) fn optional_field<T: serde::de::DeserializeOwned>(
    object: &Map<String, Value>,
    field: &str,
) -> Result<Option<T>> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => serde_path_to_error::deserialize(value.clone())
            .map(Some)
            .map_err(|e| {
                let path = e.path().to_string();
                let field = match path.as_str() {
                    "." => field.to_string(),
                    p if p.starts_with('[') => format!("{field}{p}"),
                    p => format!("{field}.{p}"),
                };
                crate::Error::model(field, e.into_inner().to_string())
            }),
    }
}

/// Read a field the family requires.
pub(crate) fn required_field<T: serde::de::DeserializeOwned>(
    object: &Map<String, Value>,
    field: &str,
    tag: &str,
) -> Result<T> {
    optional_field(object, field)?.ok_or_else(|| {
        crate::Error::model(field, format!("missing (required for model \"{tag}\")"))
    })
}

/// Rows of a matrix as JSON.
pub(crate) fn rows_json(m: ArrayView2<f64>) -> Value {
    Value::from(
        m.outer_iter()
            .map(|r| Value::from(r.to_vec()))
            .collect::<Vec<_>>(),
    )
}
