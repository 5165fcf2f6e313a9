//! Plain fitted models, independent of any network: their own decision functions are the
//! ground truth that the neuralized networks must reproduce.

mod kernel;
mod kernel_density;
mod kmeans;
mod model;
mod one_class_svm;
mod standardizer;
pub(crate) mod validate;

pub use kernel::Kernel;
pub use kernel_density::KernelDensity;
pub use kmeans::KMeans;
pub use model::{Bounds, Estimator, Model, ModelKind};
pub use one_class_svm::OneClassSvm;
pub use standardizer::Standardizer;
