//! Trainers that produce classical models from training rows.
//!
//! - [`fit_one_class_svm`]: libsvm's nu one-class SVM (SMO with second-order working-set
//!   selection, LRU kernel cache, shrinking), written here and checked against scikit-learn;
//! - [`fit_kmeans`]: k-means by smartcore, best of several seeded restarts;
//! - [`fit_kernel_density`]: a Gaussian KDE on the training rows with scikit-learn's
//!   bandwidth rules;
//! - [`fit_gaussian_mixture`]: a Gaussian mixture by EM (k-means++ starts, `reg_covar`,
//!   restarts, four covariance types), checked against scikit-learn's `GaussianMixture`.
//!
//! Every trainer can standardize first (`z = (x - mean) / std`, population std, stored as the
//! model's scaler) and stores the training mean (input space) as `reference` and its
//! parameters, the crate version and the number of rows as `provenance`.

mod gmm;
mod kde;
mod kernel_cache;
mod kmeans;
mod ocsvm;
mod ocsvm_params;
mod one_class_q;
mod smo;
mod training;

pub use gmm::{fit_gaussian_mixture, GmmFit, GmmParams};
pub use kde::{fit_kernel_density, Bandwidth, KdeParams};
pub use kmeans::{fit_kmeans, KMeansFit, KMeansParams};
pub use ocsvm::{fit_one_class_svm, OcSvmFit};
pub use ocsvm_params::{Gamma, KernelKind, OcSvmParams};
pub use smo::Solution;
