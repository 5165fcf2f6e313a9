//! Step 8: seeded k-means (k-means++ starts, Lloyd iterations, several restarts) on the
//! spectral embedding.

use super::knn::squared_distance;
use crate::rng::Rng;
use crate::{Error, Result};
use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

/// A k-means clustering.
#[derive(Debug, Clone, PartialEq)]
pub struct Clustering {
    /// The cluster of each row, `0..k`, numbered by size (largest first; ties by the
    /// smallest row index).
    pub labels: Vec<usize>,
    /// The centroids (`k × d`), in label order.
    pub centroids: Array2<f64>,
    /// `Σ_i ‖x_i - c_{label(i)}‖²`.
    pub inertia: f64,
}

/// k-means of the rows of `x` into `k` clusters: `restarts` runs, each from a k-means++
/// start (Arthur & Vassilvitskii 2007) drawn from stream `r` of `seed`, with at most
/// `max_iterations` Lloyd steps; the run of least inertia wins (the first on ties). An empty
/// cluster takes the row farthest from its centroid. Deterministic for a seed and
/// independent of the thread count (restarts and rows in parallel, sums in a fixed order).
pub fn kmeans(
    x: ArrayView2<f64>,
    k: usize,
    restarts: usize,
    max_iterations: usize,
    seed: u64,
) -> Result<Clustering> {
    let n = x.nrows();
    if k == 0 || k > n {
        return Err(Error::parameter(
            "clusters",
            format!("k-means needs 1 <= clusters <= rows, got {k} clusters for {n} rows"),
        ));
    }
    if restarts == 0 || max_iterations == 0 {
        return Err(Error::parameter(
            "restarts",
            "k-means needs at least one restart and one iteration",
        ));
    }
    super::preprocess::check_finite(x)?;
    let x = x.as_standard_layout().into_owned();
    let runs: Vec<(Vec<usize>, Array2<f64>, f64)> = (0..restarts)
        .into_par_iter()
        .map(|r| lloyd(&x, k, max_iterations, Rng::new(seed, r as u64)))
        .collect();
    let best = runs
        .into_iter()
        .reduce(|a, b| if b.2 < a.2 { b } else { a })
        .expect("at least one restart");
    Ok(relabel_by_size(best.0, best.1, best.2))
}

/// One k-means run from a k-means++ start.
fn lloyd(
    x: &Array2<f64>,
    k: usize,
    max_iterations: usize,
    mut rng: Rng,
) -> (Vec<usize>, Array2<f64>, f64) {
    let (n, d) = x.dim();
    let data = x.as_slice().expect("standard layout");
    let row = |i: usize| &data[i * d..(i + 1) * d];
    // k-means++: the first centre uniformly, then each with probability ∝ D(x)².
    let mut centroids = Array2::zeros((k, d));
    let first = rng.below(n);
    centroids.row_mut(0).assign(&x.row(first));
    let mut nearest: Vec<f64> = (0..n)
        .map(|i| squared_distance(row(i), row(first)))
        .collect();
    for c in 1..k {
        let total: f64 = nearest.iter().sum();
        let pick = if total > 0.0 {
            let target = rng.uniform() * total;
            let mut acc = 0.0;
            let mut chosen = n - 1;
            for (i, &w) in nearest.iter().enumerate() {
                acc += w;
                if acc > target {
                    chosen = i;
                    break;
                }
            }
            chosen
        } else {
            rng.below(n)
        };
        centroids.row_mut(c).assign(&x.row(pick));
        for (i, v) in nearest.iter_mut().enumerate() {
            *v = v.min(squared_distance(row(i), row(pick)));
        }
    }
    let mut labels = vec![usize::MAX; n];
    let mut distances = vec![0.0; n];
    for _ in 0..max_iterations {
        let cs = centroids.as_slice().expect("standard layout");
        let changed = labels
            .par_iter_mut()
            .zip(distances.par_iter_mut())
            .enumerate()
            .map(|(i, (label, dist))| {
                let (best, best_d) = (0..k)
                    .map(|c| (c, squared_distance(row(i), &cs[c * d..(c + 1) * d])))
                    .fold((0, f64::INFINITY), |a, b| if b.1 < a.1 { b } else { a });
                *dist = best_d;
                let changed = *label != best;
                *label = best;
                changed as usize
            })
            .sum::<usize>();
        if changed == 0 {
            break;
        }
        // Centroids: means in row order; an empty cluster takes the farthest row.
        let mut sums = Array2::<f64>::zeros((k, d));
        let mut counts = vec![0usize; k];
        for i in 0..n {
            counts[labels[i]] += 1;
            let mut s = sums.row_mut(labels[i]);
            for (a, &v) in s.iter_mut().zip(row(i)) {
                *a += v;
            }
        }
        for (c, &count) in counts.iter().enumerate() {
            if count > 0 {
                let mean = &sums.row(c) / count as f64;
                centroids.row_mut(c).assign(&mean);
            } else {
                let far = (0..n).fold(0, |a, i| if distances[i] > distances[a] { i } else { a });
                centroids.row_mut(c).assign(&x.row(far));
                distances[far] = 0.0;
            }
        }
    }
    let cs = centroids.as_slice().expect("standard layout");
    let inertia = (0..n)
        .map(|i| squared_distance(row(i), &cs[labels[i] * d..(labels[i] + 1) * d]))
        .sum();
    (labels, centroids, inertia)
}

/// Renumber clusters by size (largest first; ties by the smallest row in them); empty
/// clusters last.
fn relabel_by_size(labels: Vec<usize>, centroids: Array2<f64>, inertia: f64) -> Clustering {
    let k = centroids.nrows();
    let mut size = vec![0usize; k];
    let mut first = vec![usize::MAX; k];
    for (i, &l) in labels.iter().enumerate() {
        size[l] += 1;
        first[l] = first[l].min(i);
    }
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| size[b].cmp(&size[a]).then(first[a].cmp(&first[b])));
    let mut new_label = vec![0; k];
    for (new, &old) in order.iter().enumerate() {
        new_label[old] = new;
    }
    let centroids = Array2::from_shape_fn(centroids.dim(), |(c, j)| centroids[[order[c], j]]);
    Clustering {
        labels: labels.into_iter().map(|l| new_label[l]).collect(),
        centroids,
        inertia,
    }
}
