//! Gaussian mixtures (scikit-learn's `GaussianMixture`, covariance `full`, `tied`, `diag`,
//! `spherical`): `p(x) = sum_k pi_k N(x; mu_k, Sigma_k)`.
//!
//! Network: Mahalanobis units `q_k(z) = ½ ‖U_kᵀ(z - mu_k)‖² + b_k` pooled by soft-min,
//! `o(z) = -log p(z)` exactly (max-shifted log-sum-exp, finite far from the data); the
//! soft-min weights at beta = 1 are the responsibilities (`predict_proba`). Explained
//! output: the outlierness `o`; prediction: `log_density = -o` (`score_samples`).
//!
//! Model-file fields: `covariance_type`, `weights` (> 0, summing to 1), `means`
//! (components x features), and either `precisions_cholesky` (scikit-learn's
//! `precisions_cholesky_`: `K x D x D` upper-triangular for `full`, `D x D` for `tied`,
//! `K x D` for `diag`, `K` for `spherical`) or `covariances` (`covariances_`, same shapes;
//! factorized as scikit-learn does, `U = (L⁻¹)ᵀ` with `Sigma = L Lᵀ`).

mod cluster;
mod model;
mod network;
mod occlusion_share;
mod precision;

pub use model::GaussianMixture;
pub use precision::CovarianceType;

use super::{required_field, rows_json, Family, GroundTruth, Registration};
use crate::error::{Error, Result};
use crate::model::validate;
use crate::network::Network;
use ndarray::{Array1, Array2, ArrayView2};
use network::MixtureNetwork;
use precision::{from_covariance, Factors};
use serde_json::{json, Map, Value};

pub(super) const REGISTRATION: Registration = Registration {
    tag: "gaussian_mixture",
    parse,
};

/// Fields: `covariance_type`, `weights`, `means`, `precisions_cholesky` | `covariances`.
fn parse(object: &Map<String, Value>) -> Result<Box<dyn Family>> {
    let tag = REGISTRATION.tag;
    let kind: CovarianceType = required_field(object, "covariance_type", tag)?;
    let weights: Vec<f64> = required_field(object, "weights", tag)?;
    let weights = validate::vector("weights", &weights)?;
    let rows: Vec<Vec<f64>> = required_field(object, "means", tag)?;
    let means = validate::matrix_from_rows("means", &rows)?;
    let has = |field: &str| !matches!(object.get(field), None | Some(Value::Null));
    let (field, from_cov) = match (has("precisions_cholesky"), has("covariances")) {
        (true, false) => ("precisions_cholesky", false),
        (false, true) => ("covariances", true),
        (true, true) => {
            return Err(Error::model(
                "covariances",
                "give either precisions_cholesky or covariances, not both",
            ))
        }
        (false, false) => {
            return Err(Error::model(
                "precisions_cholesky",
                format!("missing (required for model \"{tag}\", or give covariances)"),
            ))
        }
    };
    let model = match kind {
        CovarianceType::Full => {
            let blocks: Vec<Vec<Vec<f64>>> = required_field(object, field, tag)?;
            let factors = blocks
                .iter()
                .enumerate()
                .map(|(k, rows)| {
                    let name = format!("{field}[{k}]");
                    let m = validate::matrix_from_rows(&name, rows)?;
                    if from_cov {
                        from_covariance(&name, m.view())
                    } else {
                        Ok(m)
                    }
                })
                .collect::<Result<Vec<_>>>()?;
            GaussianMixture::full(weights, means, factors)?
        }
        CovarianceType::Tied => {
            let rows: Vec<Vec<f64>> = required_field(object, field, tag)?;
            let m = validate::matrix_from_rows(field, &rows)?;
            let u = if from_cov {
                from_covariance(field, m.view())?
            } else {
                m
            };
            GaussianMixture::tied(weights, means, u)?
        }
        CovarianceType::Diag => {
            let rows: Vec<Vec<f64>> = required_field(object, field, tag)?;
            let m = validate::matrix_from_rows(field, &rows)?;
            let u = if from_cov {
                inverse_sqrt(field, m, |k, i| format!("{field}[{k}][{i}]"))?
            } else {
                m
            };
            GaussianMixture::diag(weights, means, u)?
        }
        CovarianceType::Spherical => {
            let values: Vec<f64> = required_field(object, field, tag)?;
            let v = validate::vector(field, &values)?;
            let n = v.len();
            let m = v.into_shape_with_order((n, 1)).expect("one column");
            let u = if from_cov {
                inverse_sqrt(field, m, |k, _| format!("{field}[{k}]"))?
            } else {
                m
            };
            GaussianMixture::spherical(weights, means, u.column(0).to_owned())?
        }
    };
    Ok(Box::new(model))
}

/// `1/sqrt(v)` of positive variances; errors name the entry.
fn inverse_sqrt(
    field: &str,
    variances: Array2<f64>,
    name: impl Fn(usize, usize) -> String,
) -> Result<Array2<f64>> {
    for ((k, i), &v) in variances.indexed_iter() {
        validate::positive(&name(k, i), v).map_err(|_| {
            Error::model(
                name(k, i),
                format!("a variance must be a finite number > 0 ({field}), got {v}"),
            )
        })?;
    }
    Ok(variances.mapv(|v| 1.0 / v.sqrt()))
}

impl Family for GaussianMixture {
    fn tag(&self) -> &'static str {
        REGISTRATION.tag
    }

    fn n_features(&self) -> usize {
        GaussianMixture::n_features(self)
    }

    fn fields(&self) -> Map<String, Value> {
        let mut fields = Map::new();
        fields.insert(
            "covariance_type".into(),
            json!(self.covariance_type().name()),
        );
        fields.insert("weights".into(), json!(self.weights().to_vec()));
        fields.insert("means".into(), rows_json(self.means()));
        let factors = match (self.covariance_type(), self.factors()) {
            (CovarianceType::Tied, Factors::Dense(u)) => rows_json(u[0].view()),
            (_, Factors::Dense(u)) => {
                Value::from(u.iter().map(|u| rows_json(u.view())).collect::<Vec<_>>())
            }
            (CovarianceType::Spherical, Factors::Diagonal(u)) => json!(u.column(0).to_vec()),
            (_, Factors::Diagonal(u)) => rows_json(u.view()),
        };
        fields.insert("precisions_cholesky".into(), factors);
        fields
    }

    fn network(&self) -> Box<dyn Network> {
        Box::new(MixtureNetwork::new(
            self.means().to_owned(),
            self.factors().clone(),
            self.biases(),
        ))
    }

    fn prediction_name(&self) -> &'static str {
        "log_density"
    }

    fn output_name(&self) -> &'static str {
        "outlierness"
    }

    /// The mixture's mean `sum_k pi_k mu_k`.
    fn reference(&self) -> Array1<f64> {
        self.weights().dot(&self.means())
    }

    fn facts(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("n_components", json!(self.n_components())),
            ("covariance_type", json!(self.covariance_type().name())),
        ]
    }

    fn ground_truth(&self, z: ArrayView2<f64>) -> GroundTruth {
        GroundTruth::values(self.score_samples(z), z.nrows())
    }
}

impl From<GaussianMixture> for crate::Model {
    fn from(model: GaussianMixture) -> Self {
        crate::Model::with_family(Box::new(model))
    }
}
