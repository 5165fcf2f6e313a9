//! Every rule against a slow, obvious re-implementation of its formula (NEON.md), written
//! independently of the crate's kernels: plain loops, exact differences, no shared helpers.

mod common;

use common::Rng;

use common::assert_close;
use ndarray::{Array1, Array2};
use neuralize::classical::{Bounds, KMeans, KernelDensity, OneClassSvm, Standardizer};
use neuralize::{Composite, Estimator, Explainer, Kernel, LinearRule, Model};

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
            let explainer = Explainer::new(&Model::new(Estimator::OneClassSvm(svm)));
            let x = rng.matrix(5, d, -4.0, 4.0);
            let bias: Vec<f64> = alpha.iter().map(|a| -(a / rho).ln()).collect();
            for beta in [0.3, 1.0, 4.0] {
                let e = explainer
                    .explain(x.view(), &Composite::neon(beta).unwrap(), None)
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
    let model = Model::new(Estimator::KernelDensity(kde))
        .with_scaler(scaler.clone())
        .unwrap();
    let x = rng.matrix(6, d, -5.0, 5.0);
    let e = Explainer::new(&model)
        .explain(x.view(), &Composite::neon(1.0).unwrap(), None)
        .unwrap();
    let z = scaler.transform(x.view());
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
        };
        for i in 0..d {
            relevance[i] += add[i];
        }
    }
    (f, relevance)
}

#[test]
fn every_linear_rule_matches_its_formula() {
    let rules: Vec<LinearRule> = [
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
    let mut rng = Rng(3);
    for d in [1, 2, 7] {
        let mu = rng.matrix(4, d, -3.0, 3.0);
        let low = Array1::from_elem(d, -6.0);
        let high = Array1::from_elem(d, 6.0);
        let model = Model::new(Estimator::KMeans(KMeans::new(mu.clone()).unwrap()))
            .with_bounds(Bounds {
                low: low.clone(),
                high: high.clone(),
            })
            .unwrap();
        let explainer = Explainer::new(&model);
        let x = rng.matrix(6, d, -5.0, 5.0);
        for &rule in &rules {
            for cluster in [None, Some(2)] {
                let composite = Composite::neon(0.7).unwrap().with_linear(rule);
                let e = explainer.explain(x.view(), &composite, cluster).unwrap();
                let neuralize::Prediction::Cluster(assigned) = &e.prediction else {
                    panic!()
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
    assert!(Composite::neon(0.0).is_err());
    assert!(Composite::neon(f64::NAN).is_err());
    assert!(Composite::neon(-1.0).is_err());
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
    let model = Model::new(Estimator::KMeans(KMeans::new(mu).unwrap()));
    let x = Array2::zeros((1, 2));
    let composite = Composite::neon(1.0).unwrap().with_linear(LinearRule::ZBox);
    let err = Explainer::new(&model)
        .explain(x.view(), &composite, None)
        .unwrap_err();
    assert!(err.to_string().contains("bounds"), "{err}");
}
