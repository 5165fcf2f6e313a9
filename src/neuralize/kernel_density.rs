use crate::classical::{KernelDensity, Standardizer};
use crate::network::{DistanceLayer, KernelNetwork, Power, Readout};
use ndarray::Array1;

/// Kernel density as distance units `h_j = gamma ||z - u_j||^2 + log N` and soft-min
/// pooling (log-mean-exp): `o(z) = -log((1/N) sum_j exp(-gamma ||z - u_j||^2))`,
/// `log p(z) = -o(z) - (d/2) log(pi / gamma)`.
pub fn kernel_density(kde: &KernelDensity, scaler: Option<Standardizer>) -> KernelNetwork {
    let n = kde.points().nrows();
    let bias = Array1::from_elem(n, (n as f64).ln());
    let distance = DistanceLayer::new(Power::Two, kde.gamma(), kde.points().to_owned(), bias);
    KernelNetwork::new(
        scaler,
        distance,
        Readout::LogDensity {
            log_normalizer: kde.log_normalizer(),
        },
    )
}
