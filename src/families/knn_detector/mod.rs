//! k-nearest-neighbour outlier detectors (PyOD's `KNN`; scikit-learn's `NearestNeighbors`
//! with a score): the distance to the k-th nearest stored row (`largest`) or the mean
//! distance to the k nearest (`mean`), euclidean or manhattan.
//!
//! Network: distance units to every stored row, k-min pooling (exact, hard); relevance by a
//! redistribution over the k nearest and the distance share (`neon`), or each unit rooted at
//! the reference (`neon-ref`, the default; see `network.rs`). Explained
//! output: the outlierness = the score; prediction `decision_function` = the score (PyOD's
//! name).
//!
//! Model-file fields: `points` (the stored rows), `k` (1 to the number of rows), `score`
//! (`"largest"` | `"mean"`), `metric` (`"euclidean"` | `"manhattan"`, default euclidean).

mod model;
mod network;
mod search;

pub use model::{KnnDetector, KnnMetric, KnnScore};

use super::{optional_field, required_field, rows_json, Family, GroundTruth, Registration};
use crate::error::Result;
use crate::model::validate;
use crate::network::Network;
use ndarray::{Array1, ArrayView2, Axis};
use network::NeighbourNetwork;
use serde_json::{json, Map, Value};

pub(super) const REGISTRATION: Registration = Registration {
    tag: "knn_detector",
    parse,
};

/// Fields: `points`, `k`, `score`, `metric`.
fn parse(object: &Map<String, Value>) -> Result<Box<dyn Family>> {
    let tag = REGISTRATION.tag;
    let rows: Vec<Vec<f64>> = required_field(object, "points", tag)?;
    let points = validate::matrix_from_rows("points", &rows)?;
    let k: usize = required_field(object, "k", tag)?;
    let score: KnnScore = required_field(object, "score", tag)?;
    let metric: KnnMetric = optional_field(object, "metric")?.unwrap_or(KnnMetric::Euclidean);
    Ok(Box::new(KnnDetector::new(points, k, score, metric)?))
}

impl Family for KnnDetector {
    fn tag(&self) -> &'static str {
        REGISTRATION.tag
    }

    fn n_features(&self) -> usize {
        KnnDetector::n_features(self)
    }

    fn fields(&self) -> Map<String, Value> {
        let mut fields = Map::new();
        fields.insert("points".into(), rows_json(self.points()));
        fields.insert("k".into(), json!(self.k()));
        fields.insert("score".into(), json!(self.score().name()));
        fields.insert("metric".into(), json!(self.metric().name()));
        fields
    }

    fn network(&self) -> Box<dyn Network> {
        Box::new(NeighbourNetwork::new(
            self.points().to_owned(),
            self.k(),
            self.score(),
            self.metric(),
        ))
    }

    fn prediction_name(&self) -> &'static str {
        "decision_function"
    }

    fn output_name(&self) -> &'static str {
        "outlierness"
    }

    /// The mean of the stored rows.
    fn reference(&self) -> Array1<f64> {
        self.points()
            .mean_axis(Axis(0))
            .expect("at least one point")
    }

    fn facts(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("n_points", json!(self.points().nrows())),
            ("k", json!(self.k())),
            ("score", json!(self.score().name())),
            ("metric", json!(self.metric().name())),
        ]
    }

    fn ground_truth(&self, z: ArrayView2<f64>) -> GroundTruth {
        GroundTruth::values(self.decision_function(z), z.nrows())
    }
}

impl From<KnnDetector> for crate::Model {
    fn from(model: KnnDetector) -> Self {
        crate::Model::with_family(Box::new(model))
    }
}
