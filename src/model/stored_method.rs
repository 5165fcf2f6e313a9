//! The explanation method a model file asks for (`"method"`, written by `neuralize tune`):
//! what `neuralize explain` runs when no `--method` or `--rule` is given.
//!
//! ```json
//! "method": {"name": "neon-path@1",
//!            "reason": "tuned by `neuralize tune` on 120 of 800 reference rows ...",
//!            "scores": [{"method": "neon-path", "mean": 0.068, "marginal": 0.262, "score": 1.0}],
//!            "tuned_on": {"reference_rows": 800, "rows": 120, "flipped_rows": 40, ...}}
//! ```
//! `name` is a NEON rule set the model's family supports, optionally `@BETA` or `@auto`
//! (the cost rule: a stored default is always a cheap, conserving NEON variant, never a
//! baseline explainer); `reason`, `scores` and `tuned_on` are optional and shown by `info`.

use crate::error::{Error, Result};
use crate::method::{Method, Technique};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// One candidate's feature-flipping result at tune time (lower = more faithful).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TuneScore {
    /// The candidate, as a `--method` value (`neon-path`, `neon-ref@auto`, `neon@0.5`).
    pub method: String,
    /// Mean normalized flipping area, mean imputation.
    pub mean: f64,
    /// Mean normalized flipping area, marginal imputation.
    pub marginal: f64,
    /// The tuning score: the mean over both imputations of the area relative to the best
    /// candidate's, `(A_mean / min A_mean + A_marginal / min A_marginal) / 2` (>= 1; the
    /// chosen method has the lowest).
    pub score: f64,
}

/// The default explanation method stored in a model file, with why it was chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredMethod {
    method: Method,
    reason: String,
    scores: Vec<TuneScore>,
    tuned_on: Option<Value>,
}

impl StoredMethod {
    /// A stored method: `method` must be a NEON rule set (with or without a beta); which
    /// rule sets a model supports is checked by [`crate::Model::with_method`].
    pub fn new(method: Method, reason: impl Into<String>) -> Result<Self> {
        match method.technique() {
            Technique::Neon(_) => Ok(StoredMethod {
                method,
                reason: reason.into(),
                scores: Vec::new(),
                tuned_on: None,
            }),
            other => Err(Error::model(
                "method.name",
                format!(
                    "must be a NEON rule set (NAME, NAME@BETA or NAME@auto), got {:?}: a stored \
                     default stays a cheap NEON variant",
                    other.name()
                ),
            )),
        }
    }

    /// Attach the candidates' scores (each must be finite).
    pub fn with_scores(mut self, scores: Vec<TuneScore>) -> Result<Self> {
        for (i, s) in scores.iter().enumerate() {
            for (what, v) in [
                ("mean", s.mean),
                ("marginal", s.marginal),
                ("score", s.score),
            ] {
                if !v.is_finite() {
                    return Err(Error::model(
                        format!("method.scores[{i}].{what}"),
                        format!("must be finite, got {v}"),
                    ));
                }
            }
        }
        self.scores = scores;
        Ok(self)
    }

    /// Attach a free-form description of the tuning run (rows, draws, seed).
    pub fn with_tuned_on(mut self, tuned_on: Value) -> Self {
        self.tuned_on = Some(tuned_on);
        self
    }

    /// The method `explain` runs by default.
    pub fn method(&self) -> Method {
        self.method
    }

    /// Why it was chosen.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// The candidates' scores at tune time, in the order they were tried.
    pub fn scores(&self) -> &[TuneScore] {
        &self.scores
    }

    /// What the tuning ran on, if recorded.
    pub fn tuned_on(&self) -> Option<&Value> {
        self.tuned_on.as_ref()
    }

    /// The `"method"` object of a model file.
    pub(crate) fn to_json(&self) -> Value {
        let mut object = Map::new();
        object.insert("name".into(), json!(self.method.to_string()));
        object.insert("reason".into(), json!(self.reason));
        if !self.scores.is_empty() {
            object.insert("scores".into(), json!(self.scores));
        }
        if let Some(t) = &self.tuned_on {
            object.insert("tuned_on".into(), t.clone());
        }
        Value::Object(object)
    }

    /// Read the `"method"` object of a model file; errors name the field (`method.name`).
    pub(crate) fn from_json(value: &Value) -> Result<Self> {
        let Value::Object(object) = value else {
            return Err(Error::model(
                "method",
                "must be an object {\"name\": \"neon-path@1\", ...}",
            ));
        };
        let name: String = field(object, "name")?
            .ok_or_else(|| Error::model("method.name", "missing (e.g. \"neon-path@1\")"))?;
        let method: Method = name
            .parse()
            .map_err(|e: Error| Error::model("method.name", strip_parameter(&e)))?;
        let reason: String =
            field(object, "reason")?.unwrap_or_else(|| "stored in the model file".to_string());
        let scores: Vec<TuneScore> = field(object, "scores")?.unwrap_or_default();
        let stored = StoredMethod::new(method, reason)?.with_scores(scores)?;
        Ok(match object.get("tuned_on").filter(|t| !t.is_null()) {
            Some(t) => stored.with_tuned_on(t.clone()),
            None => stored,
        })
    }
}

/// An optional field of the `method` object; errors name it `method.FIELD`.
fn field<T: serde::de::DeserializeOwned>(
    object: &Map<String, Value>,
    name: &str,
) -> Result<Option<T>> {
    crate::families::optional_field(object, name).map_err(|e| match e {
        Error::InvalidModel { field, message } => Error::model(format!("method.{field}"), message),
        other => other,
    })
}

/// A parameter error's message without the option's name (it is a model-file field here).
fn strip_parameter(e: &Error) -> String {
    match e {
        Error::InvalidParameter { message, .. } => message.clone(),
        other => other.to_string(),
    }
}
