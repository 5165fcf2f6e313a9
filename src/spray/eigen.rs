//! Step 5: the smallest eigenpairs of the normalized Laplacian `L = I - M`.
//!
//! The smallest eigenvalues of `L` are `1 - μ` for the largest (algebraic) eigenvalues `μ`
//! of `M`, whose spectrum lies in [-1, 1]. The sparse solver is a **Chebyshev-filtered
//! subspace iteration** (Zhou & Saad 2007) on a block of `b = p + max(8, p/2)` vectors:
//!
//! 1. Rayleigh–Ritz: `H = Xᵀ M X` (b × b, solved densely by nalgebra), `X ← X W`, Ritz
//!    values `μ_1 >= ... >= μ_b`; stop when the `p` wanted residuals `‖M x_j - μ_j x_j‖`
//!    are all at most the tolerance.
//! 2. Filter: `X ← T_m((M - c I)/e) X` with the Chebyshev polynomial `T_m` mapping the
//!    unwanted interval `[-1, μ_b]` into [-1, 1] (`c = (μ_b - 1)/2`, `e = (μ_b + 1)/2`),
//!    so that components above `μ_b` grow like `cosh(m · acosh(t))`, `t = (μ - c)/e`.
//!    The degree `m` is limited so that the growth at `μ = 1` stays below 1e6: the filtered
//!    block stays well conditioned.
//! 3. Orthonormalize the block (SVQB, Stathopoulos & Wu 2002: `G = XᵀX`, column scaling,
//!    the eigendecomposition of the scaled `G`, twice), then back to 1.
//!
//! A block method finds repeated eigenvalues (one per connected component of the graph at
//! `λ = 0`) with all their multiplicity, which a single-vector Lanczos does not. Memory is
//! O(n b) for the block and O(b²) for the dense problems; each pass costs `m` sparse block
//! products, O(m · nnz · b), and O(n b²) for the orthonormalization.

use super::{Eigensolver, SparseSymmetric};
use crate::rng::Rng;
use crate::{Error, Result};
use nalgebra::{DMatrix, SymmetricEigen};
use ndarray::{s, Array1, Array2, ArrayView2, Axis};

/// Graphs of at most this many rows are solved densely under [`Eigensolver::Auto`].
pub const DENSE_LIMIT: usize = 500;

/// Passes of the filtered subspace iteration at most before giving up.
const MAX_PASSES: usize = 2_000;

/// The largest growth `T_m(t)` allowed at the top of the spectrum in one filter.
const MAX_GROWTH: f64 = 1e6;

/// The highest upper end of the damped interval of the filter.
const MAX_CUT: f64 = 0.999;

/// The largest Chebyshev degree of one filter.
const MAX_DEGREE: usize = 40;

/// The smallest eigenpairs of `L = I - M`.
#[derive(Debug, Clone, PartialEq)]
pub struct Eigenpairs {
    /// Eigenvalues of `L`, ascending (in [0, 2]).
    pub values: Array1<f64>,
    /// Unit eigenvectors, one per column (`n × p`), in the order of `values`; each is signed
    /// so that its entry of largest magnitude (first such row) is positive.
    pub vectors: Array2<f64>,
    /// `‖L v_j - λ_j v_j‖₂` of each pair.
    pub residuals: Vec<f64>,
    /// Filter passes of the sparse solver (0 for the dense one).
    pub passes: usize,
}

/// The `count` smallest eigenpairs of `L = I - M` for a normalized affinity `m`
/// ([`normalized_affinity`](super::normalized_affinity)); `count` is capped at `n`.
///
/// `tolerance` bounds the residual `‖L v - λ v‖₂` of the sparse solver; `seed` fixes its
/// random start block (results do not depend on the thread count). An error if the sparse
/// solver does not reach the tolerance.
pub fn smallest_eigenpairs(
    m: &SparseSymmetric,
    count: usize,
    solver: Eigensolver,
    tolerance: f64,
    seed: u64,
) -> Result<Eigenpairs> {
    let n = m.n();
    let count = count.min(n);
    if count == 0 {
        return Err(Error::parameter("eigenvalues", "must be at least 1"));
    }
    let block = block_size(count, n);
    let dense = match solver {
        Eigensolver::Dense => true,
        Eigensolver::Sparse => false,
        Eigensolver::Auto => n <= DENSE_LIMIT || 4 * block > n,
    };
    let (mu, vectors, passes) = if dense {
        let (mu, vectors) = dense_top(m, count);
        (mu, vectors, 0)
    } else {
        if block >= n {
            return Err(Error::parameter(
                "eigenvalues",
                format!("the sparse solver needs a block of {block} vectors, fewer than the {n} rows; use the dense solver"),
            ));
        }
        filtered_subspace_iteration(m, count, block, tolerance, seed)?
    };
    let mut vectors = vectors;
    for mut v in vectors.axis_iter_mut(Axis(1)) {
        let mut top = 0;
        for (i, x) in v.iter().enumerate() {
            if x.abs() > v[top].abs() {
                top = i;
            }
        }
        if v[top] < 0.0 {
            v.mapv_inplace(|x| -x);
        }
    }
    let residuals = residual_norms(m, vectors.view(), &mu);
    Ok(Eigenpairs {
        values: mu.iter().map(|&u| 1.0 - u).collect(),
        vectors,
        residuals,
        passes,
    })
}

/// The block size of the sparse solver for `count` wanted pairs: `count + max(8, count/2)`,
/// at most `n`.
fn block_size(count: usize, n: usize) -> usize {
    (count + (count / 2).max(8)).min(n)
}

/// `‖M v_j - μ_j v_j‖₂` for each column (equal to `‖L v_j - λ_j v_j‖₂`).
fn residual_norms(m: &SparseSymmetric, v: ArrayView2<f64>, mu: &[f64]) -> Vec<f64> {
    let v = v.as_standard_layout().into_owned();
    let mut mv = Array2::zeros(v.dim());
    m.multiply_block(v.view(), mv.view_mut());
    (0..mu.len())
        .map(|j| {
            let r = &mv.column(j) - &(&v.column(j) * mu[j]);
            r.dot(&r).sqrt()
        })
        .collect()
}

/// The `count` largest eigenpairs of `M` from its full dense eigendecomposition.
fn dense_top(m: &SparseSymmetric, count: usize) -> (Vec<f64>, Array2<f64>) {
    let n = m.n();
    let dense = m.to_dense();
    let matrix = DMatrix::from_fn(n, n, |i, j| 0.5 * (dense[[i, j]] + dense[[j, i]]));
    let (values, vectors) = sorted_eigen(matrix);
    let mu = values[..count].to_vec();
    let out = Array2::from_shape_fn((n, count), |(i, j)| vectors[(i, j)]);
    (mu, out)
}

/// The eigendecomposition of a symmetric matrix, eigenvalues descending (ties in the
/// solver's order), eigenvectors as columns in the same order.
fn sorted_eigen(matrix: DMatrix<f64>) -> (Vec<f64>, DMatrix<f64>) {
    let n = matrix.nrows();
    let eigen = SymmetricEigen::new(matrix);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        eigen.eigenvalues[b]
            .total_cmp(&eigen.eigenvalues[a])
            .then(a.cmp(&b))
    });
    let values = order.iter().map(|&j| eigen.eigenvalues[j]).collect();
    let vectors = DMatrix::from_fn(n, n, |i, j| eigen.eigenvectors[(i, order[j])]);
    (values, vectors)
}

/// Chebyshev-filtered subspace iteration for the `count` largest eigenpairs of `m`.
fn filtered_subspace_iteration(
    m: &SparseSymmetric,
    count: usize,
    block: usize,
    tolerance: f64,
    seed: u64,
) -> Result<(Vec<f64>, Array2<f64>, usize)> {
    let n = m.n();
    let mut rng = Rng::new(seed, 0x05EC_70A1);
    let mut x = Array2::from_shape_simple_fn((n, block), || 2.0 * rng.uniform() - 1.0);
    orthonormalize(&mut x, &mut rng);
    let mut mx = Array2::zeros((n, block));
    let mut scratch = (Array2::zeros((n, block)), Array2::zeros((n, block)));
    let mut worst = f64::INFINITY;
    for pass in 0..MAX_PASSES {
        // Rayleigh–Ritz.
        m.multiply_block(x.view(), mx.view_mut());
        let h = x.t().dot(&mx);
        let (mu, w) = sorted_eigen(DMatrix::from_fn(block, block, |i, j| {
            0.5 * (h[[i, j]] + h[[j, i]])
        }));
        let w = Array2::from_shape_fn((block, block), |(i, j)| w[(i, j)]);
        x = standard(x.dot(&w));
        mx = standard(mx.dot(&w));
        worst = (0..count)
            .map(|j| {
                let r = &mx.column(j) - &(&x.column(j) * mu[j]);
                r.dot(&r).sqrt()
            })
            .fold(0.0, f64::max);
        if worst <= tolerance {
            let vectors = x.slice(s![.., ..count]).to_owned();
            return Ok((mu[..count].to_vec(), vectors, pass));
        }
        // Filter on the unwanted interval [-1, μ_b]. With more connected components than
        // the block has vectors, every Ritz value is 1 and a filter on [-1, 1] would damp
        // nothing: the cut stays at most MAX_CUT, so that μ = 1 still grows.
        let cut = mu[block - 1].clamp(-1.0, MAX_CUT);
        let (c, e) = ((cut - 1.0) / 2.0, (cut + 1.0) / 2.0);
        let degree = chebyshev_degree((1.0 - c) / e);
        chebyshev_filter(m, &mut x, &mut scratch, degree, c, e);
        orthonormalize(&mut x, &mut rng);
    }
    Err(Error::parameter(
        "eigenvalues",
        format!(
            "the eigensolver did not reach the tolerance {tolerance:e} in {MAX_PASSES} passes (largest residual {worst:e}); ask for fewer eigenvalues or a larger tolerance"
        ),
    ))
}

/// The degree `m` with `T_m(t) <= MAX_GROWTH` at the top of the spectrum, in 2..=MAX_DEGREE.
fn chebyshev_degree(t: f64) -> usize {
    if t.is_nan() || t <= 1.0 + 1e-12 || t.is_infinite() {
        return MAX_DEGREE;
    }
    let per_degree = t.acosh();
    ((2.0 * MAX_GROWTH).ln() / per_degree)
        .floor()
        .clamp(2.0, MAX_DEGREE as f64) as usize
}

/// `x ← T_m((M - c I)/e) x` by the three-term recurrence
/// `Y_{j+1} = 2 (M Y_j - c Y_j)/e - Y_{j-1}`, `Y_0 = x`, `Y_1 = (M x - c x)/e`.
fn chebyshev_filter(
    m: &SparseSymmetric,
    x: &mut Array2<f64>,
    scratch: &mut (Array2<f64>, Array2<f64>),
    degree: usize,
    c: f64,
    e: f64,
) {
    let (previous, next) = scratch;
    // previous = Y_0 = x; x becomes Y_1.
    previous.assign(x);
    m.multiply_block(previous.view(), next.view_mut());
    ndarray::Zip::from(&mut *x)
        .and(&*next)
        .and(&*previous)
        .for_each(|y, &mv, &v| *y = (mv - c * v) / e);
    for _ in 1..degree {
        m.multiply_block(x.view(), next.view_mut());
        // next = 2 (M x - c x)/e - previous
        ndarray::Zip::from(&mut *next)
            .and(&*x)
            .and(&*previous)
            .for_each(|out, &v, &p| *out = 2.0 * (*out - c * v) / e - p);
        std::mem::swap(previous, x);
        std::mem::swap(x, next);
    }
}

/// An array in standard (row-major) layout.
fn standard(a: Array2<f64>) -> Array2<f64> {
    if a.is_standard_layout() {
        a
    } else {
        a.as_standard_layout().into_owned()
    }
}

/// Orthonormalize the columns of `x` in place (SVQB twice, Stathopoulos & Wu 2002): with
/// `G = XᵀX`, `D = diag(G)^-1/2`, `D G D = U Θ Uᵀ`: `X ← X D U Θ^-1/2`, where eigenvalues
/// below `1e-14 · θ_max` are raised to it. A column that has vanished is replaced by a
/// random one first.
pub(crate) fn orthonormalize(x: &mut Array2<f64>, rng: &mut Rng) {
    let b = x.ncols();
    for _ in 0..3 {
        let mut g = x.t().dot(&*x);
        let top = (0..b).map(|j| g[[j, j]]).fold(0.0, f64::max);
        let mut replaced = false;
        for j in 0..b {
            let norm = g[[j, j]];
            if norm.is_nan() || norm <= 1e-24 * top || norm.is_infinite() {
                x.column_mut(j).mapv_inplace(|_| 2.0 * rng.uniform() - 1.0);
                replaced = true;
            }
        }
        if replaced {
            g = x.t().dot(&*x);
        }
        let scale: Vec<f64> = (0..b).map(|j| 1.0 / g[[j, j]].sqrt()).collect();
        let scaled = DMatrix::from_fn(b, b, |i, j| {
            scale[i] * 0.5 * (g[[i, j]] + g[[j, i]]) * scale[j]
        });
        let eigen = SymmetricEigen::new(scaled);
        let theta_max = eigen.eigenvalues.iter().fold(0.0_f64, |a, &t| a.max(t));
        let floor = 1e-14 * theta_max;
        let transform = Array2::from_shape_fn((b, b), |(i, j)| {
            scale[i] * eigen.eigenvectors[(i, j)] / eigen.eigenvalues[j].max(floor).sqrt()
        });
        *x = standard(x.dot(&transform));
        let g = x.t().dot(&*x);
        let off = g
            .indexed_iter()
            .map(|((i, j), &v)| (v - if i == j { 1.0 } else { 0.0 }).abs())
            .fold(0.0, f64::max);
        if off < 1e-13 {
            break;
        }
    }
}
