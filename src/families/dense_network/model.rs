//! A fitted dense network (scikit-learn `MLPClassifier` / `MLPRegressor`): the layers, the
//! output function and the classes, validated, and its plain forward pass (the ground truth).

use crate::error::{Error, Result};
use crate::model::validate;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

/// The activation of a hidden layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    /// `max(0, z)`.
    Relu,
    /// `z`.
    Identity,
}

impl Activation {
    /// The model-file name (`relu`, `identity`).
    pub fn name(self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::Identity => "identity",
        }
    }

    /// The activation of a pre-activation value.
    pub fn apply(self, z: f64) -> f64 {
        match self {
            Activation::Relu => z.max(0.0),
            Activation::Identity => z,
        }
    }
}

/// The output function of the last layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputKind {
    /// A regressor: the single output unit is the prediction.
    Identity,
    /// A binary classifier: one unit z, `p(classes[1]) = 1 / (1 + exp(-z))`.
    Logistic,
    /// A multiclass classifier: one unit per class, `p = softmax(z)`.
    Softmax,
}

impl OutputKind {
    /// The model-file name (`identity`, `logistic`, `softmax`).
    pub fn name(self) -> &'static str {
        match self {
            OutputKind::Identity => "identity",
            OutputKind::Logistic => "logistic",
            OutputKind::Softmax => "softmax",
        }
    }

    /// Parse a model-file name; the error names the field.
    pub(crate) fn parse(name: &str) -> Result<Self> {
        [
            OutputKind::Identity,
            OutputKind::Logistic,
            OutputKind::Softmax,
        ]
        .into_iter()
        .find(|o| o.name() == name)
        .ok_or_else(|| {
            Error::model(
                "output",
                format!("unknown output {name:?}, expected identity, logistic or softmax"),
            )
        })
    }
}

/// One dense layer `a' = act(a W + b)`, `W` inputs x units (scikit-learn's `coefs_[l]`).
#[derive(Debug, Clone, PartialEq)]
pub struct DenseLayer {
    weights: Array2<f64>,
    biases: Array1<f64>,
    /// `None` for the last layer (its function is the network's output).
    activation: Option<Activation>,
}

impl DenseLayer {
    /// Weights (inputs x units), biases (one per unit) and the activation of a hidden layer
    /// (`None` for the last one). Shapes and values are checked by [`DenseNetwork::new`].
    pub fn new(weights: Array2<f64>, biases: Array1<f64>, activation: Option<Activation>) -> Self {
        DenseLayer {
            weights,
            biases,
            activation,
        }
    }

    /// Weights, inputs x units.
    pub fn weights(&self) -> ArrayView2<'_, f64> {
        self.weights.view()
    }

    /// Biases, one per unit.
    pub fn biases(&self) -> ArrayView1<'_, f64> {
        self.biases.view()
    }

    /// The hidden activation (`None` for the last layer).
    pub fn activation(&self) -> Option<Activation> {
        self.activation
    }
}

/// A dense network with ReLU or identity hidden layers and an identity (regression),
/// logistic (binary) or softmax (multiclass) output.
#[derive(Debug, Clone, PartialEq)]
pub struct DenseNetwork {
    layers: Vec<DenseLayer>,
    output: OutputKind,
    classes: Option<Vec<String>>,
}

impl DenseNetwork {
    /// Build and validate: at least one layer, each layer's inputs equal to the previous
    /// layer's units, finite values, an activation on every hidden layer and none on the
    /// last; `identity` and `logistic` have one output unit, `softmax` one per class;
    /// `classes` (2 for logistic, the number of units for softmax) exactly for classifiers.
    pub fn new(
        layers: Vec<DenseLayer>,
        output: OutputKind,
        classes: Option<Vec<String>>,
    ) -> Result<Self> {
        if layers.is_empty() {
            return Err(Error::model("layers", "must hold at least one layer"));
        }
        let last = layers.len() - 1;
        for (l, layer) in layers.iter().enumerate() {
            let field = format!("layers[{l}]");
            let (n_in, n_out) = layer.weights.dim();
            if n_in == 0 || n_out == 0 {
                return Err(Error::model(
                    format!("{field}.weights"),
                    format!("must be non-empty, got {n_in} x {n_out}"),
                ));
            }
            if l > 0 {
                let previous = layers[l - 1].weights.ncols();
                if n_in != previous {
                    return Err(Error::model(
                        format!("{field}.weights"),
                        format!(
                            "has {n_in} rows (inputs), but layers[{}] has {previous} units",
                            l - 1
                        ),
                    ));
                }
            }
            validate::finite_matrix(&format!("{field}.weights"), layer.weights.view())?;
            validate::length(&format!("{field}.biases"), layer.biases.view(), n_out)?;
            validate::finite_vector(&format!("{field}.biases"), layer.biases.view())?;
            match (l == last, layer.activation) {
                (false, None) => {
                    return Err(Error::model(
                        format!("{field}.activation"),
                        "missing (hidden layers need relu or identity)",
                    ))
                }
                (true, Some(_)) => {
                    return Err(Error::model(
                        format!("{field}.activation"),
                        "the last layer has no activation: its function is `output`",
                    ))
                }
                _ => {}
            }
        }
        let n_outputs = layers[last].weights.ncols();
        let want_units = |n: usize, why: &str| {
            if n_outputs == n {
                Ok(())
            } else {
                Err(Error::model(
                    format!("layers[{last}].weights"),
                    format!("has {n_outputs} output units, but {why} needs {n}"),
                ))
            }
        };
        match (output, &classes) {
            (OutputKind::Identity, None) => want_units(1, "output identity (a regressor)")?,
            (OutputKind::Identity, Some(_)) => {
                return Err(Error::model(
                    "classes",
                    "a regressor (output identity) has no classes",
                ))
            }
            (_, None) => {
                return Err(Error::model(
                    "classes",
                    format!(
                        "missing (required for output {:?}, a classifier)",
                        output.name()
                    ),
                ))
            }
            (OutputKind::Logistic, Some(c)) => {
                if c.len() != 2 {
                    return Err(Error::model(
                        "classes",
                        format!("output logistic needs 2 classes, got {}", c.len()),
                    ));
                }
                want_units(1, "output logistic (a binary classifier)")?
            }
            (OutputKind::Softmax, Some(c)) => {
                if c.len() < 2 {
                    return Err(Error::model(
                        "classes",
                        format!("needs at least 2 classes, got {}", c.len()),
                    ));
                }
                want_units(c.len(), "one unit per class")?
            }
        }
        if let Some(c) = &classes {
            let mut seen = std::collections::HashSet::new();
            if let Some(i) = c.iter().position(|name| !seen.insert(name.as_str())) {
                return Err(Error::model(
                    format!("classes[{i}]"),
                    format!("duplicate class {:?}", c[i]),
                ));
            }
        }
        Ok(DenseNetwork {
            layers,
            output,
            classes,
        })
    }

    /// The layers, input first.
    pub fn layers(&self) -> &[DenseLayer] {
        &self.layers
    }

    /// The output function.
    pub fn output(&self) -> OutputKind {
        self.output
    }

    /// The class labels (classifiers), in the order of scikit-learn's `classes_`.
    pub fn classes(&self) -> Option<&[String]> {
        self.classes.as_deref()
    }

    /// Number of input features.
    pub fn n_features(&self) -> usize {
        self.layers[0].weights.nrows()
    }

    /// The output-layer pre-activations of one row, computed the plain way (one dot
    /// product per unit, no matrix library): the ground truth of the network's forward pass.
    pub fn logits(&self, x: ArrayView1<f64>) -> Vec<f64> {
        let mut a: Vec<f64> = x.to_vec();
        for layer in &self.layers {
            let next: Vec<f64> = (0..layer.weights.ncols())
                .map(|k| {
                    let z: f64 = a
                        .iter()
                        .zip(layer.weights.column(k))
                        .map(|(ai, wi)| ai * wi)
                        .sum::<f64>()
                        + layer.biases[k];
                    layer.activation.map_or(z, |act| act.apply(z))
                })
                .collect();
            a = next;
        }
        a
    }

    /// `(predicted class index or 0 for a regressor, explained output of that class)` of
    /// one row from its logits: the regression value; the logit `z` (class 1) or `-z`
    /// (class 0, predicted when `z <= 0`, as scikit-learn's `p > 0.5`); the largest logit
    /// (first on ties, as `argmax` of `predict_proba`).
    pub fn decide(&self, logits: &[f64]) -> (usize, f64) {
        match self.output {
            OutputKind::Identity => (0, logits[0]),
            OutputKind::Logistic => {
                if logits[0] > 0.0 {
                    (1, logits[0])
                } else {
                    (0, -logits[0])
                }
            }
            OutputKind::Softmax => {
                let mut best = 0;
                for (k, &z) in logits.iter().enumerate() {
                    if z > logits[best] {
                        best = k;
                    }
                }
                (best, logits[best])
            }
        }
    }
}
