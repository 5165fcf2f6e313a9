//! Rows far from every support vector / point get a finite outlierness equal to the
//! analytic value and finite relevances that sum to it; a row equal to a support vector
//! gets finite relevances.

use crate::common::{assert_close, assert_conserves};
use ndarray::{Array1, Array2};
use neuralize::{
    Beta, Explainer, KMeans, Kernel, KernelDensity, Method, Model, OneClassSvm, Prediction,
};

/// The published NEON rules with this beta.
fn neon(beta: f64) -> Method {
    Method::neon().with_beta(Beta::Value(beta))
}

fn support_vectors() -> Array2<f64> {
    Array2::from_shape_vec(
        (4, 3),
        vec![
            0.0, 0.5, -1.0, 1.0, 1.5, 0.2, -0.7, 0.3, 0.9, 0.4, -1.2, 0.0,
        ],
    )
    .unwrap()
}

/// `-log sum_j exp(-(gamma ||x - u_j||_q^q + b_j))` with exact differences and a
/// max-shifted log-sum-exp.
fn analytic_outlierness(x: &[f64], sv: &Array2<f64>, bias: &[f64], gamma: f64, q: i32) -> f64 {
    let neg_h: Vec<f64> = sv
        .outer_iter()
        .zip(bias)
        .map(|(u, b)| {
            -(gamma
                * x.iter()
                    .zip(u)
                    .map(|(a, c)| (a - c).abs().powi(q))
                    .sum::<f64>()
                + b)
        })
        .collect();
    let max = neg_h.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    -(max + neg_h.iter().map(|v| (v - max).exp()).sum::<f64>().ln())
}

fn far_rows(sv: &Array2<f64>) -> Array2<f64> {
    let direction = [0.6, -0.8, 0.0];
    let mut rows = Vec::new();
    for distance in [1e3, 1e150] {
        for i in 0..3 {
            rows.push(sv[[1, i]] + distance * direction[i]);
        }
    }
    rows.extend(sv.row(2).iter());
    Array2::from_shape_vec((3, 3), rows).unwrap()
}

#[test]
fn one_class_svm_far_from_the_data_and_on_a_support_vector() {
    let sv = support_vectors();
    let alpha = Array1::from(vec![0.2, 0.5, 0.1, 0.2]);
    let rho: f64 = 0.3;
    let bias: Vec<f64> = alpha.iter().map(|a| -(a / rho).ln()).collect();
    for (q, kernel) in [
        (2, Kernel::Rbf { gamma: 0.5 }),
        (1, Kernel::Laplacian { gamma: 0.5 }),
    ] {
        let svm = OneClassSvm::new(kernel, sv.clone(), alpha.clone(), rho).unwrap();
        let explainer = Explainer::new(&Model::from(svm));
        let x = far_rows(&sv);
        for beta in [0.1, 1.0, 10.0] {
            let e = explainer.explain(x.view(), &neon(beta)).unwrap();
            for r in 0..3 {
                let expected =
                    analytic_outlierness(x.row(r).as_slice().unwrap(), &sv, &bias, 0.5, q);
                assert!(e.output[r].is_finite());
                let rel = (e.output[r] - expected).abs() / expected.abs().max(1.0);
                assert!(rel <= 1e-9, "q={q} row {r}: {} vs {expected}", e.output[r]);
                assert!(
                    e.relevance.row(r).iter().all(|v| v.is_finite()),
                    "q={q} row {r}"
                );
            }
            assert_conserves(
                &e.relevance,
                e.output.as_slice().unwrap(),
                &format!("q={q}"),
            );
            let Prediction::Values(f) = &e.prediction else {
                panic!("a one-class SVM predicts values")
            };
            assert_close(f[1], -rho, 1e-12, "decision_function far away is -rho");
        }
    }
}

#[test]
fn kernel_density_far_from_the_data() {
    let points = support_vectors();
    let kde = KernelDensity::new(0.8, points.clone()).unwrap();
    let explainer = Explainer::new(&Model::from(kde.clone()));
    let x = far_rows(&points);
    let e = explainer.explain(x.view(), &neon(1.0)).unwrap();
    let bias = vec![4f64.ln(); 4];
    for r in 0..3 {
        let expected = analytic_outlierness(x.row(r).as_slice().unwrap(), &points, &bias, 0.8, 2);
        assert!(
            (e.output[r] - expected).abs() <= 1e-9 * expected.abs().max(1.0),
            "row {r}"
        );
    }
    assert_conserves(&e.relevance, e.output.as_slice().unwrap(), "kde");
    let Prediction::Values(log_p) = &e.prediction else {
        panic!("a kernel density predicts values")
    };
    assert!(log_p.iter().all(|v| v.is_finite()));
    // The classical model's own log density agrees.
    let truth = kde.log_density(x.view()).unwrap();
    for (r, (&a, &b)) in log_p.iter().zip(&truth).enumerate() {
        assert_close(a, b, 1e-9, &format!("kde log density row {r}"));
    }
}

#[test]
fn kmeans_far_from_the_data() {
    let mu = support_vectors();
    let explainer = Explainer::new(&Model::from(KMeans::new(mu.clone()).unwrap()));
    let x = far_rows(&mu);
    for cluster in [None, Some(0)] {
        let method = match cluster {
            Some(c) => neon(1.0).with_cluster(c),
            None => neon(1.0),
        };
        let e = explainer.explain(x.view(), &method).unwrap();
        assert!(e.output.iter().all(|v| v.is_finite()));
        assert!(e.relevance.iter().all(|v| v.is_finite()));
        assert_conserves(&e.relevance, e.output.as_slice().unwrap(), "kmeans");
        // The logit is the analytic ||x - mu_k||^2 - ||x - mu_c||^2 of the nearest competitor.
        let Prediction::Labels(assigned) = &e.prediction else {
            panic!("k-means predicts labels")
        };
        let x0 = x.row(0);
        let c = cluster.unwrap_or(assigned[0]);
        let sq = |k: usize| {
            x0.iter()
                .zip(mu.row(k))
                .map(|(a, b)| (a - b) * (a - b))
                .sum::<f64>()
        };
        let expected = (0..4)
            .filter(|&k| k != c)
            .map(|k| sq(k) - sq(c))
            .fold(f64::INFINITY, f64::min);
        assert_close(e.output[0], expected, 1e-9, "kmeans logit at 1e3");
    }
}

#[test]
fn overflowing_distances_are_an_error_not_inf() {
    let svm = OneClassSvm::new(
        Kernel::Rbf { gamma: 1.0 },
        support_vectors(),
        Array1::from(vec![0.25; 4]),
        0.5,
    )
    .unwrap();
    let explainer = Explainer::new(&Model::from(svm));
    let x = Array2::from_shape_vec((2, 3), vec![0.0, 0.0, 0.0, 1e200, 0.0, 0.0]).unwrap();
    let err = explainer.explain(x.view(), &neon(1.0)).unwrap_err();
    assert!(err.to_string().contains("row 1"), "{err}");
}
