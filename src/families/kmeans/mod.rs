//! k-means: nearest-centroid assignment `argmin_k ||x - mu_k||^2`.
//!
//! Network, per explained cluster c: linear contrasts `h_k = ||z - mu_k||^2 - ||z - mu_c||^2
//! = w_k . z + b_k` (k != c) pooled by min, the logit `f_c = min_k h_k`, `>= 0` exactly for
//! the assigned cluster. Explained output: the logit of the assigned (or chosen) cluster.

mod batch;
mod explain;
mod model;
mod network;
mod node_weights;
mod path;
mod reference;
mod spread;
#[cfg(test)]
mod test_rows;

pub use model::KMeans;
/// The conserving share of a row's output over per-feature numerators (also the Gaussian
/// mixtures' `occlusion-share`).
pub(crate) use path::share;

use super::{required_field, rows_json, Family, GroundTruth, Registration};
use crate::error::Result;
use crate::explainer::Prediction;
use crate::model::validate;
use crate::network::Network;
use ndarray::{Array1, ArrayView2, Axis};
use network::ClusterNetwork;
use serde_json::{json, Map, Value};

pub(super) const REGISTRATION: Registration = Registration {
    tag: "kmeans",
    parse,
};

/// Fields: `centroids` (at least 2).
fn parse(object: &Map<String, Value>) -> Result<Box<dyn Family>> {
    let rows: Vec<Vec<f64>> = required_field(object, "centroids", REGISTRATION.tag)?;
    let centroids = validate::matrix_from_rows("centroids", &rows)?;
    Ok(Box::new(KMeans::new(centroids)?))
}

impl Family for KMeans {
    fn tag(&self) -> &'static str {
        REGISTRATION.tag
    }

    fn n_features(&self) -> usize {
        KMeans::n_features(self)
    }

    fn fields(&self) -> Map<String, Value> {
        let mut fields = Map::new();
        fields.insert("centroids".into(), rows_json(self.centroids()));
        fields
    }

    fn network(&self) -> Box<dyn Network> {
        Box::new(ClusterNetwork::new(self.centroids().to_owned()))
    }

    fn prediction_name(&self) -> &'static str {
        "cluster"
    }

    fn output_name(&self) -> &'static str {
        "logit"
    }

    /// The mean of the centroids.
    fn reference(&self) -> Array1<f64> {
        self.centroids()
            .mean_axis(Axis(0))
            .expect("at least two centroids")
    }

    fn facts(&self) -> Vec<(&'static str, Value)> {
        vec![("n_clusters", json!(self.n_clusters()))]
    }

    /// `predict`'s clusters and their logits, from exact differences.
    fn ground_truth(&self, z: ArrayView2<f64>) -> GroundTruth {
        let truth = self.predict(z).unwrap_or_default();
        let logits = self
            .logits(z, &truth)
            .unwrap_or_else(|_| Array1::from_elem(z.nrows(), f64::NAN));
        GroundTruth {
            prediction: Prediction::Labels(truth),
            margin: Some(logits.clone()),
            output: Some(logits),
        }
    }
}

impl From<KMeans> for crate::Model {
    fn from(model: KMeans) -> Self {
        crate::Model::with_family(Box::new(model))
    }
}
