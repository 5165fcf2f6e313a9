//! Gaussian kernel density: `p(x) = (1/N) sum_j (gamma/pi)^(d/2) exp(-gamma ||x - u_j||^2)`.
//!
//! Network: distance units `h_j = gamma ||z - u_j||^2 + log N` pooled by soft-min
//! (log-mean-exp), `o(z) = -log((1/N) sum_j exp(-gamma ||z - u_j||^2))`, so
//! `log p(z) = -o(z) - (d/2) log(pi / gamma)`. Explained output: the outlierness `o`.

mod model;

pub use model::KernelDensity;

use super::{required_field, rows_json, Family, GroundTruth, Kernel, Registration};
use crate::error::{Error, Result};
use crate::model::validate;
use crate::network::distance::DistanceLayer;
use crate::network::kernel::{KernelNetwork, Readout};
use crate::network::power::Power;
use crate::network::Network;
use ndarray::{Array1, ArrayView2, Axis};
use serde_json::{json, Map, Value};

pub(super) const REGISTRATION: Registration = Registration {
    tag: "kernel_density",
    parse,
};

/// Fields: `kernel` (rbf only), `points`.
fn parse(object: &Map<String, Value>) -> Result<Box<dyn Family>> {
    let tag = REGISTRATION.tag;
    let gamma = match required_field(object, "kernel", tag)? {
        Kernel::Rbf { gamma } => gamma,
        Kernel::Laplacian { .. } => {
            return Err(Error::model(
                "kernel",
                "kernel_density supports only the \"rbf\" (Gaussian) kernel",
            ))
        }
    };
    let rows: Vec<Vec<f64>> = required_field(object, "points", tag)?;
    let points = validate::matrix_from_rows("points", &rows)?;
    Ok(Box::new(KernelDensity::new(gamma, points)?))
}

impl Family for KernelDensity {
    fn tag(&self) -> &'static str {
        REGISTRATION.tag
    }

    fn n_features(&self) -> usize {
        KernelDensity::n_features(self)
    }

    fn fields(&self) -> Map<String, Value> {
        let mut fields = Map::new();
        fields.insert(
            "kernel".into(),
            json!(Kernel::Rbf {
                gamma: self.gamma()
            }),
        );
        fields.insert("points".into(), rows_json(self.points()));
        fields
    }

    fn network(&self) -> Box<dyn Network> {
        let n = self.points().nrows();
        let bias = Array1::from_elem(n, (n as f64).ln());
        let distance = DistanceLayer::new(Power::Two, self.gamma(), self.points().to_owned(), bias);
        Box::new(KernelNetwork::new(
            distance,
            Readout::LogDensity {
                log_normalizer: self.log_normalizer(),
            },
        ))
    }

    fn prediction_name(&self) -> &'static str {
        "log_density"
    }

    fn output_name(&self) -> &'static str {
        "outlierness"
    }

    /// The mean of the points.
    fn reference(&self) -> Array1<f64> {
        self.points()
            .mean_axis(Axis(0))
            .expect("at least one point")
    }

    fn facts(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("n_points", json!(self.points().nrows())),
            ("kernel", json!({"name": "rbf", "gamma": self.gamma()})),
        ]
    }

    fn ground_truth(&self, z: ArrayView2<f64>) -> GroundTruth {
        GroundTruth::values(self.log_density(z), z.nrows())
    }
}

impl From<KernelDensity> for crate::Model {
    fn from(model: KernelDensity) -> Self {
        crate::Model::with_family(Box::new(model))
    }
}
