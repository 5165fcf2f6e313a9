//! Step 8, alternative: DBSCAN (Ester, Kriegel, Sander & Xu, KDD 1996) on the spectral
//! embedding. It finds the number of clusters itself and leaves isolated rows as noise.
//!
//! Definitions (those of scikit-learn's `DBSCAN`): the neighbourhood of row `i` is
//! `N(i) = { j : ‖x_i - x_j‖₂ ≤ eps }`, `i` itself included; `i` is a *core* row when
//! `|N(i)| ≥ min_samples`. Clusters are the connected components of the core rows, two core
//! rows being connected when each is in the other's neighbourhood. A row that is not core
//! but lies in the neighbourhood of a core row is a *border* row: it joins the cluster of the
//! core row of smallest index in its neighbourhood (a fixed rule, so the result does not
//! depend on a visiting order or on the thread count). Every other row is *noise*.

use super::knn::squared_distance;
use crate::{Error, Result};
use ndarray::ArrayView2;
use rayon::prelude::*;

/// DBSCAN of the rows of `x`: per row its cluster (`Some(c)`, clusters numbered by size,
/// largest first, ties by the smallest row in them) or `None` for noise.
///
/// O(n² d) time (brute-force neighbourhoods, rows in parallel), O(n) memory.
///
/// Errors: `eps` not a positive finite number, `min_samples` 0, or a value not finite.
pub fn dbscan(x: ArrayView2<f64>, eps: f64, min_samples: usize) -> Result<Vec<Option<usize>>> {
    validate(eps, min_samples)?;
    super::preprocess::check_finite(x)?;
    let x = x.as_standard_layout().into_owned();
    let (n, d) = x.dim();
    let data = x.as_slice().expect("standard layout");
    let row = |i: usize| &data[i * d..(i + 1) * d];
    let radius = eps * eps;
    let near = |i: usize, j: usize| squared_distance(row(i), row(j)) <= radius;
    let core: Vec<bool> = (0..n)
        .into_par_iter()
        .map(|i| (0..n).filter(|&j| near(i, j)).count() >= min_samples)
        .collect();
    // Components of the core rows, each grown from its smallest row (so cluster c's first
    // row is smaller than cluster c+1's).
    let mut label: Vec<Option<usize>> = vec![None; n];
    let mut clusters = 0;
    for start in 0..n {
        if !core[start] || label[start].is_some() {
            continue;
        }
        label[start] = Some(clusters);
        let mut stack = vec![start];
        while let Some(p) = stack.pop() {
            let reached: Vec<usize> = (0..n)
                .into_par_iter()
                .filter(|&q| core[q] && label[q].is_none() && near(p, q))
                .collect();
            for q in reached {
                label[q] = Some(clusters);
                stack.push(q);
            }
        }
        clusters += 1;
    }
    // Border rows: the cluster of the smallest core row in reach.
    let border: Vec<Option<usize>> = (0..n)
        .into_par_iter()
        .map(|i| {
            if core[i] {
                label[i]
            } else {
                (0..n)
                    .find(|&j| core[j] && near(i, j))
                    .and_then(|j| label[j])
            }
        })
        .collect();
    Ok(relabel_by_size(border, clusters))
}

/// `eps` positive and finite, `min_samples` at least 1.
pub(crate) fn validate(eps: f64, min_samples: usize) -> Result<()> {
    if !(eps.is_finite() && eps > 0.0) {
        return Err(Error::parameter(
            "eps",
            format!("must be a positive finite number, got {eps}"),
        ));
    }
    if min_samples == 0 {
        return Err(Error::parameter(
            "min_samples",
            "must be at least 1 (a row counts itself)",
        ));
    }
    Ok(())
}

/// Renumber clusters by size (largest first; ties by the smallest row in them).
fn relabel_by_size(labels: Vec<Option<usize>>, k: usize) -> Vec<Option<usize>> {
    let mut size = vec![0usize; k];
    let mut first = vec![usize::MAX; k];
    for (i, l) in labels.iter().enumerate() {
        if let Some(l) = *l {
            size[l] += 1;
            first[l] = first[l].min(i);
        }
    }
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| size[b].cmp(&size[a]).then(first[a].cmp(&first[b])));
    let mut new_label = vec![0; k];
    for (new, &old) in order.iter().enumerate() {
        new_label[old] = new;
    }
    labels
        .into_iter()
        .map(|l| l.map(|l| new_label[l]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use ndarray::Array2;

    /// The slow, obvious DBSCAN: the full distance matrix, components by repeated
    /// min-label propagation until nothing changes, borders by the smallest core row.
    fn reference(x: &Array2<f64>, eps: f64, min_samples: usize) -> Vec<Option<usize>> {
        let n = x.nrows();
        let dist: Vec<Vec<f64>> = (0..n)
            .map(|i| {
                (0..n)
                    .map(|j| {
                        let a = x.row(i).to_vec();
                        let b = x.row(j).to_vec();
                        squared_distance(&a, &b)
                    })
                    .collect()
            })
            .collect();
        let within = |i: usize, j: usize| dist[i][j] <= eps * eps;
        let core: Vec<bool> = (0..n)
            .map(|i| (0..n).filter(|&j| within(i, j)).count() >= min_samples)
            .collect();
        let mut comp: Vec<usize> = (0..n).collect();
        loop {
            let mut changed = false;
            for i in 0..n {
                for j in 0..n {
                    if core[i] && core[j] && within(i, j) && comp[j] < comp[i] {
                        comp[i] = comp[j];
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        let roots: Vec<usize> = (0..n).filter(|&i| core[i] && comp[i] == i).collect();
        let cluster_of = |i: usize| roots.iter().position(|&r| r == comp[i]);
        let labels: Vec<Option<usize>> = (0..n)
            .map(|i| {
                if core[i] {
                    cluster_of(i)
                } else {
                    (0..n)
                        .find(|&j| core[j] && within(i, j))
                        .and_then(cluster_of)
                }
            })
            .collect();
        relabel_by_size(labels, roots.len())
    }

    #[test]
    fn matches_the_reference_on_random_small_inputs() {
        for seed in 0..12u64 {
            let mut rng = Rng::new(seed, 0);
            let n = 20 + rng.below(40);
            // Three loose groups and some scattered rows.
            let x = Array2::from_shape_fn((n, 2), |(i, _)| {
                let centre = (i % 4) as f64 * 3.0;
                let spread = if i % 4 == 3 { 8.0 } else { 1.0 };
                centre + spread * (rng.uniform() - 0.5)
            });
            for (eps, min_samples) in [(0.3, 3), (0.6, 4), (1.0, 2), (0.2, 1), (5.0, 10)] {
                let fast = dbscan(x.view(), eps, min_samples).unwrap();
                assert_eq!(
                    fast,
                    reference(&x, eps, min_samples),
                    "seed {seed} eps {eps}"
                );
            }
        }
    }

    #[test]
    fn separated_groups_are_found_and_a_far_row_is_noise() {
        let mut rows = Vec::new();
        for g in 0..3 {
            for i in 0..(10 - 2 * g) {
                rows.push([10.0 * g as f64 + 0.01 * i as f64, 0.0]);
            }
        }
        rows.push([100.0, 100.0]);
        let x = Array2::from_shape_fn((rows.len(), 2), |(i, j)| rows[i][j]);
        let labels = dbscan(x.view(), 0.5, 3).unwrap();
        let expected: Vec<Option<usize>> = (0..3)
            .flat_map(|g| std::iter::repeat_n(Some(g), 10 - 2 * g))
            .chain([None])
            .collect();
        assert_eq!(labels, expected);
        // Deterministic and independent of the thread count.
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| dbscan(x.view(), 0.5, 3).unwrap());
        assert_eq!(one, labels);
    }

    #[test]
    fn bad_parameters_and_values_are_errors() {
        let x = Array2::from_shape_vec((2, 1), vec![0.0, 1.0]).unwrap();
        assert!(dbscan(x.view(), 0.0, 2).is_err());
        assert!(dbscan(x.view(), f64::NAN, 2).is_err());
        assert!(dbscan(x.view(), 1.0, 0).is_err());
        let y = Array2::from_shape_vec((2, 1), vec![0.0, f64::NAN]).unwrap();
        assert!(dbscan(y.view(), 1.0, 2).is_err());
        assert_eq!(dbscan(x.view(), 0.5, 2).unwrap(), [None, None]);
        assert_eq!(dbscan(x.view(), 1.0, 2).unwrap(), [Some(0), Some(0)]);
    }
}
