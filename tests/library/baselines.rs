//! The explainers other than NEON against their definitions, computed the slow way here:
//! exact Shapley values by enumeration, occlusion by hand, gradients by central finite
//! differences (in this test only), integrated gradients against `f(x) - f(x̃)`.

mod common;

use common::Rng;

use common::assert_close;
use ndarray::{array, Array1, Array2, Axis};
use neuralize::baselines::{explain_batch, taylor, Method, Settings, Target};
use neuralize::classical::{KMeans, KernelDensity, OneClassSvm, Standardizer};
use neuralize::{Composite, Estimator, Explainer, Kernel, Model, RuleSet};

fn scaler(rng: &mut Rng, d: usize) -> Standardizer {
    let mean = Array1::from_shape_fn(d, |_| rng.uniform(-2.0, 2.0));
    let scale = Array1::from_shape_fn(d, |_| rng.uniform(0.5, 3.0));
    Standardizer::new(mean, scale).unwrap()
}

/// A scaled OC-SVM (rbf or laplacian), a scaled KDE and a scaled k-means on d features.
fn models(d: usize, seed: u64) -> Vec<(&'static str, Model)> {
    let mut rng = Rng(seed);
    let sv = rng.matrix(7, d, -1.0, 1.0);
    let alpha = Array1::from_shape_fn(7, |_| rng.uniform(0.2, 1.0));
    let rbf = OneClassSvm::new(Kernel::Rbf { gamma: 0.4 }, sv.clone(), alpha.clone(), 0.5).unwrap();
    let lap = OneClassSvm::new(Kernel::Laplacian { gamma: 0.3 }, sv, alpha, 0.5).unwrap();
    let kde = KernelDensity::new(0.7, rng.matrix(9, d, -1.0, 1.0)).unwrap();
    let km = KMeans::new(rng.matrix(4, d, -1.5, 1.5)).unwrap();
    let mut out = Vec::new();
    for (name, e) in [
        ("ocsvm_rbf", Estimator::OneClassSvm(rbf)),
        ("ocsvm_laplacian", Estimator::OneClassSvm(lap)),
        ("kde", Estimator::KernelDensity(kde)),
        ("kmeans", Estimator::KMeans(km)),
    ] {
        let s = scaler(&mut rng, d);
        out.push((name, Model::new(e).with_scaler(s).unwrap()));
    }
    out
}

fn inputs(d: usize, n: usize, seed: u64) -> Array2<f64> {
    Rng(seed).matrix(n, d, -4.0, 4.0)
}

fn run(explainer: &Explainer, x: &Array2<f64>, method: &str, settings: &Settings) -> Array2<f64> {
    let method: Method = method.parse().unwrap();
    explain_batch(explainer, x.view(), 0, method, settings, None)
        .unwrap()
        .relevance
}

fn row_matrix(x: &[f64]) -> Array2<f64> {
    Array2::from_shape_vec((1, x.len()), x.to_vec()).unwrap()
}

/// `f` of single rows with the explained cluster fixed to the one assigned at `anchor`.
fn f_at(explainer: &Explainer, anchor: &[f64], points: &Array2<f64>) -> Array1<f64> {
    let a = row_matrix(anchor);
    let cluster = match explainer.forward(a.view(), None).unwrap().prediction {
        neuralize::Prediction::Cluster(c) => Some(c[0]),
        _ => None,
    };
    explainer.forward(points.view(), cluster).unwrap().output
}

#[test]
fn occlusion_matches_its_definition() {
    for (name, model) in models(5, 11) {
        let explainer = Explainer::new(&model);
        let x = inputs(5, 6, 3);
        let r = run(&explainer, &x, "occlusion", &Settings::default());
        let reference = explainer.reference().to_owned();
        for (row, rel) in x.outer_iter().zip(r.outer_iter()) {
            let mut points = Array2::zeros((6, 5));
            points.row_mut(0).assign(&row);
            for i in 0..5 {
                let mut p = row.to_owned();
                p[i] = reference[i];
                points.row_mut(i + 1).assign(&p);
            }
            let f = f_at(&explainer, row.as_slice().unwrap(), &points);
            for i in 0..5 {
                assert_close(
                    rel[i],
                    f[0] - f[i + 1],
                    1e-12,
                    &format!("{name} occlusion {i}"),
                );
            }
        }
    }
}

#[test]
fn gradient_x_input_matches_central_differences() {
    let h = 1e-6;
    for (name, model) in models(4, 5) {
        let explainer = Explainer::new(&model);
        let x = inputs(4, 8, 9);
        let r = run(&explainer, &x, "gradient-x-input", &Settings::default());
        let s = run(&explainer, &x, "sensitivity", &Settings::default());
        let reference = explainer.reference().to_owned();
        for (row, (rel, sens)) in x.outer_iter().zip(r.outer_iter().zip(s.outer_iter())) {
            let mut points = Array2::zeros((8, 4));
            for i in 0..4 {
                for (k, step) in [h, -h].iter().enumerate() {
                    let mut p = row.to_owned();
                    p[i] += step;
                    points.row_mut(2 * i + k).assign(&p);
                }
            }
            let f = f_at(&explainer, row.as_slice().unwrap(), &points);
            for i in 0..4 {
                let fd = (f[2 * i] - f[2 * i + 1]) / (2.0 * h);
                let expected = fd * (row[i] - reference[i]);
                let tol = 1e-5 * (1.0 + fd.abs()) * (1.0 + (row[i] - reference[i]).abs());
                assert!(
                    (rel[i] - expected).abs() <= tol,
                    "{name} feature {i}: gradient x input {} vs finite differences {expected}",
                    rel[i]
                );
                assert!(
                    (sens[i] - fd * fd).abs() <= 1e-4 * (1.0 + fd * fd),
                    "{name} sensitivity"
                );
            }
        }
    }
}

#[test]
fn integrated_gradients_sum_to_the_output_difference() {
    for (name, model) in models(5, 21) {
        if name == "ocsvm_laplacian" || name == "kmeans" {
            continue; // piecewise: the midpoint rule has no O(1/N^2) bound across kinks
        }
        let explainer = Explainer::new(&model);
        let x = inputs(5, 5, 4);
        let reference = explainer.reference().to_owned();
        let f_ref = f_at(
            &explainer,
            reference.as_slice().unwrap(),
            &reference.clone().insert_axis(Axis(0)),
        )[0];
        let f_x = explainer.forward(x.view(), None).unwrap().output;
        let error = |steps: usize| -> f64 {
            let s = Settings {
                steps,
                ..Settings::default()
            };
            let r = run(&explainer, &x, "integrated-gradients", &s);
            (0..5)
                .map(|k| (r.row(k).sum() - (f_x[k] - f_ref)).abs())
                .fold(0.0, f64::max)
        };
        let (coarse, fine) = (error(16), error(256));
        let scale = f_x.iter().map(|v| (v - f_ref).abs()).fold(1.0, f64::max);
        assert!(
            fine <= 1e-3 * scale,
            "{name}: IG(256) misses f(x) - f(ref) by {fine}"
        );
        assert!(
            fine <= coarse / 50.0 + 1e-12,
            "{name}: error {coarse} -> {fine} is not O(1/N^2)"
        );
    }
}

#[test]
fn integrated_gradients_are_exact_on_kmeans_within_one_region() {
    // Inside one region the logit is linear, so every rule is exact.
    let (_, model) = models(3, 8).pop().unwrap();
    let explainer = Explainer::new(&model);
    let reference = explainer.reference().to_owned();
    let x = (&reference + &array![1e-3, -2e-3, 1e-3]).insert_axis(Axis(0));
    let f = explainer.forward(x.view(), None).unwrap().output[0];
    let f_ref = f_at(
        &explainer,
        x.row(0).as_slice().unwrap(),
        &reference.clone().insert_axis(Axis(0)),
    )[0];
    let r = run(&explainer, &x, "integrated-gradients", &Settings::default());
    assert_close(r.row(0).sum(), f - f_ref, 1e-9, "IG on a linear piece");
}

/// Exact Shapley values of `v(S) = f(x_S, ref_rest)` by enumerating all subsets.
fn exact_shapley(explainer: &Explainer, x: &[f64], reference: &[f64]) -> Vec<f64> {
    let d = x.len();
    let n = 1usize << d;
    let points = Array2::from_shape_fn(
        (n, d),
        |(s, i)| if s >> i & 1 == 1 { x[i] } else { reference[i] },
    );
    let v = f_at(explainer, x, &points);
    let factorial = |k: usize| (1..=k).map(|v| v as f64).product::<f64>();
    let mut phi = vec![0.0; d];
    for s in 0..n {
        let size = (s as u32).count_ones() as usize;
        for (i, p) in phi.iter_mut().enumerate() {
            if s >> i & 1 == 0 {
                let w = factorial(size) * factorial(d - size - 1) / factorial(d);
                *p += w * (v[s | 1 << i] - v[s]);
            }
        }
    }
    phi
}

#[test]
fn shapley_sampling_converges_to_exact_shapley_values() {
    for d in [3, 6, 8] {
        for (name, model) in models(d, 31 + d as u64) {
            let explainer = Explainer::new(&model);
            let x = inputs(d, 2, 7 + d as u64);
            let reference = explainer.reference().to_vec();
            let settings = Settings {
                samples: 4000,
                seed: 5,
                ..Settings::default()
            };
            let r = run(&explainer, &x, "shapley-sampling", &settings);
            for (row, rel) in x.outer_iter().zip(r.outer_iter()) {
                let exact = exact_shapley(&explainer, row.as_slice().unwrap(), &reference);
                let total: f64 = exact.iter().map(|v| v.abs()).sum::<f64>().max(1e-3);
                for i in 0..d {
                    assert!(
                        (rel[i] - exact[i]).abs() <= 0.05 * total,
                        "{name} d={d} feature {i}: sampled {} vs exact {} (sum |phi| {total})",
                        rel[i],
                        exact[i]
                    );
                }
                assert_close(
                    rel.sum(),
                    exact.iter().sum(),
                    1e-9,
                    &format!("{name} efficiency"),
                );
            }
        }
    }
}

#[test]
fn sampling_methods_depend_on_the_seed_only() {
    let (_, model) = models(6, 2).remove(0);
    let explainer = Explainer::new(&model);
    let x = inputs(6, 9, 1);
    for method in ["shapley-sampling", "meaningful-perturbation", "random"] {
        let m: Method = method.parse().unwrap();
        let s = Settings {
            samples: 16,
            seed: 42,
            ..Settings::default()
        };
        let all = explain_batch(&explainer, x.view(), 0, m, &s, None)
            .unwrap()
            .relevance;
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let again = pool
                .install(|| explain_batch(&explainer, x.view(), 0, m, &s, None))
                .unwrap();
            assert_eq!(all, again.relevance, "{method}: {threads} threads");
        }
        // the same rows explained in two batches (streaming) give the same values
        let tail = x.slice(ndarray::s![4.., ..]);
        let split = explain_batch(&explainer, tail, 4, m, &s, None)
            .unwrap()
            .relevance;
        assert_eq!(
            all.slice(ndarray::s![4.., ..]),
            split,
            "{method}: batch split"
        );
        let other = Settings { seed: 43, ..s };
        let changed = explain_batch(&explainer, x.view(), 0, m, &other, None)
            .unwrap()
            .relevance;
        assert_ne!(all, changed, "{method}: the seed must matter");
    }
}

#[test]
fn taylor_expands_at_a_root_point() {
    let (_, model) = models(4, 13).remove(0);
    let explainer = Explainer::new(&model);
    let reference = explainer.reference().to_vec();
    let x = inputs(4, 10, 17);
    let f = explainer.forward(x.view(), None).unwrap().output;
    let f_ref = f_at(&explainer, &reference, &row_matrix(&reference))[0];
    assert!(f_ref < 0.0, "the test needs an inlier reference");
    let r = run(&explainer, &x, "taylor", &Settings::default());
    let net = explainer.network();
    let target = Target::new(net, None);
    let mut crossed = 0;
    for (k, row) in x.outer_iter().enumerate() {
        let row = row.to_vec();
        let root = taylor::root_point(&target, &row, f[k], &reference).unwrap();
        if f[k] > 0.0 {
            crossed += 1;
            assert!(target.output(&root).unwrap().abs() < 1e-9, "f(root) = 0");
        }
        let g = target.gradients(row_matrix(&root).view());
        for i in 0..4 {
            assert_close(
                r[[k, i]],
                g[[0, i]] * (row[i] - root[i]),
                1e-12,
                "taylor relevance",
            );
        }
    }
    assert!(crossed > 0, "some rows are outliers");
}

#[test]
fn meaningful_perturbation_deletes_the_planted_feature() {
    // One SV at the origin: outlierness = gamma ||z||^2 - log(alpha/rho); feature 2 is far.
    let svm = OneClassSvm::new(
        Kernel::Rbf { gamma: 0.5 },
        Array2::zeros((1, 5)),
        array![1.0],
        0.5,
    )
    .unwrap();
    let model = Model::new(Estimator::OneClassSvm(svm));
    let explainer = Explainer::new(&model);
    let x = array![[0.1, -0.2, 4.0, 0.3, 0.0]];
    let r = run(
        &explainer,
        &x,
        "meaningful-perturbation",
        &Settings::default(),
    );
    let f = explainer.forward(x.view(), None).unwrap().output[0];
    let mask: Vec<f64> = r.row(0).iter().map(|v| v / f).collect();
    assert!(
        mask.iter().all(|&m| (0.0..=1.0).contains(&m)),
        "mask in [0, 1]: {mask:?}"
    );
    assert!(mask[2] > 0.5, "the far feature is deleted: {mask:?}");
    assert!(
        mask.iter().enumerate().all(|(i, &m)| i == 2 || m < 0.01),
        "only it: {mask:?}"
    );
}

#[test]
fn reference_rule_sets_conserve() {
    for (name, model) in models(6, 41) {
        let explainer = Explainer::new(&model);
        let x = inputs(6, 30, 2);
        for rule_set in [RuleSet::NeonRef, RuleSet::Hybrid, RuleSet::NeonFloor] {
            if name == "kmeans" && rule_set != RuleSet::NeonRef {
                let c = Composite::from_rule_set(rule_set, 1.0).unwrap();
                assert!(
                    explainer.explain(x.view(), &c, None).is_err(),
                    "{rule_set} is kernel-only"
                );
                continue;
            }
            for beta in [0.3, 1.0] {
                let c = Composite::from_rule_set(rule_set, beta).unwrap();
                let e = explainer.explain(x.view(), &c, None).unwrap();
                common::assert_conserves(
                    &e.relevance,
                    e.output.as_slice().unwrap(),
                    &format!("{name} {rule_set}"),
                );
            }
        }
    }
}

/// `neon-floor`: `R = (o - o_0) S + o_0 / d` with the NEON shares S of `neon`; so it ranks
/// features as `neon` where o > 0, keeps that ranking where o <= 0 (where `neon`, `o S`,
/// reverses it), and equals `neon` for kernel density (o_0 = 0).
#[test]
fn the_bias_floor_is_spread_flat() {
    for (name, model) in models(5, 43) {
        if name == "kmeans" {
            continue;
        }
        let explainer = Explainer::new(&model);
        let x = inputs(5, 40, 3);
        let neon = explainer
            .explain(x.view(), &Composite::neon(0.5).unwrap(), None)
            .unwrap();
        let floor = explainer
            .explain(
                x.view(),
                &Composite::from_rule_set(RuleSet::NeonFloor, 0.5).unwrap(),
                None,
            )
            .unwrap();
        let Estimator::OneClassSvm(svm) = model.estimator() else {
            for (a, b) in neon.relevance.iter().zip(&floor.relevance) {
                assert_close(*b, *a, 1e-9, &format!("{name}: floor 0"));
            }
            continue;
        };
        let o0 = (svm.rho() / svm.dual_coef().sum()).ln();
        let mut inliers = 0;
        for ((n, f), &o) in neon
            .relevance
            .outer_iter()
            .zip(floor.relevance.outer_iter())
            .zip(&neon.output)
        {
            if o.abs() < 1e-6 {
                continue;
            }
            inliers += usize::from(o < 0.0);
            for (&n_i, &f_i) in n.iter().zip(f) {
                let expected = (o - o0) * n_i / o + o0 / 5.0;
                assert_close(
                    f_i,
                    expected,
                    1e-9,
                    &format!("{name}: R = (o - o0) S + o0/d"),
                );
            }
        }
        assert!(inliers > 0, "{name}: the inputs include inliers");
    }
}

#[test]
fn methods_parse_and_print() {
    for name in [
        "neon",
        "neon-ref@auto",
        "hybrid@0.5",
        "neon-floor@auto",
        "occlusion",
        "gradient-x-input",
        "sensitivity",
        "integrated-gradients",
        "taylor",
        "meaningful-perturbation",
        "shapley-sampling",
        "random",
    ] {
        assert_eq!(name.parse::<Method>().unwrap().to_string(), name);
    }
    for bad in ["lime", "occlusion@2", "neon@0", "neon@x"] {
        assert!(bad.parse::<Method>().is_err(), "{bad}");
    }
}
