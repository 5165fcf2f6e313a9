//! `neon-spread` (k-means: `neon-path` mixed per row with the split under the soft-min
//! weights nearer the row), the k-means default at `auto`: it is what the default method
//! runs, matches its independent NumPy oracle (scripts/neon_oracle_kmeans_spread.py), conserves everywhere (far away, at the reference,
//! at centroids, on ties), gives the same bits on any thread count, keeps `neon-path` where a
//! row's relevance is concentrated, and is refused on other families.

use crate::common::*;
use crate::kmeans_path::{assert_conserves_everywhere_on_kmeans, KMEANS_FIXTURES};
use neuralize::{load_model, Beta, Explainer, Method, RuleSet};

#[test]
fn the_kmeans_default_is_neon_spread_at_auto_and_matches_its_oracle_within_1e_10() {
    for name in KMEANS_FIXTURES {
        let model = load_model(model_path(name)).unwrap();
        let explainer = Explainer::new(&model);
        let x = input_rows(name);
        let method = Method::rule_set(RuleSet::NeonSpread).with_beta(Beta::Auto);
        assert_eq!(method.to_string(), "neon-spread@auto");
        assert_eq!(explainer.default_method(), method, "{name}");
        let e = explainer.explain(x.view(), &method).unwrap();
        assert_eq!(
            e,
            explainer.explain(x.view(), &Method::default()).unwrap(),
            "{name}"
        );
        let expected = read_table(&fixture_path(name, "expected_spread.csv"));
        let neuralize::Prediction::Labels(labels) = &e.prediction else {
            panic!("{name}: k-means predicts clusters")
        };
        for (r, (&label, &b)) in labels.iter().zip(&expected.values.column(0)).enumerate() {
            assert_eq!(label as f64, b, "{name}: cluster of row {r}");
        }
        assert_matches_oracle_within(&e, &expected, 1e-10, &format!("{name} neon-spread"));
        // Rows whose relevance is spread move away from neon-path (digits: 64 features).
        let path = Method::rule_set(RuleSet::NeonPath).with_beta(Beta::Auto);
        let path = explainer.explain(x.view(), &path).unwrap();
        let moved = (0..x.nrows())
            .filter(|&r| {
                let scale = e.output[r].abs();
                (&path.relevance.row(r) - &e.relevance.row(r))
                    .iter()
                    .any(|v| v.abs() > 1e-6 * scale)
            })
            .count();
        assert_eq!(e.output, path.output, "{name}: the same logits");
        if *name == "kmeans_digits" {
            assert!(moved > x.nrows() / 2, "{name}: {moved} rows moved");
        }
    }
}

/// A row whose positive relevance sits on at most 3 features keeps neon-path's bits
/// (`c = 1`, `l = 0`).
#[test]
fn neon_spread_keeps_neon_path_on_rows_with_three_or_fewer_features() {
    let centroids = ndarray::array![[0.0, 0.0, 0.0], [4.0, 1.0, -2.0], [-3.0, 2.0, 1.0]];
    let model = neuralize::Model::from(neuralize::KMeans::new(centroids).unwrap());
    let explainer = Explainer::new(&model);
    let x = ndarray::array![[0.5, -0.3, 0.2], [4.5, 0.0, -1.0], [-2.0, 2.5, 0.0]];
    let spread = explainer
        .explain(x.view(), &Method::rule_set(RuleSet::NeonSpread))
        .unwrap();
    let path = explainer
        .explain(x.view(), &Method::rule_set(RuleSet::NeonPath))
        .unwrap();
    assert_eq!(spread, path);
}

#[test]
fn neon_spread_conserves_everywhere_on_kmeans() {
    assert_conserves_everywhere_on_kmeans(RuleSet::NeonSpread);
    for name in KMEANS_FIXTURES {
        assert_conserves_far_away_and_at_the_reference(name, RuleSet::NeonSpread);
    }
}

#[test]
fn neon_spread_gives_the_same_bits_on_one_and_two_threads() {
    let method = Method::rule_set(RuleSet::NeonSpread).with_beta(Beta::Auto);
    for name in ["kmeans_digits", "kmeans_wine"] {
        assert_same_bits_on_one_and_two_threads(name, &method);
    }
}

#[test]
fn neon_spread_is_refused_on_other_families() {
    for name in [
        "ocsvm_digits_rbf",
        "kde_iris",
        "gmm_iris_full",
        "knn_blobs_largest",
        "svc_iris",
        "mlp_iris",
    ] {
        let err = refusal(name, &Method::rule_set(RuleSet::NeonSpread));
        assert!(
            err.contains("neon-spread is not defined for"),
            "{name}: {err}"
        );
    }
    // It splits every contrast exactly: no linear rule.
    let model = load_model(model_path("kmeans_iris")).unwrap();
    let method =
        Method::rule_set(RuleSet::NeonSpread).with_linear_rule(neuralize::LinearRule::Lrp0);
    let err = Explainer::new(&model)
        .explain(input_rows("kmeans_iris").view(), &method)
        .unwrap_err()
        .to_string();
    assert!(err.contains("take no linear rule"), "{err}");
}
