//! The distance layer `h_j = gamma * ||z - u_j||_q^q + b_j`.

use super::power::Power;
use ndarray::linalg::general_mat_mul;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut2, Axis, Zip};

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
        let (rows, d, units) = (z.nrows(), z.ncols(), self.n_units());
        let mut centered = vec![0.0; rows * d];
        let mut norms = vec![0.0; rows];
        let mut dist = vec![0.0; rows * units];
        self.cross_terms_into(z, &mut centered, &mut norms, &mut dist);
        let mut near = Vec::new();
        for (r, out) in dist.chunks_exact_mut(units.max(1)).enumerate() {
            let row = z.row(r);
            let row = row.as_slice().expect("standard layout");
            self.complete_row(row, norms[r], out, |j, _| near.push((r, j)));
        }
        DistanceBatch {
            dist: Array2::from_shape_vec((rows, units), dist).expect("rows x units"),
            centered_rows: Array2::from_shape_vec((rows, d), centered).expect("rows x features"),
            near,
        }
    }

    /// The matrix-product part of the q = 2 distances of the rows of `z` (standard layout):
    /// `centered` <- `x = z - origin` (rows x features), `norms` <- `||x_r||^2`, `dist` <-
    /// `-2 x.v_j` (rows x units, `v_j = u_j - origin`). [`Self::complete_row`] finishes each row.
    pub(crate) fn cross_terms_into(
        &self,
        z: ArrayView2<f64>,
        centered: &mut [f64],
        norms: &mut [f64],
        dist: &mut [f64],
    ) {
        let (rows, d, units) = (z.nrows(), z.ncols(), self.n_units());
        let mut x = ArrayViewMut2::from_shape((rows, d), centered).expect("rows x features");
        Zip::from(&mut x)
            .and(z)
            .and_broadcast(&self.origin)
            .for_each(|x, &z, &o| *x = z - o);
        for (n, x_row) in norms.iter_mut().zip(x.outer_iter()) {
            *n = x_row.dot(&x_row);
        }
        let mut dist = ArrayViewMut2::from_shape((rows, units), dist).expect("rows x units");
        general_mat_mul(-2.0, &x, &self.centered.t(), 0.0, &mut dist);
    }

    /// Complete one row's q = 2 distances from its cross terms (`dist`, from
    /// [`Self::cross_terms_into`]) and centered norm `zz`: `dist_j += zz + ||v_j||^2`; pairs
    /// with `dist_j <= NEAR (zz + ||v_j||^2)` are recomputed from exact differences of the
    /// row `z` and reported as `near(j, exact distance)`, in increasing `j`.
    #[inline(always)]
    pub(crate) fn complete_row(
        &self,
        z: &[f64],
        zz: f64,
        dist: &mut [f64],
        mut near: impl FnMut(usize, f64),
    ) {
        let norms = self.centered_norms.as_slice().expect("contiguous");
        // Vectorized: complete the distances and count the near ones (an integer sum,
        // which the compiler may reorder, unlike a float reduction).
        let mut n_near = 0usize;
        for (d, &uu) in dist.iter_mut().zip(norms) {
            *d += zz + uu;
            n_near += usize::from(*d <= NEAR * (zz + uu));
        }
        if n_near == 0 {
            return;
        }
        for (j, (d, &uu)) in dist.iter_mut().zip(norms).enumerate() {
            if *d <= NEAR * (zz + uu) {
                let u = self.centers.row(j);
                *d = z.iter().zip(u).map(|(a, b)| (a - b) * (a - b)).sum();
                near(j, *d);
            }
        }
    }

    /// Activations of one row, `h_j = gamma * dist_j + b_j`, written into `h`.
    #[inline(always)]
    pub(crate) fn activations_row_into(&self, dist: &[f64], h: &mut [f64]) {
        let bias = self.bias.as_slice().expect("contiguous");
        for ((h, &d), &b) in h.iter_mut().zip(dist).zip(bias) {
            *h = self.gamma * d + b;
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
