//! One-class SVM (libsvm / scikit-learn): `f(x) = sum_j alpha_j K(x, u_j) - rho`.
//!
//! Network: distance units `h_j = gamma ||z - u_j||_q^q - log(alpha_j / rho)` pooled by
//! soft-min, `o(z) = -log(sum_j alpha_j K(z, u_j) / rho)`, so `f = rho (e^-o - 1)` and
//! `o >= 0` exactly when `f <= 0` (an outlier). Explained output: the outlierness `o`.

mod model;

pub use model::OneClassSvm;

use super::{required_field, rows_json, Family, GroundTruth, Kernel, Registration};
use crate::error::Result;
use crate::model::validate;
use crate::network::distance::DistanceLayer;
use crate::network::kernel::{KernelNetwork, Readout};
use crate::network::Network;
use ndarray::{Array1, ArrayView2};
use serde_json::{json, Map, Value};

pub(super) const REGISTRATION: Registration = Registration {
    tag: "one_class_svm",
    parse,
};

/// Fields: `kernel`, `support_vectors`, `dual_coef` (> 0), `rho` (> 0).
fn parse(object: &Map<String, Value>) -> Result<Box<dyn Family>> {
    let tag = REGISTRATION.tag;
    let kernel: Kernel = required_field(object, "kernel", tag)?;
    let rows: Vec<Vec<f64>> = required_field(object, "support_vectors", tag)?;
    let support_vectors = validate::matrix_from_rows("support_vectors", &rows)?;
    let dual: Vec<f64> = required_field(object, "dual_coef", tag)?;
    let dual_coef = validate::vector("dual_coef", &dual)?;
    let rho: f64 = required_field(object, "rho", tag)?;
    Ok(Box::new(OneClassSvm::new(
        kernel,
        support_vectors,
        dual_coef,
        rho,
    )?))
}

impl Family for OneClassSvm {
    fn tag(&self) -> &'static str {
        REGISTRATION.tag
    }

    fn n_features(&self) -> usize {
        OneClassSvm::n_features(self)
    }

    fn fields(&self) -> Map<String, Value> {
        let mut fields = Map::new();
        fields.insert("kernel".into(), json!(self.kernel()));
        fields.insert("support_vectors".into(), rows_json(self.support_vectors()));
        fields.insert("dual_coef".into(), json!(self.dual_coef().to_vec()));
        fields.insert("rho".into(), json!(self.rho()));
        fields
    }

    fn network(&self) -> Box<dyn Network> {
        let rho = self.rho();
        let bias = self.dual_coef().mapv(|alpha| -(alpha / rho).ln());
        let distance = DistanceLayer::new(
            self.kernel().power(),
            self.kernel().gamma(),
            self.support_vectors().to_owned(),
            bias,
        );
        Box::new(KernelNetwork::new(
            distance,
            Readout::DecisionFunction { rho },
        ))
    }

    fn prediction_name(&self) -> &'static str {
        "decision_function"
    }

    fn output_name(&self) -> &'static str {
        "outlierness"
    }

    /// The dual-coefficient-weighted mean of the support vectors.
    fn reference(&self) -> Array1<f64> {
        let alpha = self.dual_coef();
        alpha.dot(&self.support_vectors()) / alpha.sum()
    }

    fn facts(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("n_support_vectors", json!(self.support_vectors().nrows())),
            (
                "kernel",
                json!({"name": self.kernel().name(), "gamma": self.kernel().gamma()}),
            ),
            ("rho", json!(self.rho())),
        ]
    }

    fn ground_truth(&self, z: ArrayView2<f64>) -> GroundTruth {
        GroundTruth::values(self.decision_function(z), z.nrows())
    }
}

impl From<OneClassSvm> for crate::Model {
    fn from(model: OneClassSvm) -> Self {
        crate::Model::with_family(Box::new(model))
    }
}
