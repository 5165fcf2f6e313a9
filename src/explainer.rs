//! The entry point for library users: a model, neuralized once, explained many times.

use crate::classical::Model;
use crate::error::Result;
use crate::lrp::{explain, Composite, Explanation};
use crate::network::{Forward, Network};
use crate::neuralize::neuralize;
use ndarray::{Array1, ArrayView2};

/// A neuralized model ready to score and explain batches of rows (input space).
#[derive(Debug, Clone)]
pub struct Explainer {
    network: Network,
    /// z^B bounds in the network's (standardized) input space.
    bounds: Option<(Array1<f64>, Array1<f64>)>,
    default_beta: f64,
}

impl Explainer {
    /// Neuralize `model`.
    pub fn new(model: &Model) -> Self {
        let bounds = model.bounds().map(|b| match model.scaler() {
            Some(s) => (
                (&b.low - &s.mean()) / s.scale(),
                (&b.high - &s.mean()) / s.scale(),
            ),
            None => (b.low.clone(), b.high.clone()),
        });
        let default_beta = match model.estimator() {
            crate::Estimator::KMeans(m) => model.beta().unwrap_or_else(|| m.default_beta()),
            _ => 1.0,
        };
        Explainer {
            network: neuralize(model),
            bounds,
            default_beta,
        }
    }

    pub fn network(&self) -> &Network {
        &self.network
    }

    /// The default stiffness: 1 for kernel models (their own soft-min); for k-means the
    /// model file's `beta`, else `2 / mean_c min_{k != c} ||mu_c - mu_k||^2`.
    pub fn default_beta(&self) -> f64 {
        self.default_beta
    }

    /// The default composite: the NEON rules with the default beta.
    pub fn default_composite(&self) -> Result<Composite> {
        Composite::neon(self.default_beta)
    }

    /// Forward outputs; `cluster` picks the explained k-means cluster (default: assigned).
    pub fn forward(&self, x: ArrayView2<f64>, cluster: Option<usize>) -> Result<Forward> {
        match &self.network {
            Network::Kernel(net) => {
                if cluster.is_some() {
                    return Err(crate::Error::parameter(
                        "cluster",
                        "only k-means models have clusters to choose from",
                    ));
                }
                net.forward(x)
            }
            Network::Cluster(net) => net.forward(x, cluster),
        }
    }

    /// Explain every row of `x` with `composite`.
    pub fn explain(
        &self,
        x: ArrayView2<f64>,
        composite: &Composite,
        cluster: Option<usize>,
    ) -> Result<Explanation> {
        let bounds = self.bounds.as_ref().map(|(l, h)| (l.view(), h.view()));
        explain(&self.network, x, composite, cluster, bounds)
    }
}
