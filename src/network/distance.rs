//! The distance layer `h_j = gamma * ||z - u_j||_q^q + b_j`.

use super::power::Power;
use ndarray::linalg::general_mat_mul;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};

/// Below `NEAR * (||z||^2 + ||u||^2)` (both centered) a GEMM-form squared distance has lost
/// too many digits to cancellation; such pairs are recomputed from exact differences.
/// With this threshold the GEMM form keeps a relative error below ~1e-12.
const NEAR: f64 = 1e-4;

/// Distance units with centers `u_j`, a shared `gamma` and per-unit biases `b_j`.
#[derive(Debug, Clone)]
pub(crate) struct DistanceLayer {
    power: Power,
    gamma: f64,
    centers: Array2<f64>,
    bias: Array1<f64>,
    /// Mean of the centers; GEMM distances are computed on centered data (less cancellation).
    origin: Array1<f64>,
    /// `u_j - origin`.
    centered: Array2<f64>,
    /// `[u_j - origin | (u_j - origin)^2]` side by side (units x 2 features): one matrix
    /// product gives both sums of the q = 2 relevance.
    centered_and_squares: Array2<f64>,
    /// `||u_j - origin||^2`.
    centered_norms: Array1<f64>,
}

/// Distances of a chunk of rows to every unit.
#[derive(Debug)]
pub(crate) struct DistanceBatch {
    /// `||z_r - u_j||_q^q`, rows x units.
    pub dist: Array2<f64>,
    /// For q = 2: the rows centered on the layer's origin (used by the matrix-form relevance).
    pub centered_rows: Array2<f64>,
    /// For q = 2: pairs `(row, unit)` whose distance was recomputed from exact differences.
    pub near: Vec<(usize, usize)>,
}

impl DistanceLayer {
    /// `centers` is units x features; `bias` one entry per unit.
    pub fn new(power: Power, gamma: f64, centers: Array2<f64>, bias: Array1<f64>) -> Self {
        assert_eq!(centers.nrows(), bias.len(), "one bias per center");
        let origin = centers.mean_axis(Axis(0)).expect("at least one center");
        let centered = &centers - &origin;
        let centered_sq = centered.mapv(|v| v * v);
        let centered_norms = centered_sq.sum_axis(Axis(1));
        let centered_and_squares =
            ndarray::concatenate(Axis(1), &[centered.view(), centered_sq.view()])
                .expect("same number of rows");
        DistanceLayer {
            power,
            gamma,
            centers,
            bias,
            origin,
            centered,
            centered_and_squares,
            centered_norms,
        }
    }

    pub fn power(&self) -> Power {
        self.power
    }

    pub fn gamma(&self) -> f64 {
        self.gamma
    }

    pub fn centers(&self) -> ArrayView2<'_, f64> {
        self.centers.view()
    }

    pub fn bias(&self) -> ArrayView1<'_, f64> {
        self.bias.view()
    }

    pub fn n_units(&self) -> usize {
        self.centers.nrows()
    }

    pub fn n_features(&self) -> usize {
        self.centers.ncols()
    }

    /// `[u_j - origin | (u_j - origin)^2]` (units x 2 features), for the q = 2 relevance.
    pub(crate) fn centered_and_squares(&self) -> ArrayView2<'_, f64> {
        self.centered_and_squares.view()
    }

    /// Distances of every row of `z` to every unit.
    ///
    /// q = 2 uses the GEMM form `||z||^2 - 2 z.u + ||u||^2` on centered data, clamped at 0,
    /// with near pairs recomputed exactly; q = 1 sums exact differences.
    pub fn distances(&self, z: ArrayView2<f64>) -> DistanceBatch {
        match self.power {
            Power::Two => self.squared_distances(z),
            Power::One => DistanceBatch {
                dist: self.exact_distances(z),
                centered_rows: Array2::zeros((0, 0)),
                near: Vec::new(),
            },
        }
    }

    fn exact_distances(&self, z: ArrayView2<f64>) -> Array2<f64> {
        let mut dist = Array2::zeros((z.nrows(), self.n_units()));
        for (row, mut out) in z.outer_iter().zip(dist.outer_iter_mut()) {
            let row = row.as_slice().expect("standard layout");
            for (u, d) in self.centers.outer_iter().zip(out.iter_mut()) {
                *d = self
                    .power
                    .distance(row, u.as_slice().expect("standard layout"));
            }
        }
        dist
    }

    fn squared_distances(&self, z: ArrayView2<f64>) -> DistanceBatch {
        let centered_rows = &z - &self.origin;
        let row_norms: Array1<f64> = centered_rows.map_axis(Axis(1), |r| r.dot(&r));
        let mut dist = Array2::zeros((z.nrows(), self.n_units()));
        general_mat_mul(-2.0, &centered_rows, &self.centered.t(), 0.0, &mut dist);
        let mut near = Vec::new();
        for (r, mut out) in dist.outer_iter_mut().enumerate() {
            let out = out.as_slice_mut().expect("standard layout");
            let zz = row_norms[r];
            let norms = self.centered_norms.as_slice().expect("contiguous");
            // Vectorized: complete the distances and count the near ones (an integer sum,
            // which the compiler may reorder, unlike a float reduction).
            let mut n_near = 0usize;
            for (d, &uu) in out.iter_mut().zip(norms) {
                *d += zz + uu;
                n_near += usize::from(*d <= NEAR * (zz + uu));
            }
            if n_near == 0 {
                continue;
            }
            for (j, (d, &uu)) in out.iter_mut().zip(norms).enumerate() {
                if *d <= NEAR * (zz + uu) {
                    near.push((r, j));
                    let (row, u) = (z.row(r), self.centers.row(j));
                    *d = row.iter().zip(u).map(|(a, b)| (a - b) * (a - b)).sum();
                }
            }
        }
        DistanceBatch {
            dist,
            centered_rows,
            near,
        }
    }

    /// Activations `h_rj = gamma * dist_rj + b_j`.
    pub fn activations(&self, dist: &Array2<f64>) -> Array2<f64> {
        let mut h = dist.clone();
        for mut row in h.outer_iter_mut() {
            for (h, &b) in row.iter_mut().zip(&self.bias) {
                *h = self.gamma * *h + b;
            }
        }
        h
    }
}
