//! The `neuralize/1` model file format (JSON).
//!
//! ```json
//! {"format": "neuralize/1", "model": "one_class_svm",
//!  "kernel": {"rbf": {"gamma": 0.02}},
//!  "support_vectors": [[0.1, 0.2]], "dual_coef": [0.5], "rho": 0.3}
//! ```
//! `model` names the family ([`crate::families::FAMILIES`]), which reads its own fields.
//! Optional for every family: `feature_names`, `scaler` (`{"mean", "scale"}`), `reference`,
//! `beta`, `bounds` (`{"low", "high"}`), `provenance`, and `method`: the default explanation
//! method written by `neuralize tune`,
//! `{"name": "neon-path@1", "reason": "...", "scores": [...], "tuned_on": {...}}` (`name` a
//! NEON rule set of the family, optionally `@BETA` / `@auto`; see [`super::StoredMethod`]),
//! which `explain` runs when no `--method` or `--rule` is given. Unknown fields are ignored
//! (so older readers ignore `method` and use the family's default).

use super::{validate, Bounds, Model, Standardizer, StoredMethod};
use crate::error::{Error, Result};
use crate::families::{optional_field, FAMILIES};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
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

/// Check the format tag and find the family's parser.
fn read_family(object: &Map<String, Value>) -> Result<Model> {
    match optional_field::<String>(object, "format")?.as_deref() {
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
    let Some(tag) = optional_field::<String>(object, "model")? else {
        return Err(Error::model(
            "model",
            "missing (required for model \"any\")",
        ));
    };
    let Some(registration) = FAMILIES.iter().find(|r| r.tag == tag) else {
        let known: Vec<String> = FAMILIES.iter().map(|r| format!("{:?}", r.tag)).collect();
        return Err(Error::model(
            "model",
            format!(
                "unknown model {tag:?}, expected one of {}",
                known.join(", ")
            ),
        ));
    };
    Ok(Model::with_family((registration.parse)(object)?))
}

/// The fields every family may carry.
fn read_common(object: &Map<String, Value>, mut model: Model) -> Result<Model> {
    if let Some(names) = optional_field(object, "feature_names")? {
        model = model.with_feature_names(names)?;
    }
    if let Some(s) = optional_field::<RawScaler>(object, "scaler")? {
        let mean = validate::vector("scaler.mean", &s.mean)?;
        let scale = validate::vector("scaler.scale", &s.scale)?;
        model = model.with_scaler(Standardizer::new(mean, scale)?)?;
    }
    if let Some(r) = optional_field::<Vec<f64>>(object, "reference")? {
        model = model.with_reference(validate::vector("reference", &r)?)?;
    }
    if let Some(beta) = optional_field(object, "beta")? {
        model = model.with_beta(beta)?;
    }
    if let Some(b) = optional_field::<RawBounds>(object, "bounds")? {
        model = model.with_bounds(Bounds {
            low: validate::vector("bounds.low", &b.low)?,
            high: validate::vector("bounds.high", &b.high)?,
        })?;
    }
    if let Some(p) = object.get("provenance").filter(|p| !p.is_null()) {
        model = model.with_provenance(p.clone());
    }
    if let Some(m) = object.get("method").filter(|m| !m.is_null()) {
        model = model.with_method(StoredMethod::from_json(m)?)?;
    }
    Ok(model)
}

/// Parse and validate a model from JSON text. Errors name the offending field.
pub fn model_from_json(text: &str) -> Result<Model> {
    let not_a_model = |message: String| Error::ModelFormat {
        path: "<json>".into(),
        message: format!("not a valid model file: {message}"),
    };
    let value: Value = serde_json::from_str(text).map_err(|e| {
        not_a_model(match non_finite_literal(text, &e) {
            Some(literal) => format!(
                "{e}: {literal} is not a JSON number (every number in a model file must be \
                 finite; Python's json.dump writes NaN and Infinity unless allow_nan=False)"
            ),
            None => e.to_string(),
        })
    })?;
    let Value::Object(object) = value else {
        return Err(not_a_model("expected a JSON object {...}".to_string()));
    };
    let model = read_family(&object)?;
    read_common(&object, model)
}

/// The `NaN`, `Infinity` or `-Infinity` at a JSON syntax error's position, if that is what
/// stopped the parser (JSON has no such numbers; Python writes them by default). serde_json
/// reports 1-based lines and byte columns of the offending character.
fn non_finite_literal(text: &str, error: &serde_json::Error) -> Option<&'static str> {
    let line = text
        .split('\n')
        .nth(error.line().checked_sub(1)?)?
        .as_bytes();
    let at = error.column().checked_sub(1)?;
    let rest = line.get(at..)?;
    let negative = at > 0 && line[at - 1] == b'-';
    if rest.starts_with(b"NaN") {
        Some("NaN")
    } else if rest.starts_with(b"Infinity") {
        Some(if negative { "-Infinity" } else { "Infinity" })
    } else {
        None
    }
}

/// Serialize a model to pretty JSON in the `neuralize/1` format.
pub fn model_to_json(model: &Model) -> String {
    let mut object = Map::new();
    object.insert("format".into(), json!(FORMAT));
    object.insert("model".into(), json!(model.kind()));
    object.extend(model.family().fields());
    let mut optional = |key: &str, value: Option<Value>| {
        if let Some(value) = value {
            object.insert(key.into(), value);
        }
    };
    optional("feature_names", model.feature_names().map(|n| json!(n)));
    optional(
        "scaler",
        model
            .scaler()
            .map(|s| json!({"mean": s.mean().to_vec(), "scale": s.scale().to_vec()})),
    );
    optional("reference", model.reference().map(|r| json!(r.to_vec())));
    optional("beta", model.beta().map(|b| json!(b)));
    optional(
        "bounds",
        model
            .bounds()
            .map(|b| json!({"low": b.low.to_vec(), "high": b.high.to_vec()})),
    );
    optional("provenance", model.provenance().cloned());
    optional("method", model.method().map(StoredMethod::to_json));
    serde_json::to_string_pretty(&Value::Object(object)).expect("plain data serializes")
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
    crate::io::atomic::write_atomically(path.as_ref(), |w| w.write_all(text.as_bytes()))
}
