//! Gaussian mixtures: scikit-learn's `score_samples` / `predict_proba` on the shipped
//! fixtures, the Mahalanobis split, rows far from the data, conservation over random
//! mixtures, and hostile model files.

use crate::common::*;
use ndarray::{array, Array1, Array2};
use neuralize::{
    load_model, model_from_json, Beta, Explainer, GaussianMixture, Method, Model, Prediction,
    RuleSet,
};
use proptest::prelude::*;

const GMM_FIXTURES: &[&str] = &[
    "gmm_iris_full",
    "gmm_wine_tied",
    "gmm_digits_diag",
    "gmm_breast_cancer_full",
    "gmm_blobs_spherical",
];

fn neon(beta: f64) -> Method {
    Method::neon().with_beta(Beta::Value(beta))
}

/// `log p(z)` the plain way, independently of the crate: dense `U_k`, exact differences,
/// a max-shifted log-sum-exp.
fn analytic_log_density(z: &[f64], weights: &[f64], means: &Array2<f64>, u: &[Array2<f64>]) -> f64 {
    let d = z.len() as f64;
    let terms: Vec<f64> = (0..weights.len())
        .map(|k| {
            let delta: Array1<f64> =
                Array1::from_iter(z.iter().zip(means.row(k)).map(|(a, b)| a - b));
            let y = u[k].t().dot(&delta);
            let log_det: f64 = u[k].diag().iter().map(|v| v.ln()).sum();
            weights[k].ln() - 0.5 * d * (2.0 * std::f64::consts::PI).ln() - 0.5 * y.dot(&y)
                + log_det
        })
        .collect();
    let max = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    max + terms.iter().map(|t| (t - max).exp()).sum::<f64>().ln()
}

#[test]
fn fixtures_reproduce_score_samples_and_predict_proba() {
    for name in GMM_FIXTURES {
        let model = load_model(model_path(name)).unwrap();
        let x = read_table(&fixture_path(name, "input.csv")).values;
        let sk = read_table(&fixture_path(name, "sklearn.csv"));
        let forward = Explainer::new(&model).forward(x.view(), None).unwrap();
        let Prediction::Values(log_p) = &forward.prediction else {
            panic!("{name}: a mixture predicts values")
        };
        for (r, (&a, &b)) in log_p.iter().zip(&sk.column("score_samples")).enumerate() {
            assert_close(a, b, 1e-9, &format!("{name}: score_samples row {r}"));
            assert_close(
                forward.output[r],
                -b,
                1e-9,
                &format!("{name}: outlierness row {r}"),
            );
        }
        let gmm = model.estimator::<GaussianMixture>().unwrap();
        let z = model_space(&model, x.view());
        let proba = gmm.predict_proba(z.view()).unwrap();
        for k in 0..gmm.n_components() {
            let want = sk.column(&format!("predict_proba_{k}"));
            for (r, &p) in proba.column(k).iter().enumerate() {
                assert!(
                    (p - want[r]).abs() <= 1e-9,
                    "{name}: predict_proba row {r} component {k}: {p} vs {}",
                    want[r]
                );
            }
        }
        let truth = gmm.score_samples(z.view()).unwrap();
        for (r, (&a, &b)) in log_p.iter().zip(&truth).enumerate() {
            assert_close(a, b, 1e-10, &format!("{name}: plain score_samples row {r}"));
        }
    }
}

#[test]
fn the_default_is_neon_floor_at_beta_one_and_conserves() {
    for name in GMM_FIXTURES {
        let model = load_model(model_path(name)).unwrap();
        let x = read_table(&fixture_path(name, "input.csv")).values;
        let explainer = Explainer::new(&model);
        assert_eq!(explainer.published_beta(), 1.0);
        assert_eq!(explainer.auto_beta(), 1.0);
        let default = explainer.explain(x.view(), &Method::default()).unwrap();
        let floor = explainer
            .explain(x.view(), &Method::rule_set(RuleSet::NeonFloor))
            .unwrap();
        assert_eq!(default, floor, "{name}");
        assert_conserves(&default.relevance, default.output.as_slice().unwrap(), name);
        // neon-floor and neon differ by the floor o_0 spread evenly plus its share:
        // both conserve the same output.
        let published = explainer.explain(x.view(), &Method::neon()).unwrap();
        assert_eq!(published.output, default.output, "{name}");
    }
}

/// Diagonal covariances: one component's relevance is `o P_ii δ_i² / δᵀPδ`, all >= 0.
#[test]
fn diagonal_split_is_precision_times_squared_deviation() {
    let means = array![[1.0, -2.0, 0.5]];
    let u = array![[2.0, 0.5, 1.0]];
    let gmm = GaussianMixture::diag(array![1.0], means.clone(), u.clone()).unwrap();
    let explainer = Explainer::new(&Model::from(gmm));
    let x = array![[3.0, 0.0, -1.0], [1.0, -2.0, 0.5]];
    let e = explainer.explain(x.view(), &Method::neon()).unwrap();
    let c: Vec<f64> = (0..3)
        .map(|i| (u[[0, i]] * (x[[0, i]] - means[[0, i]])).powi(2))
        .collect();
    let total: f64 = c.iter().sum();
    for (i, c_i) in c.iter().enumerate() {
        assert_close(
            e.relevance[[0, i]],
            e.output[0] * c_i / total,
            1e-12,
            "share",
        );
    }
    // At the mean: the output (the bias) is split evenly.
    for i in 0..3 {
        assert_close(e.relevance[[1, i]], e.output[1] / 3.0, 1e-12, "even split");
    }
}

/// Full covariances: `c_i = δ_i (P δ)_i`, negative for a deviation against the correlation.
#[test]
fn full_split_is_delta_times_precision_delta_and_can_be_negative() {
    // Sigma = [[1, 0.9], [0.9, 1]]: strongly correlated features.
    let json = r#"{"format": "neuralize/1", "model": "gaussian_mixture",
        "covariance_type": "full", "weights": [1.0], "means": [[0.0, 0.0]],
        "covariances": [[[1.0, 0.9], [0.9, 1.0]]]}"#;
    let model = model_from_json(json).unwrap();
    let explainer = Explainer::new(&model);
    let x = array![[3.0, 0.5]];
    let e = explainer.explain(x.view(), &Method::neon()).unwrap();
    let det = 1.0 - 0.81;
    let p = array![[1.0 / det, -0.9 / det], [-0.9 / det, 1.0 / det]];
    let delta = x.row(0).to_owned();
    let pd = p.dot(&delta);
    let c = &delta * &pd;
    let total = c.sum();
    for i in 0..2 {
        assert_close(
            e.relevance[[0, i]],
            e.output[0] * c[i] / total,
            1e-10,
            "share",
        );
    }
    assert!(
        e.relevance[[0, 1]] < 0.0,
        "x_1 = 0.5 runs against the correlation"
    );
    assert_conserves(&e.relevance, e.output.as_slice().unwrap(), "full");
    // The density agrees with the closed form.
    let expected = -(0.5 * delta.dot(&pd) + (2.0 * std::f64::consts::PI).ln() + 0.5 * det.ln());
    let Prediction::Values(log_p) = &e.prediction else {
        panic!("values")
    };
    assert_close(log_p[0], expected, 1e-12, "log density");
}

fn two_component_full() -> (Vec<f64>, Array2<f64>, Vec<Array2<f64>>) {
    let weights = vec![0.3, 0.7];
    let means = array![[0.0, 0.5, -1.0], [1.0, 1.5, 0.2]];
    let u = vec![
        array![[1.2, 0.3, -0.4], [0.0, 0.8, 0.1], [0.0, 0.0, 2.0]],
        array![[0.5, -0.2, 0.0], [0.0, 1.5, 0.7], [0.0, 0.0, 0.9]],
    ];
    (weights, means, u)
}

#[test]
fn far_from_the_data_the_density_is_exact_and_relevance_finite() {
    let (weights, means, u) = two_component_full();
    let gmm =
        GaussianMixture::full(Array1::from(weights.clone()), means.clone(), u.clone()).unwrap();
    let explainer = Explainer::new(&Model::from(gmm));
    let direction = [0.6, -0.8, 0.0];
    let mut rows = Vec::new();
    for distance in [1e3, 1e150] {
        rows.extend((0..3).map(|i| means[[1, i]] + distance * direction[i]));
    }
    let x = Array2::from_shape_vec((2, 3), rows).unwrap();
    for method in [Method::default(), neon(1.0), neon(0.1), neon(10.0)] {
        let e = explainer.explain(x.view(), &method).unwrap();
        let Prediction::Values(log_p) = &e.prediction else {
            panic!("values")
        };
        for r in 0..2 {
            let expected = analytic_log_density(x.row(r).as_slice().unwrap(), &weights, &means, &u);
            assert!(expected.is_finite() && log_p[r].is_finite(), "row {r}");
            assert_close(log_p[r], expected, 1e-9, &format!("far row {r}"));
            assert!(e.relevance.row(r).iter().all(|v| v.is_finite()), "row {r}");
        }
        assert_conserves(&e.relevance, e.output.as_slice().unwrap(), "far rows");
    }
}

/// `gradient-x-input` uses the analytic gradient `sum_k gamma_k P_k (z - mu_k)`; check it
/// against central differences of the outlierness.
#[test]
fn the_gradient_matches_finite_differences() {
    let (weights, means, u) = two_component_full();
    let gmm = GaussianMixture::full(Array1::from(weights), means, u).unwrap();
    let explainer = Explainer::new(&Model::from(gmm))
        .with_reference(Array1::zeros(3))
        .unwrap();
    let x = array![[0.4, 1.1, -0.3], [2.0, -1.0, 0.5]];
    let e = explainer
        .explain(x.view(), &"gradient-x-input".parse().unwrap())
        .unwrap();
    let h = 1e-6;
    for r in 0..2 {
        for i in 0..3 {
            let mut plus = x.row(r).to_owned().insert_axis(ndarray::Axis(0));
            let mut minus = plus.clone();
            plus[[0, i]] += h;
            minus[[0, i]] -= h;
            let fp = explainer.forward(plus.view(), None).unwrap().output[0];
            let fm = explainer.forward(minus.view(), None).unwrap().output[0];
            let numeric = (fp - fm) / (2.0 * h) * x[[r, i]];
            assert!(
                (e.relevance[[r, i]] - numeric).abs() <= 1e-5 * numeric.abs().max(1.0),
                "row {r} feature {i}: {} vs {numeric}",
                e.relevance[[r, i]]
            );
        }
    }
}

fn upper(d: usize, values: &[f64]) -> Array2<f64> {
    let mut u = Array2::zeros((d, d));
    let mut it = values.iter().cycle();
    for i in 0..d {
        for j in i..d {
            let v = *it.next().unwrap();
            u[[i, j]] = if i == j { 0.2 + v.abs() } else { v };
        }
    }
    u
}

pub(crate) fn random_mixture() -> impl Strategy<Value = (Model, Array2<f64>, f64)> {
    (
        prop::sample::select(vec![1usize, 2, 7]),
        1usize..4,
        1usize..5,
        0usize..4,
    )
        .prop_flat_map(|(d, k, n, kind)| {
            (
                prop::collection::vec(-3.0..3.0f64, k * d),
                prop::collection::vec(0.05..1.0f64, k),
                prop::collection::vec(-2.0..2.0f64, k * d * d),
                prop::collection::vec(-8.0..8.0f64, n * d),
                0.1..10.0f64,
            )
                .prop_map(move |(mu, w, f, x, beta)| {
                    let means = Array2::from_shape_vec((k, d), mu).unwrap();
                    let total: f64 = w.iter().sum();
                    let weights = Array1::from_iter(w.iter().map(|v| v / total));
                    let x = Array2::from_shape_vec((n, d), x).unwrap();
                    let gmm = match kind {
                        0 => GaussianMixture::full(
                            weights,
                            means,
                            (0..k).map(|c| upper(d, &f[c * d * d..])).collect(),
                        ),
                        1 => GaussianMixture::tied(weights, means, upper(d, &f)),
                        2 => GaussianMixture::diag(
                            weights,
                            means,
                            Array2::from_shape_fn((k, d), |(c, i)| 0.2 + f[c * d + i].abs()),
                        ),
                        _ => GaussianMixture::spherical(
                            weights,
                            means,
                            Array1::from_iter(f[..k].iter().map(|v| 0.2 + v.abs())),
                        ),
                    };
                    (Model::from(gmm.unwrap()), x, beta)
                })
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]
    #[test]
    fn relevance_conserves_on_random_mixtures((model, x, beta) in random_mixture()) {
        let explainer = Explainer::new(&model);
        let truth = model
            .estimator::<GaussianMixture>()
            .unwrap()
            .score_samples(x.view())
            .unwrap();
        for method in [Method::default(), neon(beta), Method::rule_set(RuleSet::NeonFloor).with_beta(Beta::Value(beta))] {
            let e = explainer.explain(x.view(), &method).unwrap();
            prop_assert!(e.relevance.iter().all(|v| v.is_finite()));
            assert_conserves(&e.relevance, e.output.as_slice().unwrap(), "random mixture");
            for (r, &o) in e.output.iter().enumerate() {
                assert_close(-o, truth[r], 1e-10, "log density");
            }
        }
    }
}

const VALID: &str = r#"{"format": "neuralize/1", "model": "gaussian_mixture",
  "covariance_type": "full", "weights": [0.25, 0.75], "means": [[0, 0], [1, 1]],
  "precisions_cholesky": [[[1.0, 0.5], [0.0, 2.0]], [[1.5, 0.0], [0.0, 1.0]]]}"#;

fn error_with(from: &str, to: &str) -> String {
    assert!(VALID.contains(from), "{from}");
    model_from_json(&VALID.replacen(from, to, 1))
        .unwrap_err()
        .to_string()
}

#[test]
fn hostile_model_files_name_the_field() {
    model_from_json(VALID).unwrap();
    let cases = [
        (
            "[0.25, 0.75]",
            "[0.25, 0.7]",
            "field `weights`: must sum to 1",
        ),
        (
            "[0.25, 0.75]",
            "[0, 1]",
            "field `weights[0]`: must be a finite number > 0",
        ),
        (
            "[0.25, 0.75]",
            "[1.0]",
            "field `weights`: has 1 entries, expected 2",
        ),
        (
            "[0.0, 2.0]]",
            "[0.0, -2.0]]",
            "field `precisions_cholesky[0][1][1]`: must be > 0",
        ),
        (
            "[0.0, 2.0]]",
            "[0.1, 2.0]]",
            "field `precisions_cholesky[0][1][0]`: must be 0",
        ),
        (
            "[[1.5, 0.0], [0.0, 1.0]]",
            "[[1.5, 0.0]]",
            "precisions_cholesky[1]`: is 1 x 2",
        ),
        (r#""full""#, r#""banded""#, "field `covariance_type`"),
        (
            r#""precisions_cholesky""#,
            r#""precisions""#,
            "field `precisions_cholesky`: missing",
        ),
        ("[[0, 0], [1, 1]]", "[[0, 0], [1]]", "field `means[1]`"),
    ];
    for (from, to, needle) in cases {
        let message = error_with(from, to);
        assert!(message.contains(needle), "{to}: {message}");
    }
    // A covariance that is not positive definite.
    let covariances = VALID
        .replace("precisions_cholesky", "covariances")
        .replace("[[1.0, 0.5], [0.0, 2.0]]", "[[1.0, 0.5], [0.5, 2.0]]")
        .replace("[[1.5, 0.0], [0.0, 1.0]]", "[[1.0, 2.0], [2.0, 1.0]]");
    let message = model_from_json(&covariances).unwrap_err().to_string();
    assert!(
        message.contains("field `covariances[1]`: is not positive definite"),
        "{message}"
    );
    let both = VALID.replace(
        r#""means""#,
        r#""covariances": [[[1, 0], [0, 1]], [[1, 0], [0, 1]]], "means""#,
    );
    let message = model_from_json(&both).unwrap_err().to_string();
    assert!(message.contains("not both"), "{message}");
    let diag_var = r#"{"format": "neuralize/1", "model": "gaussian_mixture",
      "covariance_type": "diag", "weights": [1], "means": [[0, 0]], "covariances": [[1, -1]]}"#;
    let message = model_from_json(diag_var).unwrap_err().to_string();
    assert!(message.contains("field `covariances[0][1]`"), "{message}");
}

/// Covariances and precision factors describe the same model; every covariance type
/// round-trips through its model file.
#[test]
fn covariances_and_factors_agree_and_round_trip() {
    let from_cov = model_from_json(
        r#"{"format": "neuralize/1", "model": "gaussian_mixture", "covariance_type": "tied",
        "weights": [0.5, 0.5], "means": [[0, 0], [2, 1]], "covariances": [[4.0, 0.0], [0.0, 0.25]]}"#,
    )
    .unwrap();
    let from_u = model_from_json(
        r#"{"format": "neuralize/1", "model": "gaussian_mixture", "covariance_type": "tied",
        "weights": [0.5, 0.5], "means": [[0, 0], [2, 1]], "precisions_cholesky": [[0.5, 0.0], [0.0, 2.0]]}"#,
    )
    .unwrap();
    assert_eq!(from_cov, from_u);
    for name in GMM_FIXTURES {
        let model = load_model(model_path(name)).unwrap();
        let again = model_from_json(&neuralize::model_to_json(&model)).unwrap();
        assert_eq!(model, again, "{name}");
    }
}

/// Relevances equal the independent NumPy oracle's (`scripts/neon_oracle_detectors.py`)
/// within 1e-9 relative.
#[test]
fn relevances_match_the_numpy_oracle() {
    for name in GMM_FIXTURES {
        assert_matches_expected(name, 1e-9);
    }
}
