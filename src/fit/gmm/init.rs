//! The starting responsibilities of one EM run, as scikit-learn's `init_params="kmeans"`:
//! k-means++ seeding (greedy: `2 + ln K` candidates per step, the one that lowers the
//! potential `sum_i min_k ‖z_i - c_k‖²` most), Lloyd iterations until the assignment stops
//! changing, then one-hot responsibilities of the final assignment.

use crate::rng::Rng;
use ndarray::{Array2, ArrayView1, ArrayView2};

/// Lloyd iterations at most (scikit-learn's k-means default).
const LLOYD_MAX_ITER: usize = 300;

/// `‖a - b‖²` from exact differences.
fn squared_distance(a: ArrayView1<f64>, b: ArrayView1<f64>) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// Greedy k-means++ centers (rows of `z`), seeded by `rng`.
fn seeds(z: ArrayView2<f64>, k: usize, rng: &mut Rng) -> Array2<f64> {
    let n = z.nrows();
    let trials = 2 + (k as f64).ln() as usize;
    let mut centers = Array2::zeros((k, z.ncols()));
    let first = rng.below(n);
    centers.row_mut(0).assign(&z.row(first));
    let mut closest: Vec<f64> = z
        .outer_iter()
        .map(|row| squared_distance(row, z.row(first)))
        .collect();
    for c in 1..k {
        let potential: f64 = closest.iter().sum();
        let mut best: Option<(f64, usize, Vec<f64>)> = None;
        for _ in 0..trials {
            let candidate = if potential > 0.0 {
                // Draw with probability proportional to the squared distance.
                let target = rng.uniform() * potential;
                let mut acc = 0.0;
                closest
                    .iter()
                    .position(|&d| {
                        acc += d;
                        acc > target
                    })
                    .unwrap_or(n - 1)
            } else {
                rng.below(n)
            };
            let updated: Vec<f64> = z
                .outer_iter()
                .zip(&closest)
                .map(|(row, &d)| d.min(squared_distance(row, z.row(candidate))))
                .collect();
            let total: f64 = updated.iter().sum();
            if best.as_ref().is_none_or(|b| total < b.0) {
                best = Some((total, candidate, updated));
            }
        }
        let (_, chosen, updated) = best.expect("at least two trials");
        centers.row_mut(c).assign(&z.row(chosen));
        closest = updated;
    }
    centers
}

/// The nearest center of every row (ties to the lower index).
fn assign(z: ArrayView2<f64>, centers: ArrayView2<f64>) -> Vec<usize> {
    z.outer_iter()
        .map(|row| {
            let mut best = (f64::INFINITY, 0);
            for (c, center) in centers.outer_iter().enumerate() {
                let d = squared_distance(row, center);
                if d < best.0 {
                    best = (d, c);
                }
            }
            best.1
        })
        .collect()
}

/// One-hot responsibilities (rows x K) of k-means++ seeding followed by Lloyd iterations.
/// An emptied cluster keeps its previous center.
pub(super) fn kmeans_responsibilities(z: ArrayView2<f64>, k: usize, rng: &mut Rng) -> Array2<f64> {
    let mut centers = seeds(z, k, rng);
    let mut labels = assign(z, centers.view());
    for _ in 0..LLOYD_MAX_ITER {
        let mut sums = Array2::<f64>::zeros(centers.raw_dim());
        let mut counts = vec![0usize; k];
        for (row, &c) in z.outer_iter().zip(&labels) {
            sums.row_mut(c).scaled_add(1.0, &row);
            counts[c] += 1;
        }
        for (c, &count) in counts.iter().enumerate() {
            if count > 0 {
                let mean = &sums.row(c) / count as f64;
                centers.row_mut(c).assign(&mean);
            }
        }
        let next = assign(z, centers.view());
        if next == labels {
            break;
        }
        labels = next;
    }
    let mut resp = Array2::zeros((z.nrows(), k));
    for (i, &c) in labels.iter().enumerate() {
        resp[[i, c]] = 1.0;
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn separated_groups_get_their_own_cluster() {
        let z = array![
            [0.0, 0.0],
            [0.1, 0.0],
            [10.0, 10.0],
            [10.0, 10.1],
            [-9.0, 5.0]
        ];
        for seed in 0..20 {
            let resp = kmeans_responsibilities(z.view(), 3, &mut Rng::new(seed, 0));
            let label = |i: usize| resp.row(i).iter().position(|&v| v == 1.0).unwrap();
            assert_eq!(label(0), label(1), "seed {seed}");
            assert_eq!(label(2), label(3), "seed {seed}");
            let mut distinct = vec![label(0), label(2), label(4)];
            distinct.sort_unstable();
            distinct.dedup();
            assert_eq!(distinct.len(), 3, "seed {seed}");
            assert!(resp.sum_axis(ndarray::Axis(1)).iter().all(|&s| s == 1.0));
        }
    }
}
