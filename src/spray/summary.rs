//! Step 9: what each cluster is: its size, mean relevance, mean input and prototype rows.

use super::knn::squared_distance;
use ndarray::{Array2, ArrayView2};

/// One cluster of a SpRAy run.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ClusterSummary {
    /// The cluster's label.
    pub cluster: usize,
    /// Its number of rows.
    pub size: usize,
    /// The mean of its (unpreprocessed) relevance rows, per feature.
    pub mean_relevance: Vec<f64>,
    /// The mean of its input rows, per feature, when inputs were given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean_input: Option<Vec<f64>>,
    /// Its rows closest to its centroid in the spectral embedding, closest first (ties by
    /// row index): the rows to look at first.
    pub prototypes: Vec<usize>,
}

/// The summaries of clusters `0..k` of `labels`: `relevance` and `input` are the rows as
/// given (n × d), `embedding` and `centroids` the space k-means ran in; `prototypes` rows per
/// cluster at most.
pub fn summarize(
    labels: &[usize],
    relevance: ArrayView2<f64>,
    input: Option<ArrayView2<f64>>,
    embedding: ArrayView2<f64>,
    centroids: ArrayView2<f64>,
    prototypes: usize,
) -> Vec<ClusterSummary> {
    let k = centroids.nrows();
    let mean_of = |rows: ArrayView2<f64>, c: usize, size: usize| -> Vec<f64> {
        let mut sum = vec![0.0; rows.ncols()];
        for (i, &l) in labels.iter().enumerate() {
            if l == c {
                for (s, &v) in sum.iter_mut().zip(rows.row(i)) {
                    *s += v;
                }
            }
        }
        sum.iter().map(|s| s / size.max(1) as f64).collect()
    };
    let embedding: Array2<f64> = embedding.as_standard_layout().into_owned();
    (0..k)
        .map(|c| {
            let size = labels.iter().filter(|&&l| l == c).count();
            let centroid = centroids.row(c).to_vec();
            let mut members: Vec<(f64, usize)> = labels
                .iter()
                .enumerate()
                .filter(|(_, &l)| l == c)
                .map(|(i, _)| {
                    let e = embedding.row(i);
                    (
                        squared_distance(e.as_slice().expect("standard layout"), &centroid),
                        i,
                    )
                })
                .collect();
            members.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            ClusterSummary {
                cluster: c,
                size,
                mean_relevance: mean_of(relevance, c, size),
                mean_input: input.map(|x| mean_of(x, c, size)),
                prototypes: members.iter().take(prototypes).map(|m| m.1).collect(),
            }
        })
        .collect()
}
