//! The k nearest stored rows of many query rows at once, Euclidean metric, by matrix
//! products, with results identical to the exact scan.
//!
//! With both sides centered on the stored mean m (`q = z - m`, `p_j = u_j - m`), the squared
//! distances of a block of queries to a block of stored rows are
//! `g_j = ‖q‖² + ‖p_j‖² - 2 q·p_j`, one matrix product (GEMM) per block. Rounding makes
//! `g_j` differ from the exact scan's `s_j = Σ_i (z_i - u_ji)²` by at most
//! `e_j = c (‖q‖² + ‖p_j‖²)`, `c = (8 D + 64) ε` (twice the worst-case bound of the dot
//! products, the norms, the centering and the exact scan's own sum). Then
//!
//! - `T`, the k-th smallest upper bound `g_j + e_j`, bounds the exact k-th smallest `s`
//!   (k rows have `s_j <= g_j + e_j <= T`), so every row of the exact k nearest has
//!   `g_j - e_j <= s_j <= T`: the candidates `g_j - e_j <= T (1 + 32 ε)` (the slack covers
//!   square roots that round two squares to the same distance) contain them;
//! - the candidates' distances are recomputed exactly (`KnnMetric::distance`, exact
//!   differences) and the k smallest by (distance, index) kept: the exact scan's result, bit
//!   for bit.
//!
//! Where the expansion cancels (a query far from every stored row: `e_j` swamps the spread
//! of the `g_j`, so most rows are candidates) or a norm is not finite, the row falls back to
//! the exact scan. Manhattan distances always use the exact scan.

use super::model::KnnMetric;
use ndarray::linalg::general_mat_mul;
use ndarray::{s, Array1, Array2, ArrayView2, Axis};

/// Query rows per matrix product (the network's chunks are 256 rows).
const QUERY_BLOCK: usize = 256;
/// Stored rows per matrix product (a 256 x 256 block of products is 512 KiB; measured best
/// of 128, 256, 512, 1024 on 2 × 10^4 rows at d = 30).
const STORED_BLOCK: usize = 256;
/// Below this many stored rows the exact scan is used (the products do not pay).
pub(super) const MIN_STORED_ROWS: usize = 64;

/// The centered stored rows, transposed for the products, and their squared norms.
#[derive(Debug, Clone)]
pub(super) struct GemmIndex {
    center: Array1<f64>,
    /// `p_j = u_j - m` as columns: features x stored rows.
    centered_t: Array2<f64>,
    /// `‖p_j‖²`.
    norms: Array1<f64>,
    /// The largest `‖p_j‖²`.
    max_norm: f64,
}

/// The k nearest of one row, `(distance, index)` sorted by distance then index.
pub(super) type Neighbours = Vec<(f64, usize)>;

/// `(distance, index)` order of the exact scan.
pub(super) fn order(a: &(f64, usize), b: &(f64, usize)) -> std::cmp::Ordering {
    a.0.total_cmp(&b.0).then(a.1.cmp(&b.1))
}

impl GemmIndex {
    /// Index the stored rows `points`; the center is their mean (0 if that overflows).
    pub(super) fn new(points: ArrayView2<f64>) -> Self {
        let mean = points.mean_axis(Axis(0)).expect("at least one row");
        let center = if mean.iter().all(|v| v.is_finite()) {
            mean
        } else {
            Array1::zeros(points.ncols())
        };
        let centered = &points - &center;
        let norms: Array1<f64> = centered
            .outer_iter()
            .map(|p| p.iter().map(|v| v * v).sum())
            .collect();
        let max_norm = norms.iter().copied().fold(0.0, f64::max);
        GemmIndex {
            center,
            centered_t: centered.t().as_standard_layout().into_owned(),
            norms,
            max_norm,
        }
    }

    /// The k nearest stored rows (`points`, the rows indexed) of every row of `z`;
    /// `exact(row)` is the exact scan used where the products cannot decide.
    pub(super) fn nearest(
        &self,
        points: ArrayView2<f64>,
        z: ArrayView2<f64>,
        k: usize,
        exact: impl Fn(&[f64]) -> Neighbours,
    ) -> Vec<Neighbours> {
        let d = z.ncols() as f64;
        let c = (8.0 * d + 64.0) * f64::EPSILON;
        let n = points.nrows();
        let mut out = Vec::with_capacity(z.nrows());
        let mut products = Array2::<f64>::zeros((QUERY_BLOCK, STORED_BLOCK));
        for start in (0..z.nrows()).step_by(QUERY_BLOCK) {
            let rows = z.slice(s![start..(start + QUERY_BLOCK).min(z.nrows()), ..]);
            let q = &rows - &self.center;
            let q_norms: Vec<f64> = q
                .outer_iter()
                .map(|r| r.iter().map(|v| v * v).sum())
                .collect();
            let usable: Vec<bool> = q_norms
                .iter()
                .map(|&nq| (4.0 * (nq + self.max_norm)).is_finite())
                .collect();
            let mut scans: Vec<Scan> = (0..rows.nrows()).map(|_| Scan::new(k)).collect();
            for from in (0..n).step_by(STORED_BLOCK) {
                let to = (from + STORED_BLOCK).min(n);
                let mut g = products.slice_mut(s![..rows.nrows(), ..to - from]);
                general_mat_mul(
                    1.0,
                    &q,
                    &self.centered_t.slice(s![.., from..to]),
                    0.0,
                    &mut g,
                );
                let norms = &self.norms.as_slice().expect("owned")[from..to];
                for (r, (scan, g)) in scans.iter_mut().zip(g.outer_iter()).enumerate() {
                    if !usable[r] {
                        continue;
                    }
                    let nq = q_norms[r];
                    let g = g.as_slice().expect("rows of the product buffer");
                    scan_block(scan, g, norms, nq, c, from);
                }
            }
            for (r, scan) in scans.into_iter().enumerate() {
                let row = rows.row(r);
                let row = row.as_slice().expect("standard layout rows");
                out.push(match scan.candidates(usable[r], n) {
                    Some(candidates) => {
                        let mut near: Neighbours = candidates
                            .into_iter()
                            .map(|j| {
                                let u = points.row(j);
                                let u = u.as_slice().expect("owned points");
                                (KnnMetric::Euclidean.distance(row, u), j)
                            })
                            .collect();
                        near.select_nth_unstable_by(k - 1, order);
                        near.truncate(k);
                        near.sort_by(order);
                        near
                    }
                    None => exact(row),
                });
            }
        }
        out
    }
}

/// Offer the stored rows `from..` of one product row `g` (`q·p_j`, norms `‖p_j‖²`) to
/// `scan`: lower bounds `(1 - c)(‖q‖² + ‖p_j‖²) - 2 q·p_j` eight at a time (vectorized), and
/// only the eights with a bound under the running limit one by one. The bounds
/// are finite: the caller only scans rows whose norms leave `4 (‖q‖² + max ‖p‖²)` finite.
fn scan_block(scan: &mut Scan, g: &[f64], norms: &[f64], nq: f64, c: f64, from: usize) {
    const LANES: usize = 8;
    let one_minus_c = 1.0 - c;
    let offer = |scan: &mut Scan, lower: f64, j: usize| {
        if lower <= scan.limit {
            let upper = lower + 2.0 * c * (nq + norms[j]);
            scan.offer(lower, upper, from + j);
        }
    };
    let whole = g.len() / LANES * LANES;
    for (block, (gs, ns)) in g[..whole]
        .chunks_exact(LANES)
        .zip(norms[..whole].chunks_exact(LANES))
        .enumerate()
    {
        let mut lowers = [0.0; LANES];
        for ((l, &dot), &pn) in lowers.iter_mut().zip(gs).zip(ns) {
            *l = (nq + pn) * one_minus_c - 2.0 * dot;
        }
        let limit = scan.limit;
        if lowers.iter().fold(false, |any, &v| any | (v <= limit)) {
            for (t, &lower) in lowers.iter().enumerate() {
                offer(scan, lower, block * LANES + t);
            }
        }
    }
    for (j, (&dot, &pn)) in g.iter().zip(norms).enumerate().skip(whole) {
        offer(scan, (nq + pn) * one_minus_c - 2.0 * dot, j);
    }
}

/// The running selection of one query row: the k smallest upper bounds seen (sorted), and
/// every row whose lower bound was within the running threshold when seen.
struct Scan {
    k: usize,
    uppers: Vec<f64>,
    seen: Vec<(f64, usize)>,
    /// `threshold() (1 + 32 ε)`: lower bounds above it are not candidates.
    limit: f64,
}

impl Scan {
    fn new(k: usize) -> Self {
        Scan {
            k,
            uppers: Vec::with_capacity(k + 1),
            seen: Vec::new(),
            limit: f64::INFINITY,
        }
    }

    /// The running threshold: the k-th smallest upper bound so far (infinite before k).
    fn threshold(&self) -> f64 {
        if self.uppers.len() < self.k {
            f64::INFINITY
        } else {
            self.uppers[self.k - 1]
        }
    }

    /// Record row `j` (its lower bound is within the running limit, or NaN) and lower the
    /// threshold if its upper bound is among the k smallest.
    fn offer(&mut self, lower: f64, upper: f64, j: usize) {
        self.seen.push((lower, j));
        if upper < self.threshold() {
            let at = self.uppers.partition_point(|&u| u <= upper);
            self.uppers.insert(at, upper);
            self.uppers.truncate(self.k);
            self.limit = self.threshold() * (1.0 + 32.0 * f64::EPSILON);
        }
    }

    /// The candidates under the final threshold, or `None` to fall back to the exact scan
    /// (the row is not usable, a bound is not a number, or more than half the stored rows
    /// are candidates).
    fn candidates(self, usable: bool, n: usize) -> Option<Vec<usize>> {
        let limit = self.limit;
        if !usable || !limit.is_finite() {
            return None;
        }
        let mut nan = false;
        let candidates: Vec<usize> = self
            .seen
            .iter()
            .filter(|&&(lower, _)| {
                nan |= lower.is_nan();
                lower <= limit
            })
            .map(|&(_, j)| j)
            .collect();
        (!nan && candidates.len() >= self.k && candidates.len() * 2 <= n).then_some(candidates)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain reference: every distance, a full sort by (distance, index).
    fn scan(points: ArrayView2<f64>, row: &[f64], k: usize) -> Neighbours {
        let mut d: Neighbours = points
            .outer_iter()
            .enumerate()
            .map(|(j, u)| (KnnMetric::Euclidean.distance(row, u.as_slice().unwrap()), j))
            .collect();
        d.sort_by(order);
        d.truncate(k);
        d
    }

    /// A small deterministic generator of values in [0, 1).
    fn uniform(state: &mut u64) -> f64 {
        *state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*state >> 11) as f64 / (1u64 << 53) as f64
    }

    fn check(points: &Array2<f64>, queries: &Array2<f64>, k: usize) -> usize {
        let index = GemmIndex::new(points.view());
        let fallbacks = std::cell::Cell::new(0);
        let got = index.nearest(points.view(), queries.view(), k, |row| {
            fallbacks.set(fallbacks.get() + 1);
            scan(points.view(), row, k)
        });
        for (r, near) in got.iter().enumerate() {
            let want = scan(points.view(), queries.row(r).as_slice().unwrap(), k);
            let bits =
                |n: &Neighbours| n.iter().map(|&(d, j)| (d.to_bits(), j)).collect::<Vec<_>>();
            assert_eq!(bits(near), bits(&want), "row {r}, k {k}");
        }
        fallbacks.get()
    }

    #[test]
    fn products_give_the_exact_scan_bit_for_bit() {
        let mut state = 7;
        let (n, d) = (700, 6);
        // Rounded coordinates: many equal distances, and repeated rows.
        let mut points = Array2::from_shape_fn((n, d), |_| (uniform(&mut state) * 8.0).round());
        for j in 0..50 {
            let row = points.row(j).to_owned();
            points.row_mut(n - 1 - j).assign(&row);
        }
        let mut queries = Array2::from_shape_fn((150, d), |_| uniform(&mut state) * 8.0);
        queries.row_mut(0).assign(&points.row(3));
        queries.row_mut(1).fill(4.0);
        for k in [1, 5, 40, n] {
            check(&points, &queries, k);
        }
        // Shifted far from the origin: centering keeps the products exact enough.
        let offset = 1e8;
        let fallbacks = check(&(&points + offset), &(&queries + offset), 5);
        assert_eq!(fallbacks, 0, "centered products decide every row");
        // Rows 1e3 and 1e150 away, and huge stored rows: exact (fallback) and finite.
        let mut far = queries.slice(s![..4, ..]).to_owned();
        far.row_mut(0).mapv_inplace(|v| v + 1e3);
        far.row_mut(1).mapv_inplace(|v| v + 1e150);
        far.row_mut(2).mapv_inplace(|v| v - 1e150);
        far.row_mut(3).fill(1e300);
        let fallbacks = check(&points, &far, 5);
        assert!(fallbacks >= 3, "the far rows fall back ({fallbacks})");
        let index = GemmIndex::new(points.view());
        let got = index.nearest(points.view(), far.view(), 5, |row| {
            scan(points.view(), row, 5)
        });
        assert!(got.iter().flatten().all(|n| n.0.is_finite()));
        let mut huge = points.clone();
        huge.row_mut(10).fill(1e200);
        check(&huge, &queries, 3);
    }
}
