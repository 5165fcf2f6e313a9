//! k-nearest-neighbour detectors: PyOD / scikit-learn scores on the shipped fixtures, the
//! redistribution over the k nearest, rows far from the data, conservation over random
//! detectors, and hostile model files.

use crate::common::*;
use ndarray::{array, Array2};
use neuralize::{
    load_model, model_from_json, Beta, Explainer, KnnDetector, KnnMetric, KnnScore, Method, Model,
    Prediction, RuleSet,
};
use proptest::prelude::*;

const KNN_FIXTURES: &[&str] = &[
    "knn_breast_cancer_largest",
    "knn_digits_mean_manhattan",
    "knn_blobs_largest",
];

fn neon(beta: f64) -> Method {
    Method::neon().with_beta(Beta::Value(beta))
}

#[test]
fn fixtures_reproduce_the_detectors_scores() {
    for name in KNN_FIXTURES {
        let model = load_model(model_path(name)).unwrap();
        let x = read_table(&fixture_path(name, "input.csv")).values;
        let sk = read_table(&fixture_path(name, "sklearn.csv"));
        let explainer = Explainer::new(&model);
        let forward = explainer.forward(x.view(), None).unwrap();
        for (r, (&a, &b)) in forward
            .output
            .iter()
            .zip(&sk.column("decision_function"))
            .enumerate()
        {
            assert_close(a, b, 1e-9, &format!("{name}: score row {r}"));
        }
        let e = explainer.explain(x.view(), &Method::default()).unwrap();
        assert_eq!(e.output, forward.output, "{name}");
        assert_conserves(&e.relevance, e.output.as_slice().unwrap(), name);
        // The default is neon-ref at the published beta.
        let neon_ref = Method::rule_set(RuleSet::NeonRef);
        assert_eq!(e, explainer.explain(x.view(), &neon_ref).unwrap(), "{name}");
        // Floor 0: neon-floor is the published rules.
        let floor = explainer
            .explain(x.view(), &Method::rule_set(RuleSet::NeonFloor))
            .unwrap();
        assert_eq!(
            floor,
            explainer.explain(x.view(), &Method::neon()).unwrap(),
            "{name}"
        );
        assert_ne!(floor.relevance, e.relevance, "{name}");
    }
}

/// Two stored rows, k = 2: the hand-computed redistribution and shares.
#[test]
fn redistribution_over_the_k_nearest_and_distance_shares() {
    let points = array![[0.0, 0.0], [3.0, 0.0], [100.0, 100.0]];
    let x = array![[0.0, 4.0]];
    // distances: 4 (row 0, share (0, 1)) and 5 (row 1, shares (9/25, 16/25)).
    for (score, beta) in [(KnnScore::Largest, 0.7), (KnnScore::Mean, 0.7)] {
        let knn = KnnDetector::new(points.clone(), 2, score, KnnMetric::Euclidean).unwrap();
        let e = Explainer::new(&Model::from(knn))
            .explain(x.view(), &neon(beta))
            .unwrap();
        let (o, w0, w1) = match score {
            KnnScore::Largest => {
                let (a, b) = ((-beta).exp(), 1.0);
                (5.0, a / (a + b), b / (a + b))
            }
            KnnScore::Mean => (4.5, 4.0 / 9.0, 5.0 / 9.0),
        };
        assert_close(e.output[0], o, 1e-15, "score");
        let want = [o * w1 * 9.0 / 25.0, o * (w0 + w1 * 16.0 / 25.0)];
        for (i, &want_i) in want.iter().enumerate() {
            assert_close(
                e.relevance[[0, i]],
                want_i,
                1e-12,
                &format!("{score:?} R_{i}"),
            );
        }
    }
    // neon-ref from the reference (0, 0), mean score: unit relevances (2, 2.5), gradients
    // (0, 1) and (-0.6, 0.8): N = (0, 4) * (-1.5, 4) = (0, 16), so R = (0, 4.5).
    let knn = KnnDetector::new(points.clone(), 2, KnnScore::Mean, KnnMetric::Euclidean).unwrap();
    let explainer = Explainer::new(&Model::from(knn))
        .with_reference(array![0.0, 0.0])
        .unwrap();
    let e = explainer
        .explain(x.view(), &Method::rule_set(RuleSet::NeonRef))
        .unwrap();
    assert_close(e.relevance[[0, 0]], 0.0, 1e-15, "neon-ref R_0");
    assert_close(e.relevance[[0, 1]], 4.5, 1e-12, "neon-ref R_1");
    // Manhattan: |.| shares; a row on a stored point splits that unit evenly.
    let knn = KnnDetector::new(points, 1, KnnScore::Largest, KnnMetric::Manhattan).unwrap();
    let e = Explainer::new(&Model::from(knn))
        .explain(array![[1.0, 2.0], [3.0, 0.0]].view(), &Method::neon())
        .unwrap();
    assert_close(e.output[0], 3.0, 1e-15, "l1");
    assert_close(e.relevance[[0, 0]], 1.0, 1e-12, "l1 share");
    assert_close(e.relevance[[0, 1]], 2.0, 1e-12, "l1 share");
    assert_eq!(e.output[1], 0.0);
    assert_eq!(e.relevance.row(1).to_vec(), vec![0.0, 0.0]);
}

#[test]
fn far_from_the_data_the_score_is_exact_and_relevance_finite() {
    let points = array![
        [0.0, 0.5, -1.0],
        [1.0, 1.5, 0.2],
        [-0.7, 0.3, 0.9],
        [0.4, -1.2, 0.0]
    ];
    let direction = [0.6, -0.8, 0.0];
    for metric in [KnnMetric::Euclidean, KnnMetric::Manhattan] {
        for score in [KnnScore::Largest, KnnScore::Mean] {
            let knn = KnnDetector::new(points.clone(), 2, score, metric).unwrap();
            let explainer = Explainer::new(&Model::from(knn.clone()));
            for distance in [1e3, 1e150, 1e200] {
                let x = Array2::from_shape_fn((1, 3), |(_, i)| {
                    points[[1, i]] + distance * direction[i]
                });
                let e = explainer.explain(x.view(), &Method::default()).unwrap();
                let truth = knn.decision_function(x.view()).unwrap();
                assert!(e.output[0].is_finite() && truth[0].is_finite());
                assert_close(e.output[0], truth[0], 1e-12, "far score");
                // The scale: distance ||direction|| (1 euclidean, 1.4 manhattan) within 1%.
                let norm = match metric {
                    KnnMetric::Euclidean => 1.0,
                    KnnMetric::Manhattan => 1.4,
                };
                assert!((e.output[0] / (distance * norm) - 1.0).abs() < 0.01);
                assert!(e.relevance.iter().all(|v| v.is_finite()));
                assert_conserves(&e.relevance, e.output.as_slice().unwrap(), "far knn");
                let Prediction::Values(v) = &e.prediction else {
                    panic!("values")
                };
                assert_eq!(v[0], e.output[0]);
            }
        }
    }
}

fn random_detector() -> impl Strategy<Value = (Model, Array2<f64>, f64)> {
    (
        prop::sample::select(vec![1usize, 2, 7]),
        1usize..12,
        1usize..5,
    )
        .prop_flat_map(|(d, m, n)| {
            (
                prop::collection::vec(-3.0..3.0f64, m * d),
                1..=m,
                prop::bool::ANY,
                prop::bool::ANY,
                prop::collection::vec(-8.0..8.0f64, n * d),
                0.01..100.0f64,
                prop::bool::ANY,
            )
                .prop_map(move |(p, k, mean, l1, x, beta, on_point)| {
                    let points = Array2::from_shape_vec((m, d), p).unwrap();
                    let mut x = Array2::from_shape_vec((n, d), x).unwrap();
                    if on_point {
                        x.row_mut(0).assign(&points.row(0));
                    }
                    let score = if mean {
                        KnnScore::Mean
                    } else {
                        KnnScore::Largest
                    };
                    let metric = if l1 {
                        KnnMetric::Manhattan
                    } else {
                        KnnMetric::Euclidean
                    };
                    let knn = KnnDetector::new(points, k, score, metric).unwrap();
                    (Model::from(knn), x, beta)
                })
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]
    #[test]
    fn relevance_conserves_on_random_detectors((model, x, beta) in random_detector()) {
        let explainer = Explainer::new(&model);
        let truth = model.estimator::<KnnDetector>().unwrap().decision_function(x.view()).unwrap();
        for method in [
            Method::default(),
            neon(beta),
            Method::rule_set(RuleSet::NeonRef).with_beta(Beta::Value(beta)),
        ] {
            let e = explainer.explain(x.view(), &method).unwrap();
            prop_assert!(e.relevance.iter().all(|v| v.is_finite()));
            assert_conserves(&e.relevance, e.output.as_slice().unwrap(), "random detector");
            for (r, &o) in e.output.iter().enumerate() {
                assert_close(o, truth[r], 1e-12, "score");
            }
        }
    }
}

const VALID: &str = r#"{"format": "neuralize/1", "model": "knn_detector",
  "points": [[0, 0], [1, 1], [2, 0]], "k": 2, "score": "largest", "metric": "euclidean"}"#;

#[test]
fn hostile_model_files_name_the_field() {
    model_from_json(VALID).unwrap();
    let cases = [
        (
            r#""k": 2"#,
            r#""k": 4"#,
            "field `k`: must be between 1 and the number of stored points (3), got 4",
        ),
        (r#""k": 2"#, r#""k": 0"#, "field `k`: must be between 1"),
        (r#""k": 2"#, r#""k": -1"#, "field `k`"),
        (r#""k": 2"#, r#""k": 1.5"#, "field `k`"),
        (r#""largest""#, r#""median""#, "field `score`"),
        (r#""euclidean""#, r#""cosine""#, "field `metric`"),
        ("[2, 0]]", "[2]]", "field `points[2]`"),
        (r#""k": 2, "#, "", "field `k`: missing"),
    ];
    for (from, to, needle) in cases {
        assert!(VALID.contains(from), "{from}");
        let message = model_from_json(&VALID.replacen(from, to, 1))
            .unwrap_err()
            .to_string();
        assert!(message.contains(needle), "{to}: {message}");
    }
    // Without `metric`: euclidean.
    let no_metric = VALID.replace(r#", "metric": "euclidean""#, "");
    let model = model_from_json(&no_metric).unwrap();
    assert_eq!(
        model.estimator::<KnnDetector>().unwrap().metric(),
        KnnMetric::Euclidean
    );
}

/// Relevances equal the independent NumPy oracle's (`scripts/neon_oracle_detectors.py`)
/// within 1e-9 relative.
#[test]
fn relevances_match_the_numpy_oracle() {
    for name in KNN_FIXTURES {
        assert_matches_expected(name, 1e-9);
    }
}
