//! Dense networks (scikit-learn `MLPClassifier` / `MLPRegressor`):
//! `a_{l+1} = act(a_l W_l + b_l)` with ReLU or identity hidden layers, and an identity
//! (regression), logistic (binary) or softmax (multiclass) output on the last layer's
//! pre-activations (the logits).
//!
//! The network is already a network: nothing to neuralize. What is explained is a linear
//! function of the last hidden layer: the regression output, the logit `z_c` of a class
//! (softmax; default the predicted class), or `z` for the positive class and `-z` for the
//! other (logistic). LRP applies one rule per layer ([`rules`]).
//!
//! Model-file fields: `layers` (input first), each `{"weights": inputs x units (as
//! scikit-learn's `coefs_[l]`), "biases": [...], "activation": "relu" | "identity"}` (no
//! activation on the last layer); `output` (`identity` | `logistic` | `softmax`);
//! `classes` (classifiers; labels as strings or numbers, in `classes_` order).

mod model;
mod network;
pub(crate) mod rules;

pub use model::{Activation, DenseLayer, DenseNetwork, OutputKind};

/// What a classifier's explanation explains for class c.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClassTarget {
    /// The logit `z_c` (softmax), or `z` for the positive and `-z` for the other class
    /// (logistic).
    #[default]
    Logit,
    /// The exact log-odds `log p_c / (1 - p_c) = -log sum_{k != c} exp(-(z_c - z_k))`:
    /// soft-min pooling (stiffness 1) over the linear contrasts `z_c - z_k`, as NEON pools
    /// k-means contrasts. Equal to the logit for a logistic output and to `z_c - z_k` for
    /// two softmax classes. LRP gives each contrast its soft-min share of the output, then
    /// applies the top layer's rule to the contrast units.
    LogOdds,
}

impl std::str::FromStr for ClassTarget {
    type Err = crate::Error;

    /// `logit` or `log-odds`.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "logit" => Ok(ClassTarget::Logit),
            "log-odds" => Ok(ClassTarget::LogOdds),
            _ => Err(Error::parameter(
                "target",
                format!("unknown target {s:?}; expected logit or log-odds"),
            )),
        }
    }
}

use super::{optional_field, required_field, rows_json, Family, GroundTruth, Registration};
use crate::error::{Error, Result};
use crate::explainer::Prediction;
use crate::model::validate;
use crate::network::Network;
use ndarray::{Array1, ArrayView2};
use network::DenseLrp;
use serde::Deserialize;
use serde_json::{json, Map, Value};

pub(super) const REGISTRATION: Registration = Registration {
    tag: "dense_network",
    parse,
};

#[derive(Debug, Deserialize)]
struct RawLayer {
    weights: Vec<Vec<f64>>,
    biases: Vec<f64>,
    #[serde(default)]
    activation: Option<String>,
}

/// Fields: `layers`, `output`, `classes` (classifiers).
fn parse(object: &Map<String, Value>) -> Result<Box<dyn Family>> {
    let raw: Vec<RawLayer> = required_field(object, "layers", REGISTRATION.tag)?;
    let mut layers = Vec::with_capacity(raw.len());
    for (l, layer) in raw.into_iter().enumerate() {
        let field = format!("layers[{l}]");
        let weights = validate::matrix_from_rows(&format!("{field}.weights"), &layer.weights)?;
        let biases = validate::vector(&format!("{field}.biases"), &layer.biases)?;
        let activation = match layer.activation.as_deref() {
            None => None,
            Some("relu") => Some(Activation::Relu),
            Some("identity") => Some(Activation::Identity),
            Some(other) => {
                return Err(Error::model(
                    format!("{field}.activation"),
                    format!(
                        "unsupported activation {other:?}: only relu and identity hidden \
                         layers are explained exactly by LRP"
                    ),
                ))
            }
        };
        layers.push(DenseLayer::new(weights, biases, activation));
    }
    let output: String = required_field(object, "output", REGISTRATION.tag)?;
    let output = OutputKind::parse(&output)?;
    let classes = match optional_field::<Vec<Value>>(object, "classes")? {
        None => None,
        Some(values) => Some(
            values
                .iter()
                .enumerate()
                .map(|(i, v)| match v {
                    Value::String(s) => Ok(s.clone()),
                    Value::Number(n) => Ok(n.to_string()),
                    Value::Bool(b) => Ok(b.to_string()),
                    other => Err(Error::model(
                        format!("classes[{i}]"),
                        format!("must be a string or a number, got {other}"),
                    )),
                })
                .collect::<Result<Vec<String>>>()?,
        ),
    };
    Ok(Box::new(DenseNetwork::new(layers, output, classes)?))
}

impl Family for DenseNetwork {
    fn tag(&self) -> &'static str {
        REGISTRATION.tag
    }

    fn n_features(&self) -> usize {
        DenseNetwork::n_features(self)
    }

    fn fields(&self) -> Map<String, Value> {
        let mut fields = Map::new();
        let layers: Vec<Value> = self
            .layers()
            .iter()
            .map(|l| {
                let mut layer = Map::new();
                layer.insert("weights".into(), rows_json(l.weights()));
                layer.insert("biases".into(), json!(l.biases().to_vec()));
                if let Some(act) = l.activation() {
                    layer.insert("activation".into(), json!(act.name()));
                }
                Value::Object(layer)
            })
            .collect();
        fields.insert("layers".into(), Value::from(layers));
        fields.insert("output".into(), json!(self.output().name()));
        if let Some(classes) = self.classes() {
            fields.insert("classes".into(), json!(classes));
        }
        fields
    }

    fn network(&self) -> Box<dyn Network> {
        Box::new(DenseLrp::new(self.clone(), ClassTarget::Logit))
    }

    /// The class index (classifiers) or the regression value.
    fn prediction_name(&self) -> &'static str {
        "predicted"
    }

    /// The explained logit (or log-odds-like `±z`, or the regression output).
    fn output_name(&self) -> &'static str {
        "target"
    }

    /// The origin of the standardized space (the training mean when there is a scaler).
    fn reference(&self) -> Array1<f64> {
        Array1::zeros(self.n_features())
    }

    fn class_labels(&self) -> Option<&[String]> {
        self.classes()
    }

    fn facts(&self) -> Vec<(&'static str, Value)> {
        let widths: Vec<usize> = self.layers().iter().map(|l| l.weights().ncols()).collect();
        let activations: Vec<&str> = self
            .layers()
            .iter()
            .filter_map(|l| l.activation().map(Activation::name))
            .collect();
        let mut facts = vec![
            ("n_layers", json!(self.layers().len())),
            ("layer_widths", json!(widths)),
            ("activations", json!(activations)),
            ("output", json!(self.output().name())),
        ];
        if let Some(classes) = self.classes() {
            facts.push(("classes", json!(classes)));
        }
        facts
    }

    /// The plain forward pass (one dot product per unit), its decision and explained output.
    fn ground_truth(&self, z: ArrayView2<f64>) -> GroundTruth {
        let decided: Vec<(usize, f64)> = z
            .outer_iter()
            .map(|row| self.decide(&self.logits(row)))
            .collect();
        let output: Array1<f64> = decided.iter().map(|&(_, o)| o).collect();
        match self.output() {
            OutputKind::Identity => GroundTruth {
                prediction: Prediction::Values(output),
                output: None,
                margin: None,
            },
            _ => GroundTruth {
                prediction: Prediction::Labels(decided.iter().map(|&(c, _)| c).collect()),
                output: Some(output),
                margin: None,
            },
        }
    }
}

impl From<DenseNetwork> for crate::Model {
    fn from(model: DenseNetwork) -> Self {
        crate::Model::with_family(Box::new(model))
    }
}
