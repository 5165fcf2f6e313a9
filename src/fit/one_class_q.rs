//! The one-class Q matrix `Q_ij = K(x_i, x_j)`, computed column by column on demand.
//!
//! Rows are kept contiguous (row-major) with precomputed squared norms, so one rbf entry is
//! `exp(-gamma * max(0, ||x_i||^2 + ||x_j||^2 - 2 x_i.x_j))`: one dot product of length d.
//! The laplacian entry is `exp(-gamma * sum_k |x_ik - x_jk|)`. The solver may swap rows
//! (shrinking); the rows, norms, diagonal and cache follow the swaps.
//!
//! With `f32_values`, every entry is rounded to f32 as libsvm stores it (`Qfloat = float`):
//! the solver then retraces libsvm's (scikit-learn's) iterations exactly.

use super::kernel_cache::KernelCache;
use crate::Kernel;
use ndarray::ArrayView2;

/// Kernel columns of the training rows, cached within a byte budget.
#[derive(Debug)]
pub(crate) struct OneClassQ {
    kernel: Kernel,
    f32_values: bool,
    /// Rows in the solver's current order, row-major.
    rows: Vec<f64>,
    d: usize,
    sq_norms: Vec<f64>,
    diagonal: Vec<f64>,
    cache: KernelCache,
}

impl OneClassQ {
    pub(crate) fn new(
        kernel: Kernel,
        f32_values: bool,
        x: ArrayView2<f64>,
        cache_bytes: usize,
    ) -> Self {
        let (l, d) = x.dim();
        let rows: Vec<f64> = x.iter().copied().collect();
        let sq_norms: Vec<f64> = rows.chunks_exact(d).map(|r| dot(r, r)).collect();
        let mut q = OneClassQ {
            kernel,
            f32_values,
            rows,
            d,
            sq_norms,
            diagonal: Vec::new(),
            cache: KernelCache::new(l, cache_bytes),
        };
        q.diagonal = (0..l).map(|i| q.entry(i, i)).collect();
        q
    }

    /// `Q_ii` in the current order.
    pub(crate) fn diagonal(&self) -> &[f64] {
        &self.diagonal
    }

    fn row(&self, i: usize) -> &[f64] {
        &self.rows[i * self.d..(i + 1) * self.d]
    }

    fn entry(&self, i: usize, j: usize) -> f64 {
        let k = kernel_entry(
            self.kernel,
            self.row(i),
            self.row(j),
            self.sq_norms[i],
            self.sq_norms[j],
        );
        round(k, self.f32_values)
    }

    fn fill(&mut self, i: usize, len: usize) {
        let OneClassQ {
            kernel,
            f32_values,
            rows,
            d,
            sq_norms,
            cache,
            ..
        } = self;
        let (column, start) = cache.get(i, len);
        let xi = &rows[i * *d..(i + 1) * *d];
        for (j, (q, xj)) in column[start..len]
            .iter_mut()
            .zip(rows[start * *d..].chunks_exact(*d))
            .enumerate()
        {
            let j = j + start;
            *q = round(
                kernel_entry(*kernel, xi, xj, sq_norms[i], sq_norms[j]),
                *f32_values,
            );
        }
    }

    /// Column `Q[i][0..len)`.
    pub(crate) fn column(&mut self, i: usize, len: usize) -> &[f64] {
        self.fill(i, len);
        &self.cache.cached(i)[..len]
    }

    /// Column `Q[i][0..len)` and the whole diagonal.
    pub(crate) fn column_and_diagonal(&mut self, i: usize, len: usize) -> (&[f64], &[f64]) {
        self.fill(i, len);
        (&self.cache.cached(i)[..len], &self.diagonal)
    }

    /// Columns `Q[i][0..len)` and `Q[j][0..len)` at once (the cache holds two columns).
    pub(crate) fn columns(&mut self, i: usize, j: usize, len: usize) -> (&[f64], &[f64]) {
        self.fill(i, len);
        self.fill(j, len);
        (&self.cache.cached(i)[..len], &self.cache.cached(j)[..len])
    }

    /// Swap rows i and j everywhere.
    pub(crate) fn swap_index(&mut self, i: usize, j: usize) {
        if i == j {
            return;
        }
        self.cache.swap_index(i, j);
        for k in 0..self.d {
            self.rows.swap(i * self.d + k, j * self.d + k);
        }
        self.sq_norms.swap(i, j);
        self.diagonal.swap(i, j);
    }
}

/// `k`, or `k` rounded to the nearest f32 (libsvm's storage).
fn round(k: f64, f32_values: bool) -> f64 {
    if f32_values {
        k as f32 as f64
    } else {
        k
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// `K(x, u)` with the rbf distance in GEMM form (clamped at 0).
fn kernel_entry(kernel: Kernel, x: &[f64], u: &[f64], x_sq: f64, u_sq: f64) -> f64 {
    match kernel {
        Kernel::Rbf { gamma } => (-gamma * (x_sq + u_sq - 2.0 * dot(x, u)).max(0.0)).exp(),
        Kernel::Laplacian { gamma } => {
            (-gamma * x.iter().zip(u).map(|(a, b)| (a - b).abs()).sum::<f64>()).exp()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    fn data() -> Array2<f64> {
        Array2::from_shape_fn((7, 3), |(i, k)| ((i * 3 + k) as f64 * 0.37).sin())
    }

    #[test]
    fn columns_match_the_plain_kernel_after_swaps() {
        for kernel in [Kernel::Rbf { gamma: 0.7 }, Kernel::Laplacian { gamma: 0.4 }] {
            let x = data();
            // a tiny budget forces evictions
            let mut q = OneClassQ::new(kernel, false, x.view(), 0);
            let mut order: Vec<usize> = (0..7).collect();
            for (a, b) in [(1, 5), (0, 6), (2, 2), (3, 4)] {
                q.column(a, 7);
                q.column(b, 6);
                q.swap_index(a, b);
                order.swap(a, b);
                for i in 0..7 {
                    let col = q.column(i, 7).to_vec();
                    for j in 0..7 {
                        let plain = kernel.eval(
                            x.row(order[i]).as_slice().unwrap(),
                            x.row(order[j]).as_slice().unwrap(),
                        );
                        assert!((col[j] - plain).abs() < 1e-14, "{kernel:?} {i} {j}");
                    }
                    assert_eq!(q.diagonal()[i], col[i]);
                }
            }
        }
    }
}
