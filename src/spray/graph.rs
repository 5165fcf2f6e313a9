//! Steps 3 and 4: the symmetric kNN affinity `A = (B + Bᵀ)/2` (B the binary directed kNN
//! graph) and the normalized affinity `M = D^-1/2 A D^-1/2`, as sparse matrices.

use super::Neighbors;
use ndarray::{Array2, ArrayView2, ArrayViewMut2};
use rayon::prelude::*;

/// A sparse symmetric `n × n` matrix in compressed sparse rows (column indices ascending in
/// each row). Memory O(non-zeros); a kNN affinity has at most `2 n k` of them.
#[derive(Debug, Clone, PartialEq)]
pub struct SparseSymmetric {
    n: usize,
    indptr: Vec<usize>,
    indices: Vec<usize>,
    values: Vec<f64>,
}

impl SparseSymmetric {
    /// The number of rows (= columns).
    pub fn n(&self) -> usize {
        self.n
    }

    /// The number of stored non-zeros.
    pub fn nnz(&self) -> usize {
        self.values.len()
    }

    /// Row `i`: its column indices (ascending) and values.
    pub fn row(&self, i: usize) -> (&[usize], &[f64]) {
        let range = self.indptr[i]..self.indptr[i + 1];
        (&self.indices[range.clone()], &self.values[range])
    }

    /// Entry `(i, j)` (0 when not stored).
    pub fn get(&self, i: usize, j: usize) -> f64 {
        let (cols, vals) = self.row(i);
        cols.binary_search(&j).map_or(0.0, |p| vals[p])
    }

    /// Row sums `D_ii = Σ_j A_ij`.
    pub fn row_sums(&self) -> Vec<f64> {
        (0..self.n).map(|i| self.row(i).1.iter().sum()).collect()
    }

    /// The dense `n × n` matrix: for tests and small graphs only (O(n²) memory).
    pub fn to_dense(&self) -> Array2<f64> {
        let mut dense = Array2::zeros((self.n, self.n));
        for i in 0..self.n {
            let (cols, vals) = self.row(i);
            for (&j, &v) in cols.iter().zip(vals) {
                dense[[i, j]] = v;
            }
        }
        dense
    }

    /// `y = S x` for a block `x` of `n × b` (both in standard layout), rows in parallel; each
    /// output row is summed in a fixed order, so the result does not depend on the threads.
    pub fn multiply_block(&self, x: ArrayView2<f64>, mut y: ArrayViewMut2<f64>) {
        assert_eq!(x.nrows(), self.n);
        assert_eq!(y.dim(), x.dim());
        let b = x.ncols();
        let xs = x.to_slice().expect("standard layout");
        let ys = y.as_slice_mut().expect("standard layout");
        ys.par_chunks_mut(b.max(1))
            .enumerate()
            .for_each(|(i, out)| {
                out.iter_mut().for_each(|v| *v = 0.0);
                let (cols, vals) = self.row(i);
                for (&j, &w) in cols.iter().zip(vals) {
                    let xj = &xs[j * b..(j + 1) * b];
                    for (o, &v) in out.iter_mut().zip(xj) {
                        *o += w * v;
                    }
                }
            });
    }
}

/// The symmetric binary kNN affinity `A = (B + Bᵀ)/2`, `B_ij = 1` iff `j` is one of the `k`
/// nearest neighbours of `i`. Entries are 1 (mutual neighbours), 0.5 (one-sided) or 0; the
/// diagonal is 0. Every row sum is at least `k/2`.
pub fn knn_affinity(neighbors: &Neighbors) -> SparseSymmetric {
    let n = neighbors.n_rows();
    // Bᵀ by rows: `incoming[i]` = the rows that have i as a neighbour, ascending.
    let mut in_count = vec![0usize; n + 1];
    for &j in &neighbors.indices {
        in_count[j + 1] += 1;
    }
    for i in 0..n {
        in_count[i + 1] += in_count[i];
    }
    let mut incoming = vec![0usize; neighbors.indices.len()];
    let mut fill = in_count.clone();
    for i in 0..n {
        for &j in neighbors.of(i) {
            incoming[fill[j]] = i;
            fill[j] += 1;
        }
    }
    let mut indptr = Vec::with_capacity(n + 1);
    indptr.push(0);
    let mut indices = Vec::with_capacity(2 * neighbors.indices.len());
    let mut values = Vec::with_capacity(2 * neighbors.indices.len());
    let mut out: Vec<usize> = Vec::with_capacity(neighbors.k);
    for i in 0..n {
        out.clear();
        out.extend_from_slice(neighbors.of(i));
        out.sort_unstable();
        let inc = &incoming[in_count[i]..in_count[i + 1]];
        // Merge two ascending lists; a column in both is a mutual edge (0.5 + 0.5).
        let (mut p, mut q) = (0, 0);
        while p < out.len() || q < inc.len() {
            let (column, value) = match (out.get(p), inc.get(q)) {
                (Some(&a), Some(&c)) if a == c => {
                    p += 1;
                    q += 1;
                    (a, 1.0)
                }
                (Some(&a), Some(&c)) if a < c => {
                    p += 1;
                    (a, 0.5)
                }
                (Some(&a), None) => {
                    p += 1;
                    (a, 0.5)
                }
                (_, Some(&c)) => {
                    q += 1;
                    (c, 0.5)
                }
                (None, None) => unreachable!(),
            };
            indices.push(column);
            values.push(value);
        }
        indptr.push(indices.len());
    }
    SparseSymmetric {
        n,
        indptr,
        indices,
        values,
    }
}

/// The normalized affinity `M = D^-1/2 A D^-1/2`, `D = diag(Σ_j A_ij)`, with the same
/// sparsity as `A`. Its eigenvalues lie in [-1, 1]; `L = I - M` is the symmetric normalized
/// Laplacian, whose multiplicity of the eigenvalue 0 is the number of connected components.
/// A row with zero sum (not possible for a kNN affinity) is left zero.
pub fn normalized_affinity(a: &SparseSymmetric) -> SparseSymmetric {
    let scale: Vec<f64> = a
        .row_sums()
        .iter()
        .map(|&d| if d > 0.0 { 1.0 / d.sqrt() } else { 0.0 })
        .collect();
    let mut m = a.clone();
    for i in 0..a.n {
        for p in a.indptr[i]..a.indptr[i + 1] {
            m.values[p] = scale[i] * a.values[p] * scale[a.indices[p]];
        }
    }
    m
}
