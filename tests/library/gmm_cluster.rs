//! The cluster target of Gaussian mixtures (`ClassTarget::LogOdds`): the assigned
//! component equals scikit-learn's `predict`, the logit equals `log p_c / (1 - p_c)` from
//! `predict_proba`, for the assigned and every chosen component; conservation, the
//! gradient, rows far from the data, and the tied-covariance assignment rule.

use crate::common::*;
use crate::gaussian_mixture::random_mixture;
use ndarray::{array, Array1, Array2, Axis};
use neuralize::{
    load_model, Beta, ClassTarget, Explainer, GaussianMixture, Method, Model, Prediction,
};
use proptest::prelude::*;

const GMM_FIXTURES: &[&str] = &[
    "gmm_iris_full",
    "gmm_wine_tied",
    "gmm_digits_diag",
    "gmm_breast_cancer_full",
    "gmm_blobs_spherical",
];

fn cluster_explainer(model: &Model) -> Explainer {
    Explainer::new(model)
        .with_class_target(ClassTarget::LogOdds)
        .unwrap()
}

fn labels(p: &Prediction) -> &[usize] {
    match p {
        Prediction::Labels(l) => l,
        Prediction::Values(_) => panic!("the cluster target predicts labels"),
    }
}

/// `log p_c - log sum_{k != c} p_k` from scikit-learn's `predict_proba` (accurate where
/// `1 - p_c` rounds to 0), or `None` where a probability underflowed.
fn sklearn_logit(proba: &[Vec<f64>], r: usize, c: usize) -> Option<f64> {
    let own = proba[c][r];
    let rest: f64 = (0..proba.len())
        .filter(|&k| k != c)
        .map(|k| proba[k][r])
        .sum();
    (own > 1e-300 && rest > 1e-300).then(|| own.ln() - rest.ln())
}

#[test]
fn fixtures_match_predict_and_the_logit_of_predict_proba() {
    for name in GMM_FIXTURES {
        let model = load_model(model_path(name)).unwrap();
        let x = read_table(&fixture_path(name, "input.csv")).values;
        let sk = read_table(&fixture_path(name, "sklearn.csv"));
        let k_all = model.estimator::<GaussianMixture>().unwrap().n_components();
        let proba: Vec<Vec<f64>> = (0..k_all)
            .map(|k| sk.column(&format!("predict_proba_{k}")))
            .collect();
        let explainer = cluster_explainer(&model);
        assert_eq!(explainer.prediction_name(), "cluster");
        assert_eq!(explainer.output_name(), "logit");
        let forward = explainer.forward(x.view(), None).unwrap();
        let predicted = labels(&forward.prediction);
        let mut checked = 0;
        for (r, &want) in sk.column("predict").iter().enumerate() {
            assert_eq!(predicted[r] as f64, want, "{name}: predict row {r}");
            if let Some(logit) = sklearn_logit(&proba, r, predicted[r]) {
                assert_close(forward.output[r], logit, 1e-9, &format!("{name}: row {r}"));
                checked += 1;
            }
            assert!(
                forward.output[r] >= -1e-12,
                "{name}: assigned logit row {r}"
            );
        }
        assert!(checked * 2 >= x.nrows(), "{name}: {checked} rows checked");
        for c in 0..k_all {
            let chosen = explainer.forward(x.view(), Some(c)).unwrap();
            assert_eq!(labels(&chosen.prediction), predicted, "{name}");
            for r in 0..x.nrows() {
                if let Some(logit) = sklearn_logit(&proba, r, c) {
                    assert_close(chosen.output[r], logit, 1e-9, &format!("{name}: {c} {r}"));
                }
            }
            let e = explainer
                .explain(x.view(), &Method::neon().with_cluster(c))
                .unwrap();
            assert_eq!(e.output, chosen.output, "{name}: explain and forward");
            assert_conserves(&e.relevance, e.output.as_slice().unwrap(), name);
        }
    }
}

/// `R_i = f occ_i / sum occ` where that sum is usable (not tiny, of f's sign), else
/// `occ_i + (f - sum occ) / d`.
fn shared(occlusion: &[f64], f: f64) -> Vec<f64> {
    let d = occlusion.len() as f64;
    let sum: f64 = occlusion.iter().sum();
    let magnitude: f64 = occlusion.iter().map(|v| v.abs()).sum();
    if f != 0.0 && sum.abs() > 1e-12 * magnitude && (sum > 0.0) == (f > 0.0) {
        occlusion.iter().map(|v| f * v / sum).collect()
    } else {
        occlusion.iter().map(|v| v + (f - sum) / d).collect()
    }
}

/// The log-odds default is `occlusion-share`: the occlusion baseline's relevances (d + 1
/// forward passes per row, an independent path) shared to conserve, for the assigned and
/// every chosen component of every fixture; and `--rule neon` stays the published split.
#[test]
fn the_default_is_occlusion_shared_to_conserve() {
    let occlusion: Method = "occlusion".parse().unwrap();
    let occlusion_share: Method = "occlusion-share".parse().unwrap();
    for name in GMM_FIXTURES {
        let model = load_model(model_path(name)).unwrap();
        let x = read_table(&fixture_path(name, "input.csv")).values;
        let explainer = cluster_explainer(&model);
        let k_all = model.estimator::<GaussianMixture>().unwrap().n_components();
        for cluster in std::iter::once(None).chain((0..k_all).map(Some)) {
            let with = |m: Method| match cluster {
                Some(c) => m.with_cluster(c),
                None => m,
            };
            let e = explainer
                .explain(x.view(), &with(Method::default()))
                .unwrap();
            let named = explainer.explain(x.view(), &with(occlusion_share)).unwrap();
            assert_eq!(
                e.relevance, named.relevance,
                "{name}: the default is occlusion-share"
            );
            let o = explainer.explain(x.view(), &with(occlusion)).unwrap();
            assert_eq!(e.output, o.output, "{name}");
            assert_conserves(&e.relevance, e.output.as_slice().unwrap(), name);
            for r in 0..x.nrows() {
                let want = shared(o.relevance.row(r).as_slice().unwrap(), e.output[r]);
                let scale = want.iter().fold(1.0f64, |m, v| m.max(v.abs()));
                for (i, (&got, want)) in e.relevance.row(r).iter().zip(&want).enumerate() {
                    assert!(
                        (got - want).abs() <= 1e-10 * scale,
                        "{name} {cluster:?} row {r} feature {i}: {got} vs {want}"
                    );
                }
            }
            let neon = explainer.explain(x.view(), &with(Method::neon())).unwrap();
            assert_ne!(neon.relevance, e.relevance, "{name}: neon is another rule");
        }
    }
}

#[test]
fn the_target_is_refused_where_it_has_no_meaning() {
    let model = load_model(model_path("gmm_iris_full")).unwrap();
    let message = Explainer::new(&model)
        .with_class_target(ClassTarget::Logit)
        .unwrap_err()
        .to_string();
    assert!(message.contains("target"), "{message}");
    let one = GaussianMixture::diag(array![1.0], array![[0.0, 1.0]], array![[1.0, 2.0]]).unwrap();
    let explainer = cluster_explainer(&Model::from(one));
    let x = array![[0.5, 0.5]];
    let message = explainer.forward(x.view(), None).unwrap_err().to_string();
    assert!(message.contains("one component"), "{message}");
    let message = explainer
        .explain(x.view(), &Method::neon().with_cluster(3))
        .unwrap_err()
        .to_string();
    assert!(message.contains("cluster"), "{message}");
}

fn two_component_full() -> Model {
    let u = vec![
        array![[1.2, 0.3, -0.4], [0.0, 0.8, 0.1], [0.0, 0.0, 2.0]],
        array![[0.5, -0.2, 0.0], [0.0, 1.5, 0.7], [0.0, 0.0, 0.9]],
    ];
    let means = array![[0.0, 0.5, -1.0], [1.0, 1.5, 0.2]];
    Model::from(GaussianMixture::full(array![0.3, 0.7], means, u).unwrap())
}

/// `gradient-x-input` uses the analytic gradient of the logit; check it against central
/// differences, for the assigned and a chosen component.
#[test]
fn the_gradient_matches_finite_differences() {
    let explainer = cluster_explainer(&two_component_full())
        .with_reference(Array1::zeros(3))
        .unwrap();
    let x = array![[0.4, 1.1, -0.3], [2.0, -1.0, 0.5]];
    for cluster in [None, Some(0), Some(1)] {
        let mut method: Method = "gradient-x-input".parse().unwrap();
        if let Some(c) = cluster {
            method = method.with_cluster(c);
        }
        let e = explainer.explain(x.view(), &method).unwrap();
        let h = 1e-6;
        for r in 0..2 {
            for i in 0..3 {
                let mut plus = x.row(r).to_owned().insert_axis(Axis(0));
                let mut minus = plus.clone();
                plus[[0, i]] += h;
                minus[[0, i]] -= h;
                // The assigned component of the row itself, held fixed.
                let c = cluster.or(Some(labels(&e.prediction)[r]));
                let fp = explainer.forward(plus.view(), c).unwrap().output[0];
                let fm = explainer.forward(minus.view(), c).unwrap().output[0];
                let numeric = (fp - fm) / (2.0 * h) * x[[r, i]];
                assert!(
                    (e.relevance[[r, i]] - numeric).abs() <= 1e-5 * numeric.abs().max(1.0),
                    "{cluster:?} row {r} feature {i}: {} vs {numeric}",
                    e.relevance[[r, i]]
                );
            }
        }
    }
}

#[test]
fn far_from_the_data_the_logit_is_finite_and_conserved() {
    let explainer = cluster_explainer(&two_component_full());
    let direction = [0.6, -0.8, 0.0];
    let rows: Vec<f64> = [1e3, 1e150]
        .iter()
        .flat_map(|d| direction.iter().map(move |v| d * v))
        .collect();
    let x = Array2::from_shape_vec((2, 3), rows).unwrap();
    let methods = [1.0, 0.3, 5.0]
        .map(|beta| Method::neon().with_beta(Beta::Value(beta)))
        .into_iter()
        .chain([Method::default()]);
    for method in methods {
        let e = explainer.explain(x.view(), &method).unwrap();
        assert!(e.output.iter().all(|o| o.is_finite() && *o >= 0.0));
        assert!(e.relevance.iter().all(|v| v.is_finite()));
        assert_conserves(&e.relevance, e.output.as_slice().unwrap(), "far rows");
    }
}

/// Tied covariance with equal weights: the assignment is the k-means midpoint rule in the
/// Mahalanobis metric (nearest mean in `‖Uᵀ(z - mu)‖`); unequal weights shift it.
#[test]
fn tied_equal_weights_assign_to_the_nearest_mean_in_the_mahalanobis_metric() {
    let u = array![[1.0, 0.6], [0.0, 0.5]];
    let means = array![[0.0, 0.0], [2.0, 1.0], [-1.0, 3.0]];
    let mut rng = Rng(7);
    let x = rng.matrix(200, 2, -4.0, 5.0);
    let nearest: Vec<usize> = x
        .outer_iter()
        .map(|z| {
            let d: Vec<f64> = means
                .outer_iter()
                .map(|m| {
                    let y = u.t().dot(&(&z - &m));
                    y.dot(&y)
                })
                .collect();
            (0..3).fold(0, |b, k| if d[k] < d[b] { k } else { b })
        })
        .collect();
    let equal = GaussianMixture::tied(Array1::from_elem(3, 1.0 / 3.0), means.clone(), u.clone());
    let forward = cluster_explainer(&Model::from(equal.unwrap()))
        .forward(x.view(), None)
        .unwrap();
    assert_eq!(labels(&forward.prediction), nearest);
    let skewed = GaussianMixture::tied(array![0.90, 0.05, 0.05], means, u).unwrap();
    let forward = cluster_explainer(&Model::from(skewed))
        .forward(x.view(), None)
        .unwrap();
    assert_ne!(labels(&forward.prediction), nearest);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]
    #[test]
    fn the_cluster_logit_conserves_on_random_mixtures(
        (model, x, beta) in random_mixture(),
        pick in 0usize..4,
    ) {
        let explainer = cluster_explainer(&model);
        let gmm = model.estimator::<GaussianMixture>().unwrap();
        let k_all = gmm.n_components();
        if k_all < 2 {
            prop_assert!(explainer.forward(x.view(), None).is_err());
            return Ok(());
        }
        let proba = gmm.predict_proba(x.view()).unwrap();
        let methods = [Method::neon().with_beta(Beta::Value(beta)), Method::default()];
        for (cluster, method) in [None, Some(pick % k_all)].into_iter().zip(methods.iter().cycle()) {
            let method = match cluster {
                Some(c) => method.with_cluster(c),
                None => *method,
            };
            let e = explainer.explain(x.view(), &method).unwrap();
            prop_assert!(e.relevance.iter().all(|v| v.is_finite()));
            assert_conserves(&e.relevance, e.output.as_slice().unwrap(), "random mixture");
            for (r, &f) in e.output.iter().enumerate() {
                let c = cluster.unwrap_or(labels(&e.prediction)[r]);
                let p = proba[[r, c]];
                if p > 1e-12 && p < 1.0 - 1e-9 {
                    assert_close(f, (p / (1.0 - p)).ln(), 1e-6, "logit");
                }
            }
        }
    }
}
