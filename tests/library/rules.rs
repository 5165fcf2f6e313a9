//! Every rule against a slow, obvious re-implementation of its formula (NEON.md), written
//! independently of the crate's kernels: plain loops, exact differences, no shared helpers.

use crate::common::{assert_close, standardize, Rng};
use ndarray::{Array1, Array2};
use neuralize::{
    Beta, Bounds, Explainer, KMeans, Kernel, KernelDensity, LinearRule, Method, Model, OneClassSvm,
    Prediction, Standardizer,
};

fn log_sum_exp(values: &[f64]) -> f64 {
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    max + values.iter().map(|v| (v - max).exp()).sum::<f64>().ln()
}

/// NEON for a kernel model, straight from NEON.md: distance layer, soft-min pooling,
/// pooling redistribution with beta, then the distance share.
fn slow_kernel(
    x: &[f64],
    centers: &Array2<f64>,
    bias: &[f64],
    gamma: f64,
    q: i32,
    beta: f64,
) -> (f64, Vec<f64>) {
    let d = x.len();
    let dist: Vec<f64> = centers
        .outer_iter()
        .map(|u| (0..d).map(|i| (x[i] - u[i]).abs().powi(q)).sum())
        .collect();
    let h: Vec<f64> = dist
        .iter()
        .zip(bias)
        .map(|(dj, bj)| gamma * dj + bj)
        .collect();
    let neg_h: Vec<f64> = h.iter().map(|v| -v).collect();
    let o = -log_sum_exp(&neg_h);
    let scaled: Vec<f64> = h.iter().map(|v| -beta * v).collect();
    let log_norm = log_sum_exp(&scaled);
    let mut relevance = vec![0.0; d];
    for (j, u) in centers.outer_iter().enumerate() {
        let r_j = (scaled[j] - log_norm).exp() * o;
        for i in 0..d {
            relevance[i] += if dist[j] == 0.0 {
                r_j / d as f64
            } else {
                (x[i] - u[i]).abs().powi(q) / dist[j] * r_j
            };
        }
    }
    (o, relevance)
}

fn assert_rows_close(actual: &[f64], expected: &[f64], tol: f64, what: &str) {
    for (i, (&a, &b)) in actual.iter().zip(expected).enumerate() {
        assert_close(a, b, tol, &format!("{what}, feature {i}"));
    }
}

#[test]
fn soft_min_pooling_and_distance_share_match_the_formula() {
    let mut rng = Rng(7);
    for (q, kernel) in [
        (2, Kernel::Rbf { gamma: 0.3 }),
        (1, Kernel::Laplacian { gamma: 0.2 }),
    ] {
        for d in [1, 2, 7] {
            let sv = rng.matrix(9, d, -2.0, 2.0);
            let alpha = Array1::from_shape_fn(9, |_| rng.uniform(0.05, 1.0));
            let rho = 0.7;
            let svm = OneClassSvm::new(kernel, sv.clone(), alpha.clone(), rho).unwrap();
            let explainer = Explainer::new(&Model::from(svm));
            let x = rng.matrix(5, d, -4.0, 4.0);
            let bias: Vec<f64> = alpha.iter().map(|a| -(a / rho).ln()).collect();
            for beta in [0.3, 1.0, 4.0] {
                let e = explainer
                    .explain(x.view(), &Method::neon().with_beta(Beta::Value(beta)))
                    .unwrap();
                for (r, row) in x.outer_iter().enumerate() {
                    let (o, rel) =
                        slow_kernel(row.as_slice().unwrap(), &sv, &bias, kernel.gamma(), q, beta);
                    let what = format!("q={q} d={d} beta={beta} row {r}");
                    assert_close(e.output[r], o, 1e-10, &what);
                    assert_rows_close(e.relevance.row(r).as_slice().unwrap(), &rel, 1e-9, &what);
                }
            }
        }
    }
}

#[test]
fn kernel_density_with_a_scaler_matches_the_formula() {
    let mut rng = Rng(11);
    let d = 3;
    let points = rng.matrix(12, d, -1.0, 1.0);
    let kde = KernelDensity::new(0.8, points.clone()).unwrap();
    let scaler = Standardizer::new(
        Array1::from(vec![1.0, -2.0, 0.5]),
        Array1::from(vec![2.0, 0.5, 3.0]),
    )
    .unwrap();
    let model = Model::from(kde).with_scaler(scaler.clone()).unwrap();
    let x = rng.matrix(6, d, -5.0, 5.0);
    let e = Explainer::new(&model)
        .explain(x.view(), &Method::neon().with_beta(Beta::Value(1.0)))
        .unwrap();
    // The published rules of a kernel model have beta 1.
    let published = Explainer::new(&model)
        .explain(x.view(), &Method::neon())
        .unwrap();
    assert_eq!(published, e, "Method::neon() has beta 1 on kernel density");
    let z = standardize(&scaler, x.view());
    let bias = vec![(12.0f64).ln(); 12];
    for r in 0..6 {
        let (o, rel) = slow_kernel(z.row(r).as_slice().unwrap(), &points, &bias, 0.8, 2, 1.0);
        assert_close(e.output[r], o, 1e-10, &format!("kde row {r}"));
        assert_rows_close(
            e.relevance.row(r).as_slice().unwrap(),
            &rel,
            1e-9,
            &format!("kde row {r}"),
        );
    }
}

/// The k-means contrast layer for cluster c, computed the textbook way `w_k . x + b_k`.
fn contrasts(mu: &Array2<f64>, c: usize, x: &[f64]) -> Vec<(usize, Vec<f64>, f64, Vec<f64>)> {
    let d = x.len();
    (0..mu.nrows())
        .filter(|&k| k != c)
        .map(|k| {
            let w: Vec<f64> = (0..d).map(|i| 2.0 * (mu[[c, i]] - mu[[k, i]])).collect();
            let b: f64 = (0..d)
                .map(|i| mu[[k, i]].powi(2) - mu[[c, i]].powi(2))
                .sum();
            let m: Vec<f64> = (0..d).map(|i| (mu[[c, i]] + mu[[k, i]]) / 2.0).collect();
            (k, w, b, m)
        })
        .collect()
}

/// NEON for k-means with any linear rule, straight from the table of NEON.md.
fn slow_kmeans(
    x: &[f64],
    mu: &Array2<f64>,
    c: usize,
    beta: f64,
    rule: LinearRule,
    bounds: (&[f64], &[f64]),
) -> (f64, Vec<f64>) {
    let d = x.len();
    let units = contrasts(mu, c, x);
    let h: Vec<f64> = units
        .iter()
        .map(|(_, w, b, _)| (0..d).map(|i| w[i] * x[i]).sum::<f64>() + b)
        .collect();
    let f = h.iter().copied().fold(f64::INFINITY, f64::min);
    let scaled: Vec<f64> = h.iter().map(|v| -beta * v).collect();
    let log_norm = log_sum_exp(&scaled);
    let mut relevance = vec![0.0; d];
    for (unit, (_, w, _, m)) in units.iter().enumerate() {
        let r_k = (scaled[unit] - log_norm).exp() * f;
        let z_k = h[unit];
        let share = |num: Vec<f64>| -> Vec<f64> {
            let total: f64 = num.iter().sum();
            num.iter().map(|n| n / total * r_k).collect()
        };
        let contributions: Vec<f64> = (0..d).map(|i| x[i] * w[i]).collect();
        let add: Vec<f64> = match rule {
            LinearRule::Midpoint => share((0..d).map(|i| (x[i] - m[i]) * w[i]).collect()),
            LinearRule::Lrp0 => contributions.iter().map(|c| c / z_k * r_k).collect(),
            LinearRule::Epsilon { epsilon } => {
                let den = z_k + epsilon * if z_k >= 0.0 { 1.0 } else { -1.0 };
                contributions.iter().map(|c| c / den * r_k).collect()
            }
            LinearRule::Gamma { gamma } => share(
                contributions
                    .iter()
                    .map(|&c| c + gamma * if z_k >= 0.0 { c.max(0.0) } else { c.min(0.0) })
                    .collect(),
            ),
            LinearRule::AlphaBeta { alpha, beta } => {
                let pos: f64 = contributions.iter().map(|c| c.max(0.0)).sum();
                let neg: f64 = contributions.iter().map(|c| c.min(0.0)).sum();
                contributions
                    .iter()
                    .map(|&c| {
                        let p = if pos > 0.0 {
                            alpha * c.max(0.0) / pos
                        } else {
                            0.0
                        };
                        let n = if neg < 0.0 {
                            beta * c.min(0.0) / neg
                        } else {
                            0.0
                        };
                        (p - n) * r_k
                    })
                    .collect()
            }
            LinearRule::Flat => vec![r_k / d as f64; d],
            LinearRule::WSquare => share(w.iter().map(|v| v * v).collect()),
            LinearRule::ZBox => share(
                (0..d)
                    .map(|i| {
                        x[i] * w[i] - bounds.0[i] * w[i].max(0.0) - bounds.1[i] * w[i].min(0.0)
                    })
                    .collect(),
            ),
            other => panic!("no formula for the linear rule {other} in this test: add one"),
        };
        for i in 0..d {
            relevance[i] += add[i];
        }
    }
    (f, relevance)
}

#[test]
fn every_linear_rule_matches_its_formula() {
    let mut rules: Vec<LinearRule> = [
        "midpoint",
        "lrp0",
        "epsilon=0.5",
        "gamma=0.25",
        "alpha-beta=2,1",
        "flat",
        "w2",
        "zb",
    ]
    .iter()
    .map(|s| s.parse().unwrap())
    .collect();
    // Every rule of the crate's table too (a new rule needs a formula above).
    for rule in LinearRule::examples() {
        if !rules.contains(&rule) {
            rules.push(rule);
        }
    }
    let mut rng = Rng(3);
    for d in [1, 2, 7] {
        let mu = rng.matrix(4, d, -3.0, 3.0);
        let low = Array1::from_elem(d, -6.0);
        let high = Array1::from_elem(d, 6.0);
        let model = Model::from(KMeans::new(mu.clone()).unwrap())
            .with_bounds(Bounds {
                low: low.clone(),
                high: high.clone(),
            })
            .unwrap();
        let explainer = Explainer::new(&model);
        let x = rng.matrix(6, d, -5.0, 5.0);
        for &rule in &rules {
            for cluster in [None, Some(2)] {
                let mut method = Method::neon()
                    .with_beta(Beta::Value(0.7))
                    .with_linear_rule(rule);
                if let Some(c) = cluster {
                    method = method.with_cluster(c);
                }
                let e = explainer.explain(x.view(), &method).unwrap();
                let Prediction::Labels(assigned) = &e.prediction else {
                    panic!("k-means predicts labels")
                };
                for (r, row) in x.outer_iter().enumerate() {
                    let c = cluster.unwrap_or(assigned[r]);
                    let (f, rel) = slow_kmeans(
                        row.as_slice().unwrap(),
                        &mu,
                        c,
                        0.7,
                        rule,
                        (low.as_slice().unwrap(), high.as_slice().unwrap()),
                    );
                    let what = format!("rule {rule} d={d} cluster {c} row {r}");
                    assert_close(e.output[r], f, 1e-10, &what);
                    assert_rows_close(e.relevance.row(r).as_slice().unwrap(), &rel, 1e-8, &what);
                }
            }
        }
    }
}

#[test]
fn rule_parameters_are_validated() {
    for bad in [
        "epsilon=-1",
        "gamma=x",
        "alpha-beta=2,2",
        "alpha-beta=1",
        "nope",
        "epsilon=nan",
    ] {
        assert!(
            bad.parse::<LinearRule>().is_err(),
            "{bad} should be rejected"
        );
    }
    // A beta must be finite and > 0: rejected when parsed, and when explaining with it.
    for bad in ["0", "nan", "-1", "inf", "x"] {
        assert!(
            bad.parse::<Beta>().is_err(),
            "beta {bad} should be rejected"
        );
    }
    assert_eq!("auto".parse::<Beta>().unwrap(), Beta::Auto);
    assert_eq!("2.5".parse::<Beta>().unwrap(), Beta::Value(2.5));
    let svm = OneClassSvm::new(
        Kernel::Rbf { gamma: 0.5 },
        Array2::zeros((1, 2)),
        Array1::from(vec![1.0]),
        0.5,
    )
    .unwrap();
    let explainer = Explainer::new(&Model::from(svm));
    let x = Array2::zeros((1, 2));
    for bad in [0.0, f64::NAN, -1.0, f64::INFINITY] {
        let err = explainer
            .explain(x.view(), &Method::neon().with_beta(Beta::Value(bad)))
            .unwrap_err();
        assert!(err.to_string().contains("beta"), "beta {bad}: {err}");
    }
    for good in [
        "midpoint",
        "lrp0",
        "epsilon=0.1",
        "gamma=0.5",
        "alpha-beta=1.5,0.5",
        "flat",
        "w2",
        "zb",
    ] {
        let rule: LinearRule = good.parse().unwrap();
        assert_eq!(rule.to_string().parse::<LinearRule>().unwrap(), rule);
    }
}

#[test]
fn zb_without_bounds_is_an_error() {
    let mu = Array2::from_shape_vec((2, 2), vec![0.0, 0.0, 1.0, 1.0]).unwrap();
    let model = Model::from(KMeans::new(mu).unwrap());
    let x = Array2::zeros((1, 2));
    let method = Method::neon()
        .with_beta(Beta::Value(1.0))
        .with_linear_rule(LinearRule::ZBox);
    let err = Explainer::new(&model)
        .explain(x.view(), &method)
        .unwrap_err();
    assert!(err.to_string().contains("bounds"), "{err}");
}

/// Kernel models have no linear layer: a linear rule other than the default midpoint is an
/// error there, for every rule set.
#[test]
fn a_linear_rule_on_a_kernel_model_is_an_error() {
    let sv = Array2::from_shape_vec((2, 2), vec![0.0, 0.0, 1.0, 1.0]).unwrap();
    let models = [
        Model::from(
            OneClassSvm::new(
                Kernel::Rbf { gamma: 0.5 },
                sv.clone(),
                Array1::from(vec![0.5, 0.5]),
                0.4,
            )
            .unwrap(),
        ),
        Model::from(KernelDensity::new(0.5, sv).unwrap()),
    ];
    let x = Array2::zeros((1, 2));
    for model in &models {
        let explainer = Explainer::new(model);
        for rule in LinearRule::examples() {
            let method = Method::neon().with_linear_rule(rule);
            let result = explainer.explain(x.view(), &method);
            if rule == LinearRule::Midpoint {
                assert!(result.is_ok(), "{}: midpoint is the default", model.kind());
            } else {
                let err = result.unwrap_err().to_string();
                assert!(
                    err.contains("no linear layer") && err.contains(model.kind()),
                    "{} {rule}: {err}",
                    model.kind()
                );
            }
        }
    }
}
