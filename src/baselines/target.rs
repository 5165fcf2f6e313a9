//! The explained function of one row, `f(x) = Explainer::forward(x, cluster).output`, and its
//! analytic gradient with respect to the input x.
//!
//! - kernel models (`o(z) = -log sum_j exp(-h_j)`, `h_j = gamma ||z - u_j||_q^q + b_j`,
//!   `z = (x - mean) / scale`): `do/dz = gamma sum_j p_j q |z - u_j|^(q-1) sign(z - u_j)`
//!   with `p = softmin(h)` (the model's own soft-min, beta = 1); i.e. rbf
//!   `2 gamma (z - sum_j p_j u_j)`, laplacian `gamma sum_j p_j sign(z - u_j)` (sign(0) = 0);
//! - k-means logit `f_c = min_k h_k`: the weights of the active (minimal, lowest index on
//!   ties) contrast, `w_k* = 2 (mu_c - mu_k*)`;
//! - through the scaler: `df/dx_i = df/dz_i / scale_i`.

use crate::error::Result;
use crate::network::{pool, ClusterNetwork, KernelNetwork, Network, Power};
use ndarray::{Array1, Array2, ArrayView2, Axis};

/// The function a baseline explains for one row: the network's output, with the k-means
/// cluster fixed to the one explained at that row.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    network: &'a Network,
    cluster: Option<usize>,
}

impl<'a> Target<'a> {
    /// `cluster` must be `Some` for k-means (the explained cluster) and `None` otherwise.
    pub fn new(network: &'a Network, cluster: Option<usize>) -> Self {
        assert_eq!(
            cluster.is_some(),
            matches!(network, Network::Cluster(_)),
            "a cluster is fixed exactly for k-means"
        );
        Target { network, cluster }
    }

    pub fn n_features(&self) -> usize {
        self.network.n_features()
    }

    /// `f` on every row of `x`.
    pub fn outputs(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        let forward = match self.network {
            Network::Kernel(net) => net.forward(x)?,
            Network::Cluster(net) => net.forward(x, self.cluster)?,
        };
        Ok(forward.output)
    }

    /// `f` at one point.
    pub fn output(&self, x: &[f64]) -> Result<f64> {
        let row = ArrayView2::from_shape((1, x.len()), x).expect("one row");
        Ok(self.outputs(row)?[0])
    }

    /// `df/dx` on every row of `x` (rows x features, input space).
    pub fn gradients(&self, x: ArrayView2<f64>) -> Array2<f64> {
        let (mut grad, scaler) = match self.network {
            Network::Kernel(net) => (kernel_gradients(net, x), net.scaler()),
            Network::Cluster(net) => (
                cluster_gradients(net, x, self.cluster.expect("k-means has a cluster")),
                net.scaler(),
            ),
        };
        if let Some(s) = scaler {
            grad /= &s.scale();
        }
        grad
    }
}

/// `do/dz` of the soft-min pool over distance units.
fn kernel_gradients(net: &KernelNetwork, x: ArrayView2<f64>) -> Array2<f64> {
    let layer = net.distance();
    let z = crate::network::standardized(x, net.scaler());
    let batch = layer.distances(z.view());
    let mut p = layer.activations(&batch.dist);
    let mut weights = vec![0.0; layer.n_units()];
    for mut row in p.outer_iter_mut() {
        let row = row.as_slice_mut().expect("standard layout");
        pool::softmin_weights_into(row, 1.0, &mut weights);
        row.copy_from_slice(&weights);
    }
    let gamma = layer.gamma();
    match layer.power() {
        Power::Two => {
            // 2 gamma (z - sum_j p_j u_j)
            let pulled = p.dot(&layer.centers());
            (&z - &pulled) * (2.0 * gamma)
        }
        Power::One => {
            let mut grad = Array2::zeros(z.raw_dim());
            for ((z_row, p_row), mut g) in z
                .outer_iter()
                .zip(p.outer_iter())
                .zip(grad.outer_iter_mut())
            {
                for (u, &p_j) in layer.centers().outer_iter().zip(p_row) {
                    for ((g_i, &z_i), &u_i) in g.iter_mut().zip(z_row).zip(u) {
                        *g_i += gamma * p_j * Power::One.derivative(z_i - u_i);
                    }
                }
            }
            grad
        }
    }
}

/// `df_c/dz = w_k*`, the weights of the minimal contrast.
fn cluster_gradients(net: &ClusterNetwork, x: ArrayView2<f64>, cluster: usize) -> Array2<f64> {
    let z = crate::network::standardized(x, net.scaler());
    let contrast = net.contrast(cluster);
    let mut h = vec![0.0; net.n_clusters() - 1];
    let mut grad = Array2::zeros(z.raw_dim());
    for (row, mut g) in z.outer_iter().zip(grad.axis_iter_mut(Axis(0))) {
        contrast.activations_into(row.as_slice().expect("standard layout"), &mut h);
        let active = argmin(&h);
        g.assign(&contrast.linear().weights().row(active));
    }
    grad
}

/// Index of the smallest value (the first one on ties).
pub(crate) fn argmin(values: &[f64]) -> usize {
    let mut best = 0;
    for (k, &v) in values.iter().enumerate() {
        if v < values[best] {
            best = k;
        }
    }
    best
}
