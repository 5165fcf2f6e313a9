//! The analytic gradient of the outlierness:
//! `do/dz = gamma sum_j p_j q |z - u_j|^(q-1) sign(z - u_j)`, `p = softmin(h)` (the model's
//! own soft-min); rbf `2 gamma (z - sum_j p_j u_j)`, laplacian
//! `gamma sum_j p_j sign(z - u_j)` (sign(0) = 0).

use super::KernelNetwork;
use crate::network::pool::softmin_weights_into;
use crate::network::power::Power;
use ndarray::{Array2, ArrayView2};

impl KernelNetwork {
    /// `do/dz` of every row.
    pub(super) fn output_gradients(&self, z: ArrayView2<f64>) -> Array2<f64> {
        let layer = &self.distance;
        let batch = layer.distances(z);
        let mut p = layer.activations(&batch.dist);
        let mut weights = vec![0.0; layer.n_units()];
        for mut row in p.outer_iter_mut() {
            let row = row.as_slice_mut().expect("owned");
            softmin_weights_into(row, 1.0, &mut weights);
            row.copy_from_slice(&weights);
        }
        let gamma = layer.gamma();
        match layer.power() {
            Power::Two => {
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
}
