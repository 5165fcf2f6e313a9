//! Converters from classical models to networks (the "canonizer" step of NEON).
//!
//! Each rewrite is exact: the network's forward pass reproduces the model's own output.

mod kernel_density;
mod kmeans;
mod one_class_svm;

pub use kernel_density::kernel_density;
pub use kmeans::kmeans;
pub use one_class_svm::one_class_svm;

use crate::classical::{Estimator, Model};
use crate::network::Network;

/// Neuralize a model, including its scaler.
pub fn neuralize(model: &Model) -> Network {
    let scaler = model.scaler().cloned();
    match model.estimator() {
        Estimator::OneClassSvm(m) => Network::Kernel(Box::new(one_class_svm(m, scaler))),
        Estimator::KernelDensity(m) => Network::Kernel(Box::new(kernel_density(m, scaler))),
        Estimator::KMeans(m) => Network::Cluster(kmeans(m, scaler)),
    }
}
