//! The `neuralize/1` model file format (JSON).
//!
//! ```json
//! {"format": "neuralize/1", "model": "one_class_svm",
//!  "kernel": {"rbf": {"gamma": 0.02}},
//!  "support_vectors": [[0.1, 0.2]], "dual_coef": [0.5], "rho": 0.3}
//! ```
//! Optional for every kind: `feature_names`, `scaler` (`{"mean", "scale"}`), `reference`,
//! `beta`, `bounds` (`{"low", "high"}`), `provenance`. Unknown fields are ignored.

use crate::classical::{
    validate, Bounds, Estimator, KMeans, Kernel, KernelDensity, Model, OneClassSvm, Standardizer,
};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The format tag every model file carries.
pub const FORMAT: &str = "neuralize/1";

#[derive(Debug, Serialize, Deserialize)]
struct RawScaler {
    mean: Vec<f64>,
    scale: Vec<f64>,
}

#[derive(Debug, Serialize, Deserialize)]
struct RawBounds {
    low: Vec<f64>,
    high: Vec<f64>,
}

/// The file as it is written: every field optional, checked per model kind afterwards.
#[derive(Debug, Default, Serialize, Deserialize)]
struct RawModel {
    format: Option<String>,
    model: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kernel: Option<Kernel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    support_vectors: Option<Vec<Vec<f64>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dual_coef: Option<Vec<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rho: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    points: Option<Vec<Vec<f64>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    centroids: Option<Vec<Vec<f64>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    feature_names: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scaler: Option<RawScaler>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reference: Option<Vec<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    beta: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bounds: Option<RawBounds>,
    #[serde(skip_serializing_if = "Option::is_none")]
    provenance: Option<serde_json::Value>,
}

fn required<T>(value: Option<T>, field: &str, model: &str) -> Result<T> {
    value.ok_or_else(|| Error::model(field, format!("missing (required for model \"{model}\")")))
}

impl RawModel {
    fn into_model(self) -> Result<Model> {
        match self.format.as_deref() {
            Some(FORMAT) => {}
            Some(other) => {
                return Err(Error::model(
                    "format",
                    format!("unknown format {other:?}, expected {FORMAT:?}"),
                ))
            }
            None => {
                return Err(Error::model(
                    "format",
                    format!("missing (expected {FORMAT:?})"),
                ))
            }
        }
        let tag = required(self.model.clone(), "model", "any")?;
        let estimator = match tag.as_str() {
            "one_class_svm" => {
                let kernel = required(self.kernel, "kernel", &tag)?;
                let sv = validate::matrix_from_rows(
                    "support_vectors",
                    &required(self.support_vectors, "support_vectors", &tag)?,
                )?;
                let dual = validate::vector("dual_coef", &required(self.dual_coef, "dual_coef", &tag)?)?;
                let rho = required(self.rho, "rho", &tag)?;
                Estimator::OneClassSvm(OneClassSvm::new(kernel, sv, dual, rho)?)
            }
            "kernel_density" => {
                let gamma = match required(self.kernel, "kernel", &tag)? {
                    Kernel::Rbf { gamma } => gamma,
                    Kernel::Laplacian { .. } => {
                        return Err(Error::model(
                            "kernel",
                            "kernel_density supports only the \"rbf\" (Gaussian) kernel",
                        ))
                    }
                };
                let points =
                    validate::matrix_from_rows("points", &required(self.points, "points", &tag)?)?;
                Estimator::KernelDensity(KernelDensity::new(gamma, points)?)
            }
            "kmeans" => {
                let centroids = validate::matrix_from_rows(
                    "centroids",
                    &required(self.centroids, "centroids", &tag)?,
                )?;
                Estimator::KMeans(KMeans::new(centroids)?)
            }
            other => {
                return Err(Error::model(
                    "model",
                    format!(
                        "unknown model {other:?}, expected one of \"one_class_svm\", \"kernel_density\", \"kmeans\""
                    ),
                ))
            }
        };
        let mut model = Model::new(estimator);
        if let Some(names) = self.feature_names {
            model = model.with_feature_names(names)?;
        }
        if let Some(s) = self.scaler {
            let mean = validate::vector("scaler.mean", &s.mean)?;
            let scale = validate::vector("scaler.scale", &s.scale)?;
            model = model.with_scaler(Standardizer::new(mean, scale)?)?;
        }
        if let Some(r) = self.reference {
            model = model.with_reference(validate::vector("reference", &r)?)?;
        }
        if let Some(beta) = self.beta {
            model = model.with_beta(beta)?;
        }
        if let Some(b) = self.bounds {
            model = model.with_bounds(Bounds {
                low: validate::vector("bounds.low", &b.low)?,
                high: validate::vector("bounds.high", &b.high)?,
            })?;
        }
        if let Some(p) = self.provenance {
            model = model.with_provenance(p);
        }
        Ok(model)
    }

    fn from_model(model: &Model) -> Self {
        let rows = |m: ndarray::ArrayView2<f64>| m.outer_iter().map(|r| r.to_vec()).collect();
        let mut raw = RawModel {
            format: Some(FORMAT.to_string()),
            model: Some(model.kind().tag().to_string()),
            ..RawModel::default()
        };
        match model.estimator() {
            Estimator::OneClassSvm(m) => {
                raw.kernel = Some(m.kernel());
                raw.support_vectors = Some(rows(m.support_vectors()));
                raw.dual_coef = Some(m.dual_coef().to_vec());
                raw.rho = Some(m.rho());
            }
            Estimator::KernelDensity(m) => {
                raw.kernel = Some(Kernel::Rbf { gamma: m.gamma() });
                raw.points = Some(rows(m.points()));
            }
            Estimator::KMeans(m) => raw.centroids = Some(rows(m.centroids())),
        }
        raw.feature_names = model.feature_names().map(<[String]>::to_vec);
        raw.scaler = model.scaler().map(|s| RawScaler {
            mean: s.mean().to_vec(),
            scale: s.scale().to_vec(),
        });
        raw.reference = model.reference().map(|r| r.to_vec());
        raw.beta = model.beta();
        raw.bounds = model.bounds().map(|b| RawBounds {
            low: b.low.to_vec(),
            high: b.high.to_vec(),
        });
        raw.provenance = model.provenance().cloned();
        raw
    }
}

/// Parse and validate a model from JSON text. Errors name the offending field.
pub fn model_from_json(text: &str) -> Result<Model> {
    let not_a_model = |message: String| Error::ModelFormat {
        path: "<json>".into(),
        message: format!("not a valid model file: {message}"),
    };
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| not_a_model(e.to_string()))?;
    if !value.is_object() {
        return Err(not_a_model("expected a JSON object {...}".to_string()));
    }
    let raw: RawModel = serde_path_to_error::deserialize(value)
        .map_err(|e| Error::model(e.path().to_string(), e.into_inner().to_string()))?;
    raw.into_model()
}

/// Serialize a model to pretty JSON in the `neuralize/1` format.
pub fn model_to_json(model: &Model) -> String {
    serde_json::to_string_pretty(&RawModel::from_model(model)).expect("plain data serializes")
}

/// Load a model file; errors name the file and the field.
pub fn load_model(path: impl AsRef<Path>) -> Result<Model> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    model_from_json(&text).map_err(|e| match e {
        Error::ModelFormat { message, .. } => Error::ModelFormat {
            path: path.to_path_buf(),
            message,
        },
        Error::InvalidModel { field, message } => Error::ModelFormat {
            path: path.to_path_buf(),
            message: format!("field `{field}`: {message}"),
        },
        other => other,
    })
}

/// Save a model file atomically (temporary file beside it, then rename).
pub fn save_model(model: &Model, path: impl AsRef<Path>) -> Result<()> {
    let mut text = model_to_json(model);
    text.push('\n');
    super::atomic::write_atomically(path.as_ref(), |w| w.write_all(text.as_bytes()))
}
