//! `neon-path`, the k-means path rule (the first part of the default, `neon-spread`): it
//! matches the independent NumPy oracle (scripts/neon_oracle_kmeans_path.py), conserves the logit on every row (near boundaries, at centroids, at the reference, far
//! away, for a chosen cluster), and keeps the numerators' ranking where their sum is unusable.

use crate::common::*;
use ndarray::Axis;
use neuralize::{load_model, Beta, Explainer, KMeans, Method, RuleSet};

pub const KMEANS_FIXTURES: &[&str] = &[
    "kmeans_iris",
    "kmeans_wine",
    "kmeans_digits",
    "kmeans_blobs",
];

#[test]
fn neon_path_at_auto_matches_the_oracle() {
    for name in KMEANS_FIXTURES {
        let model = load_model(model_path(name)).unwrap();
        let explainer = Explainer::new(&model);
        let x = input_rows(name);
        let named = Method::rule_set(RuleSet::NeonPath).with_beta(Beta::Auto);
        assert_eq!(named.to_string(), "neon-path@auto", "{name}");
        let e = explainer.explain(x.view(), &named).unwrap();
        let expected = read_table(&fixture_path(name, "expected_path.csv"));
        assert_eq!(expected.values.dim().0, x.nrows(), "{name}: rows");
        let neuralize::Prediction::Labels(labels) = &e.prediction else {
            panic!("{name}: k-means predicts clusters")
        };
        for (r, (&label, &b)) in labels.iter().zip(&expected.values.column(0)).enumerate() {
            assert_eq!(label as f64, b, "{name}: cluster of row {r}");
        }
        assert_matches_oracle(&e, &expected, name);
    }
}

/// Rows far from the model, at the reference, at every centroid and on the boundary between
/// two centroids, at soft and stiff betas, for the assigned and for a chosen cluster.
#[test]
fn neon_path_conserves_everywhere_on_kmeans() {
    assert_conserves_everywhere_on_kmeans(RuleSet::NeonPath);
}

/// `rule_set` on every k-means fixture's rows, rows 30 and 1e6 times farther from the
/// reference, the reference, every centroid and the boundary of centroids 0 and 1 (a tie),
/// at soft and stiff betas, for the assigned and for a chosen cluster: finite, conserving,
/// with the forward pass's logits to the bit.
pub fn assert_conserves_everywhere_on_kmeans(rule_set: RuleSet) {
    for name in KMEANS_FIXTURES {
        let model = load_model(model_path(name)).unwrap();
        let kmeans = model.estimator::<KMeans>().unwrap();
        let explainer = Explainer::new(&model);
        let x = input_rows(name);
        let reference = explainer.reference().to_owned();
        let far = (&x - &reference) * 30.0 + &reference;
        let very_far = (&x - &reference) * 1e6 + &reference;
        let mut rows =
            ndarray::concatenate(Axis(0), &[x.view(), far.view(), very_far.view()]).unwrap();
        rows.push_row(reference.view()).unwrap();
        // The centroids live in the standardized space: bring them back to input units.
        let centroids = kmeans.centroids().to_owned();
        let scaler = model.scaler();
        let to_input = |z: ndarray::ArrayView1<f64>| match scaler {
            Some(s) => &z * &s.scale() + s.mean(),
            None => z.to_owned(),
        };
        for c in 0..centroids.nrows() {
            rows.push_row(to_input(centroids.row(c)).view()).unwrap();
        }
        let boundary = (&centroids.row(0) + &centroids.row(1)) * 0.5;
        rows.push_row(to_input(boundary.view()).view()).unwrap();
        for beta in [
            Beta::Auto,
            Beta::Value(0.01),
            Beta::Value(1.0),
            Beta::Value(1e3),
        ] {
            for cluster in [None, Some(1)] {
                let mut method = Method::rule_set(rule_set).with_beta(beta);
                if let Some(c) = cluster {
                    method = method.with_cluster(c);
                }
                let e = explainer.explain(rows.view(), &method).unwrap();
                let what = format!("{name} {method}");
                assert!(e.relevance.iter().all(|r| r.is_finite()), "{what}");
                assert_conserves(&e.relevance, e.output.as_slice().unwrap(), &what);
                let forward = explainer.forward(rows.view(), cluster).unwrap();
                for (r, (a, b)) in e.output.iter().zip(&forward.output).enumerate() {
                    assert_eq!(a.to_bits(), b.to_bits(), "{what} row {r}");
                }
            }
        }
    }
}

/// On a two-cluster model there is one contrast, so the numerators are gradient x (input -
/// reference) of the logit whatever the pooling: the ranking of gradient x input on every
/// row, also where the numerators sum to the other sign than the logit (the rest spread
/// evenly rather than a different rule).
#[test]
fn with_two_clusters_neon_path_ranks_as_gradient_x_input() {
    let centroids = ndarray::array![[0.0, 0.0, 0.0], [4.0, 1.0, -2.0]];
    let model = neuralize::Model::from(KMeans::new(centroids).unwrap());
    // A reference inside cluster 0, off the boundary: rows of cluster 0 nearer the boundary
    // than the reference have numerators summing below 0.
    let explainer = Explainer::new(&model)
        .with_reference(ndarray::array![-1.0, 0.0, 0.5])
        .unwrap();
    let x = ndarray::array![
        [-1.0, 0.5, 2.0],
        [0.5, -0.5, 0.1],
        [1.2, 0.3, -0.4],
        [5.0, 3.0, -1.0],
        [3.5, -2.0, -3.0]
    ];
    let path = explainer
        .explain(x.view(), &Method::rule_set(RuleSet::NeonPath))
        .unwrap();
    let gxi = explainer
        .explain(x.view(), &"gradient-x-input".parse().unwrap())
        .unwrap();
    let mut wrong_sign = 0;
    for r in 0..x.nrows() {
        let f = path.output[r];
        let sum: f64 = gxi.relevance.row(r).sum();
        wrong_sign += usize::from((sum > 0.0) != (f > 0.0));
        assert_close(path.relevance.row(r).sum(), f, 1e-12, "conservation");
        for i in 0..3 {
            for j in 0..3 {
                let (a, b) = (path.relevance[[r, i]], path.relevance[[r, j]]);
                let (g, h) = (gxi.relevance[[r, i]], gxi.relevance[[r, j]]);
                if (g - h).abs() > 1e-9 {
                    assert_eq!(a > b, g > h, "row {r} features {i} {j}");
                }
            }
        }
    }
    assert!(wrong_sign > 0, "no row exercises the spread of the rest");
}
