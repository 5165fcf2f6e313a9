//! Test support: the seeded rbf density network the kernel passes' tests compare forms on.

use super::{KernelNetwork, Readout};
use crate::network::distance::DistanceLayer;
use crate::network::power::Power;
use crate::rng::test_matrix;
use ndarray::Array2;

/// `units` seeded centers in `d` features (gamma 0.7, small seeded biases) as a layer and as
/// a log-density network over it; also the centers.
pub(super) fn rbf_density(units: usize, d: usize) -> (Array2<f64>, DistanceLayer, KernelNetwork) {
    let centers = test_matrix(units, d, 5);
    let bias = test_matrix(units, 1, 9).column(0).mapv(|b| 0.3 * b);
    let layer = DistanceLayer::new(Power::Two, 0.7, centers.clone(), bias);
    let network = KernelNetwork::new(
        layer.clone(),
        Readout::LogDensity {
            log_normalizer: 0.0,
        },
    );
    (centers, layer, network)
}
