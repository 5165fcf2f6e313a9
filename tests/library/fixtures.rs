//! Regression fixtures exported from scikit-learn (scripts/export_sklearn.py): the network
//! reproduces scikit-learn's outputs, and the relevances match the independent NumPy oracle.

use crate::common::*;
use ndarray::Array2;
use neuralize::{
    load_model, Beta, Explainer, GaussianMixture, KMeans, KernelDensity, KnnDetector, Method,
    Model, OneClassSvm, Prediction,
};

/// Tolerance of the issue: `1e-8 * max(1, |reference value|)`.
const TOL: f64 = 1e-8;

fn inputs(name: &str, model: &Model) -> Array2<f64> {
    let table = read_table(&fixture_path(name, "input.csv"));
    if let Some(names) = model.feature_names() {
        assert_eq!(
            table.header, names,
            "{name}: input header is in model order"
        );
    }
    table.values
}

/// The beta the fixture's expected relevances were computed with: `factor` times the
/// published one (1 for kernel models and mixtures, the stored beta for k-means, the
/// inverse typical score for kNN detectors).
fn fixture_beta(model: &Model, factor: f64) -> f64 {
    if model.kind() == "kmeans" {
        assert!(model.beta().is_some(), "the exporter stores beta");
    }
    Explainer::new(model).published_beta() * factor
}

fn check_against(name: &str, expected_file: &str, beta_kernel: f64, cluster: Option<usize>) {
    let model = load_model(model_path(name)).unwrap();
    let x = inputs(name, &model);
    let explainer = Explainer::new(&model);
    let mut method = Method::neon().with_beta(Beta::Value(fixture_beta(&model, beta_kernel)));
    if let Some(c) = cluster {
        method = method.with_cluster(c);
    }
    let e = explainer.explain(x.view(), &method).unwrap();
    let expected = read_table(&fixture_path(name, expected_file));
    let what = format!("{name} ({expected_file})");
    assert_eq!(expected.values.nrows(), x.nrows(), "{what}: row count");

    match &e.prediction {
        Prediction::Values(v) => {
            assert_ne!(model.kind(), "kmeans", "{what}: k-means predicts labels");
            for (r, (&a, &b)) in v.iter().zip(&expected.values.column(0)).enumerate() {
                assert_close(
                    a,
                    b,
                    TOL,
                    &format!("{what}: {} row {r}", expected.header[0]),
                );
            }
        }
        Prediction::Labels(v) => {
            assert_eq!(
                model.kind(),
                "kmeans",
                "{what}: only k-means predicts labels"
            );
            let expected_clusters: Vec<usize> = expected
                .column("cluster")
                .iter()
                .map(|&c| c as usize)
                .collect();
            assert_eq!(v, &expected_clusters, "{what}: assigned clusters");
        }
    }
    for (r, (&a, &b)) in e.output.iter().zip(&expected.values.column(1)).enumerate() {
        assert_close(
            a,
            b,
            TOL,
            &format!("{what}: {} row {r}", expected.header[1]),
        );
    }
    let expected_relevance = expected.columns_from(2);
    assert_eq!(
        expected_relevance.dim(),
        e.relevance.dim(),
        "{what}: relevance shape"
    );
    for ((r, i), &b) in expected_relevance.indexed_iter() {
        let a = e.relevance[[r, i]];
        assert_close(
            a,
            b,
            TOL,
            &format!("{what}: {} row {r}", expected.header[i + 2]),
        );
    }
    assert_conserves(&e.relevance, e.output.as_slice().unwrap(), &what);

    // `Method::neon()` without a beta is the published rules: beta 1 for kernel models, the
    // model file's beta for k-means (what `--rule neon` does).
    if beta_kernel == 1.0 {
        let mut published = Method::neon();
        if let Some(c) = cluster {
            published = published.with_cluster(c);
        }
        let again = explainer.explain(x.view(), &published).unwrap();
        assert_eq!(again, e, "{what}: Method::neon() is the published rules");
    }
}

#[test]
fn every_fixture_matches_scikit_learn_and_the_oracle() {
    for name in FIXTURES {
        check_against(name, "expected.csv", 1.0, None);
    }
}

#[test]
fn kernel_fixtures_match_the_oracle_with_beta_2() {
    for name in FIXTURES.iter().filter(|n| !n.starts_with("kmeans")) {
        check_against(name, "expected_beta2.csv", 2.0, None);
    }
}

#[test]
fn kmeans_fixtures_explain_a_fixed_cluster() {
    for name in FIXTURES.iter().filter(|n| n.starts_with("kmeans")) {
        check_against(name, "expected_cluster0.csv", 1.0, Some(0));
    }
}

/// The network's forward pass equals the classical model's own (plain) computation.
#[test]
fn forward_pass_reproduces_the_classical_model() {
    for name in FIXTURES {
        let model = load_model(model_path(name)).unwrap();
        let x = inputs(name, &model);
        let z = model_space(&model, x.view());
        let forward = Explainer::new(&model).forward(x.view(), None).unwrap();
        match (model.kind(), &forward.prediction) {
            ("one_class_svm", Prediction::Values(f)) => {
                let svm = model.estimator::<OneClassSvm>().expect(name);
                let truth = svm.decision_function(z.view()).unwrap();
                for (r, (&a, &b)) in f.iter().zip(&truth).enumerate() {
                    assert_close(a, b, 1e-10, &format!("{name}: decision_function row {r}"));
                }
            }
            ("kernel_density", Prediction::Values(f)) => {
                let kde = model.estimator::<KernelDensity>().expect(name);
                let truth = kde.log_density(z.view()).unwrap();
                for (r, (&a, &b)) in f.iter().zip(&truth).enumerate() {
                    assert_close(a, b, 1e-10, &format!("{name}: log_density row {r}"));
                }
            }
            ("kmeans", Prediction::Labels(c)) => {
                let km = model.estimator::<KMeans>().expect(name);
                assert_eq!(c, &km.predict(z.view()).unwrap(), "{name}: assignments");
                assert!(
                    forward.output.iter().all(|&f| f >= 0.0),
                    "{name}: f_c >= 0 for the assigned cluster"
                );
                let logits = km.logits(z.view(), c).unwrap();
                for (r, (&a, &b)) in forward.output.iter().zip(&logits).enumerate() {
                    assert_close(a, b, 1e-9, &format!("{name}: logit row {r}"));
                }
            }
            ("gaussian_mixture", Prediction::Values(f)) => {
                let gmm = model.estimator::<GaussianMixture>().expect(name);
                let truth = gmm.score_samples(z.view()).unwrap();
                for (r, (&a, &b)) in f.iter().zip(&truth).enumerate() {
                    assert_close(a, b, 1e-10, &format!("{name}: score_samples row {r}"));
                }
            }
            ("knn_detector", Prediction::Values(f)) => {
                let knn = model.estimator::<KnnDetector>().expect(name);
                let truth = knn.decision_function(z.view()).unwrap();
                for (r, (&a, &b)) in f.iter().zip(&truth).enumerate() {
                    assert_close(a, b, 1e-12, &format!("{name}: score row {r}"));
                }
            }
            (kind, _) => panic!("{name}: prediction of the wrong kind for {kind}"),
        }
        // Exactly one family's model is inside.
        let families = [
            model.estimator::<OneClassSvm>().is_some(),
            model.estimator::<KernelDensity>().is_some(),
            model.estimator::<KMeans>().is_some(),
            model.estimator::<GaussianMixture>().is_some(),
            model.estimator::<KnnDetector>().is_some(),
        ];
        assert_eq!(families.iter().filter(|&&b| b).count(), 1, "{name}");
    }
}

/// scikit-learn's KDE `score_samples` drifts from the exact log density on far rows; the
/// exporter records it. Our exact value equals the exporter's brute-force one.
#[test]
fn kde_exact_log_density_and_recorded_scikit_learn_drift() {
    for name in ["kde_iris", "kde_wine", "kde_digits"] {
        let model = load_model(model_path(name)).unwrap();
        let x = inputs(name, &model);
        let forward = Explainer::new(&model).forward(x.view(), None).unwrap();
        let Prediction::Values(log_p) = forward.prediction else {
            panic!("{name}: a kernel density predicts values")
        };
        let sk = read_table(&fixture_path(name, "sklearn.csv"));
        let exact = sk.column("exact_log_density");
        let score_samples = sk.column("score_samples");
        assert_eq!(exact.len(), log_p.len(), "{name}: row count");
        for r in 0..log_p.len() {
            assert_close(
                log_p[r],
                exact[r],
                TOL,
                &format!("{name}: exact log density row {r}"),
            );
            let drift = score_samples[r] - exact[r];
            assert_close(
                drift,
                sk.column("drift")[r],
                1e-6,
                &format!("{name}: drift row {r}"),
            );
        }
    }
}

/// The one-class SVM labels follow libsvm: inlier iff f(x) > 0, i.e. iff outlierness < 0.
#[test]
fn ocsvm_labels_match_scikit_learn_predict() {
    for name in FIXTURES.iter().filter(|n| n.starts_with("ocsvm")) {
        let model = load_model(model_path(name)).unwrap();
        let x = inputs(name, &model);
        let forward = Explainer::new(&model).forward(x.view(), None).unwrap();
        let sk = read_table(&fixture_path(name, "sklearn.csv"));
        assert_eq!(sk.values.nrows(), forward.output.len(), "{name}: row count");
        for (r, (&o, &label)) in forward.output.iter().zip(&sk.column("predict")).enumerate() {
            let inlier = o < 0.0;
            assert_eq!(
                inlier,
                label > 0.0,
                "{name}: label of row {r} (outlierness {o})"
            );
        }
    }
}
