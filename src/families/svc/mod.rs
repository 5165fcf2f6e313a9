//! Kernel support vector classifiers (scikit-learn `SVC` / `NuSVC`, rbf or laplacian
//! kernel; binary, or one-vs-one multiclass), neuralized after Bley et al. (2025,
//! "Explaining ... distance-based classifiers"); the formulas are in `docs/svc.md`.
//!
//! Prediction: the one-vs-one vote (scikit-learn's `predict`). Explained output (`target`)
//! of class c: `T_c = min_{k != c} v_ck`, the smallest decision value of c against another
//! class (binary: `decision_function` for `classes[1]`, its negative for `classes[0]`), by
//! default for the predicted class (`--class` picks another).
//!
//! Model-file fields: `kernel` (`{"rbf": {"gamma": g}}` or `{"laplacian": {"gamma": g}}`),
//! `support_vectors` (grouped by class), `dual_coef` ((classes - 1) x support vectors),
//! `intercept` (one per pair of classes), `classes` (labels, strings or numbers) and
//! `n_support` (support vectors per class), as scikit-learn's `SVC` stores them.

mod model;
mod network;
mod path;
mod relevance;
mod rooted;
mod row;

pub use model::Svc;

use super::{required_field, rows_json, Family, GroundTruth, Kernel, Registration};
use crate::error::{Error, Result};
use crate::explainer::Prediction;
use crate::model::validate;
use crate::network::Network;
use ndarray::{Array1, ArrayView2};
use network::SvcNetwork;
use serde_json::{json, Map, Value};

pub(super) const REGISTRATION: Registration = Registration { tag: "svc", parse };

/// Fields: `kernel`, `support_vectors`, `dual_coef`, `intercept`, `classes`, `n_support`.
fn parse(object: &Map<String, Value>) -> Result<Box<dyn Family>> {
    let tag = REGISTRATION.tag;
    let kernel: Kernel = required_field(object, "kernel", tag)?;
    let rows: Vec<Vec<f64>> = required_field(object, "support_vectors", tag)?;
    let support_vectors = validate::matrix_from_rows("support_vectors", &rows)?;
    let dual: Vec<Vec<f64>> = required_field(object, "dual_coef", tag)?;
    let dual_coef = validate::matrix_from_rows("dual_coef", &dual)?;
    let intercept: Vec<f64> = required_field(object, "intercept", tag)?;
    let intercept = validate::vector("intercept", &intercept)?;
    let labels: Vec<Value> = required_field(object, "classes", tag)?;
    let classes = labels
        .iter()
        .enumerate()
        .map(|(i, v)| match v {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            other => Err(Error::model(
                format!("classes[{i}]"),
                format!("must be a string or a number, got {other}"),
            )),
        })
        .collect::<Result<Vec<String>>>()?;
    let n_support: Vec<usize> = required_field(object, "n_support", tag)?;
    Ok(Box::new(Svc::new(
        kernel,
        support_vectors,
        dual_coef,
        intercept,
        classes,
        n_support,
    )?))
}

impl Family for Svc {
    fn tag(&self) -> &'static str {
        REGISTRATION.tag
    }

    fn n_features(&self) -> usize {
        Svc::n_features(self)
    }

    fn fields(&self) -> Map<String, Value> {
        let mut fields = Map::new();
        fields.insert("kernel".into(), json!(self.kernel()));
        fields.insert("support_vectors".into(), rows_json(self.support_vectors()));
        fields.insert("dual_coef".into(), rows_json(self.dual_coef()));
        fields.insert("intercept".into(), json!(self.intercept().to_vec()));
        fields.insert("classes".into(), json!(self.classes()));
        fields.insert("n_support".into(), json!(self.n_support()));
        fields
    }

    fn network(&self) -> Box<dyn Network> {
        Box::new(SvcNetwork::new(self.clone()))
    }

    /// The predicted class (the one-vs-one vote).
    fn prediction_name(&self) -> &'static str {
        "predicted"
    }

    /// The smallest decision value of the explained class against the others.
    fn output_name(&self) -> &'static str {
        "target"
    }

    /// The support vectors' mean, each weighted by the sum of its `|dual_coef|`.
    fn reference(&self) -> Array1<f64> {
        let weights = self.dual_coef().mapv(f64::abs).sum_axis(ndarray::Axis(0));
        let total = weights.sum();
        if total > 0.0 {
            weights.dot(&self.support_vectors()) / total
        } else {
            self.support_vectors()
                .mean_axis(ndarray::Axis(0))
                .expect("at least one support vector")
        }
    }

    fn class_labels(&self) -> Option<&[String]> {
        Some(self.classes())
    }

    fn facts(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("n_support_vectors", json!(self.support_vectors().nrows())),
            ("n_support", json!(self.n_support())),
            (
                "kernel",
                json!({"name": self.kernel().name(), "gamma": self.kernel().gamma()}),
            ),
            ("classes", json!(self.classes())),
            ("n_pairs", json!(self.intercept().len())),
            ("hybrid_eta", json!(SvcNetwork::new(self.clone()).eta())),
        ]
    }

    /// The vote and the target from the pair decisions summed the plain way; the margin of a
    /// row is its pair decision closest to 0 (a vote that may flip).
    fn ground_truth(&self, z: ArrayView2<f64>) -> GroundTruth {
        let decided = model::plain_decisions(self, z);
        let k = self.classes().len();
        let mut labels = Vec::with_capacity(decided.len());
        let mut output = Vec::with_capacity(decided.len());
        let mut margin = Vec::with_capacity(decided.len());
        for (vote, dec) in decided {
            let target = (0..k)
                .filter(|&j| j != vote)
                .map(|j| {
                    let (i, jj, sign) = if vote < j {
                        (vote, j, 1.0)
                    } else {
                        (j, vote, -1.0)
                    };
                    sign * dec[model::pair_index(k, i, jj)]
                })
                .fold(f64::INFINITY, f64::min);
            labels.push(vote);
            output.push(target);
            margin.push(dec.iter().map(|d| d.abs()).fold(f64::INFINITY, f64::min));
        }
        GroundTruth {
            prediction: Prediction::Labels(labels),
            output: Some(Array1::from(output)),
            margin: Some(Array1::from(margin)),
        }
    }
}

impl From<Svc> for crate::Model {
    fn from(model: Svc) -> Self {
        crate::Model::with_family(Box::new(model))
    }
}
