//! The entry point for library users: a model, neuralized once, explained many times.

use crate::baselines::model_reference;
use crate::classical::Model;
use crate::error::Error;
use crate::error::Result;
use crate::lrp::{explain, reroot, Composite, Explanation, RuleSet};
use crate::network::{Forward, Network};
use crate::neuralize::neuralize;
use ndarray::{Array1, ArrayView1, ArrayView2};

/// A neuralized model ready to score and explain batches of rows (input space).
#[derive(Debug, Clone)]
pub struct Explainer {
    network: Network,
    /// z^B bounds in the network's (standardized) input space.
    bounds: Option<(Array1<f64>, Array1<f64>)>,
    default_beta: f64,
    /// The reference x̃ (input space) and its standardized form r.
    reference: Array1<f64>,
    reference_z: Array1<f64>,
    /// The hybrid rule's mixing weight (kernel models; see [`RuleSet::Hybrid`]).
    eta: f64,
    auto_beta: f64,
}

/// `auto` beta of k-means relative to the stored (or scale-free) default.
const KMEANS_AUTO_STIFFENING: f64 = 10.0;

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
        let network = neuralize(model);
        let gap = crate::lrp::typical_gap(&network);
        let eta = gap.map_or(0.0, crate::lrp::hybrid_eta);
        let auto_beta = match gap {
            Some(gap) if gap > 0.0 => (1.0 / gap).min(1.0),
            Some(_) => 1.0,
            None => KMEANS_AUTO_STIFFENING * default_beta,
        };
        let mut explainer = Explainer {
            network,
            bounds,
            default_beta,
            reference: Array1::zeros(0),
            reference_z: Array1::zeros(0),
            eta,
            auto_beta,
        };
        explainer.set_reference(model_reference(model));
        explainer
    }

    /// Use `reference` (input space) as x̃ for the reference-based rules and explainers.
    pub fn with_reference(mut self, reference: Array1<f64>) -> Result<Self> {
        if reference.len() != self.network.n_features() {
            return Err(Error::parameter(
                "reference",
                format!(
                    "has {} values, but the model has {} features",
                    reference.len(),
                    self.network.n_features()
                ),
            ));
        }
        if let Some(i) = reference.iter().position(|v| !v.is_finite()) {
            return Err(Error::parameter(
                "reference",
                format!("value {i} is not finite"),
            ));
        }
        self.set_reference(reference);
        Ok(self)
    }

    fn set_reference(&mut self, reference: Array1<f64>) {
        let scaler = match &self.network {
            Network::Kernel(net) => net.scaler(),
            Network::Cluster(net) => net.scaler(),
        };
        self.reference_z = match scaler {
            Some(s) => (&reference - &s.mean()) / s.scale(),
            None => reference.clone(),
        };
        self.reference = reference;
    }

    /// The reference x̃ (input space): the model file's, a fallback from the model
    /// ([`crate::baselines::model_reference`]), or the one set by [`Self::with_reference`].
    pub fn reference(&self) -> ArrayView1<'_, f64> {
        self.reference.view()
    }

    /// The hybrid rule's eta for this model.
    pub fn hybrid_eta(&self) -> f64 {
        self.eta
    }

    pub fn network(&self) -> &Network {
        &self.network
    }

    /// The default stiffness: 1 for kernel models (their own soft-min); for k-means the
    /// model file's `beta`, else `2 / mean_c min_{k != c} ||mu_c - mu_k||^2`.
    pub fn default_beta(&self) -> f64 {
        self.default_beta
    }

    /// `--beta auto`, a heuristic from the model file (never from the explained rows):
    /// for kernel models `beta = min(1, 1 / (gamma s))`, s the median pairwise
    /// `||u_j - u_k||_q^q` of the centers (the first 500), so gamma s is the typical
    /// activation gap between two units; `beta gamma s ~ 1` lets units at a typical gap
    /// share relevance instead of the nearest taking it all, and beta never exceeds the
    /// model's own soft-min (1). For k-means: 10 times the default beta (the trainer's
    /// `1 / mean f_c`), so a competitor whose contrast exceeds the nearest one's by the mean
    /// logit gets `e^-10` of its weight: nearly "c versus the nearest competitor", which was
    /// the most faithful setting of `neon-ref` on held-out blobs and wine
    /// (docs/faithfulness.md).
    pub fn auto_beta(&self) -> f64 {
        self.auto_beta
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
        let neon = explain(&self.network, x, composite, cluster, bounds)?;
        match composite.rule_set {
            RuleSet::Neon | RuleSet::NeonFloor => Ok(neon),
            RuleSet::NeonRef | RuleSet::Hybrid => reroot(
                &self.network,
                x,
                composite,
                cluster,
                self.reference_z.view(),
                self.eta,
                neon,
            ),
        }
    }
}
