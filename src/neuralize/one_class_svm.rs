use crate::classical::{OneClassSvm, Standardizer};
use crate::network::{DistanceLayer, KernelNetwork, Readout};

/// One-class SVM as distance units `h_j = gamma ||z - u_j||_q^q - log(alpha_j / rho)` and
/// soft-min pooling: `o(z) = -log(sum_j alpha_j K(z, u_j) / rho)`, so `f = rho (e^-o - 1)`.
pub fn one_class_svm(svm: &OneClassSvm, scaler: Option<Standardizer>) -> KernelNetwork {
    let rho = svm.rho();
    let bias = svm.dual_coef().mapv(|alpha| -(alpha / rho).ln());
    let distance = DistanceLayer::new(
        svm.kernel().power(),
        svm.kernel().gamma(),
        svm.support_vectors().to_owned(),
        bias,
    );
    KernelNetwork::new(scaler, distance, Readout::DecisionFunction { rho })
}
