//! The explainers other than NEON against their definitions, computed the slow way here:
//! exact Shapley values by enumeration, occlusion by hand, gradients by central finite
//! differences (in this test only), integrated gradients against `f(x) - f(x̃)`.

use crate::common::{self, assert_close, Rng};
use ndarray::{array, Array1, Array2, Axis};
use neuralize::{
    Beta, Explainer, KMeans, Kernel, KernelDensity, Method, Model, OneClassSvm, Prediction,
    RuleSet, Standardizer, Technique,
};

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
    for (name, model) in [
        ("ocsvm_rbf", Model::from(rbf)),
        ("ocsvm_laplacian", Model::from(lap)),
        ("kde", Model::from(kde)),
        ("kmeans", Model::from(km)),
    ] {
        let s = scaler(&mut rng, d);
        out.push((name, model.with_scaler(s).unwrap()));
    }
    out
}

fn inputs(d: usize, n: usize, seed: u64) -> Array2<f64> {
    Rng(seed).matrix(n, d, -4.0, 4.0)
}

/// The method of this name, with its default settings.
fn method(name: &str) -> Method {
    name.parse().unwrap()
}

fn run(explainer: &Explainer, x: &Array2<f64>, method: &Method) -> Array2<f64> {
    explainer.explain(x.view(), method).unwrap().relevance
}

fn row_matrix(x: &[f64]) -> Array2<f64> {
    Array2::from_shape_vec((1, x.len()), x.to_vec()).unwrap()
}

/// `f` of single rows with the explained cluster fixed to the one assigned at `anchor`.
fn f_at(explainer: &Explainer, anchor: &[f64], points: &Array2<f64>) -> Array1<f64> {
    let a = row_matrix(anchor);
    let cluster = match explainer.forward(a.view(), None).unwrap().prediction {
        Prediction::Labels(c) => Some(c[0]),
        Prediction::Values(_) => None,
    };
    explainer.forward(points.view(), cluster).unwrap().output
}

#[test]
fn occlusion_matches_its_definition() {
    for (name, model) in models(5, 11) {
        let explainer = Explainer::new(&model);
        let x = inputs(5, 6, 3);
        let r = run(&explainer, &x, &method("occlusion"));
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
        let r = run(&explainer, &x, &method("gradient-x-input"));
        let s = run(&explainer, &x, &method("sensitivity"));
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
            let m = method("integrated-gradients").with_steps(steps);
            let r = run(&explainer, &x, &m);
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
    let r = run(&explainer, &x, &method("integrated-gradients"));
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
            let m = method("shapley-sampling").with_samples(4000).with_seed(5);
            let r = run(&explainer, &x, &m);
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
    for name in ["shapley-sampling", "meaningful-perturbation", "random"] {
        let m = method(name).with_samples(16).with_seed(42);
        assert!(m.technique().is_sampled(), "{name}");
        let all = explainer.explain(x.view(), &m).unwrap().relevance;
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let again = pool.install(|| explainer.explain(x.view(), &m)).unwrap();
            assert_eq!(all, again.relevance, "{name}: {threads} threads");
        }
        // A row's values depend on its content, its index and the seed only, not on the
        // other rows of the batch. (Splitting one input into batches, where a batch's first
        // row is not row 0, is internal: the unit tests of src/baselines check it.)
        let mut changed_head = x.clone();
        changed_head
            .slice_mut(ndarray::s![..4, ..])
            .assign(&inputs(6, 4, 99));
        let other_rows = explainer
            .explain(changed_head.view(), &m)
            .unwrap()
            .relevance;
        assert_eq!(
            all.slice(ndarray::s![4.., ..]),
            other_rows.slice(ndarray::s![4.., ..]),
            "{name}: rows 4.. do not depend on rows ..4"
        );
        let changed = explainer
            .explain(x.view(), &m.with_seed(43))
            .unwrap()
            .relevance;
        assert_ne!(all, changed, "{name}: the seed must matter");
    }
}

/// The root point of the Taylor expansion, as documented for `taylor`: on the segment
/// `x + t (x̃ - x)`, t in [0, 1]; if `f(x̃)` has the other sign than `f(x)` (or is 0), 40
/// bisections on t, taken on the crossed side; otherwise x̃; x itself if `f(x) = 0`.
fn root_point(output: &dyn Fn(&[f64]) -> f64, x: &[f64], fx: f64, reference: &[f64]) -> Vec<f64> {
    let at = |t: f64| -> Vec<f64> {
        x.iter()
            .zip(reference)
            .map(|(&a, &b)| a + t * (b - a))
            .collect()
    };
    let crossed = |f: f64| if fx > 0.0 { f <= 0.0 } else { f >= 0.0 };
    if fx == 0.0 {
        return x.to_vec();
    }
    if !crossed(output(reference)) {
        return reference.to_vec();
    }
    let (mut lo, mut hi) = (0.0, 1.0);
    for _ in 0..40 {
        let mid = 0.5 * (lo + hi);
        if crossed(output(&at(mid))) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    at(hi)
}

/// The analytic gradient `df/dx` at `p`, read off gradient x input with the reference
/// moved to `p - 1` (so that `p_i - x̃_i` is ~1 and never 0).
fn gradient_at(explainer: &Explainer, p: &[f64]) -> Vec<f64> {
    let shifted: Array1<f64> = p.iter().map(|v| v - 1.0).collect();
    let moved = explainer.clone().with_reference(shifted.clone()).unwrap();
    let r = run(&moved, &row_matrix(p), &method("gradient-x-input"));
    (0..p.len())
        .map(|i| r[[0, i]] / (p[i] - shifted[i]))
        .collect()
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
    let r = run(&explainer, &x, &method("taylor"));
    let output = |p: &[f64]| {
        explainer
            .forward(row_matrix(p).view(), None)
            .unwrap()
            .output[0]
    };
    let mut crossed = 0;
    for (k, row) in x.outer_iter().enumerate() {
        let row = row.to_vec();
        let root = root_point(&output, &row, f[k], &reference);
        if f[k] > 0.0 {
            crossed += 1;
            assert!(output(&root).abs() < 1e-9, "f(root) = 0");
        }
        let g = gradient_at(&explainer, &root);
        for i in 0..4 {
            assert_close(
                r[[k, i]],
                g[i] * (row[i] - root[i]),
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
    let model = Model::from(svm);
    let explainer = Explainer::new(&model);
    let x = array![[0.1, -0.2, 4.0, 0.3, 0.0]];
    let r = run(&explainer, &x, &method("meaningful-perturbation"));
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
                let m = Method::rule_set(rule_set).with_beta(Beta::Value(1.0));
                let err = explainer.explain(x.view(), &m).unwrap_err().to_string();
                assert!(
                    err.contains(&format!("{rule_set} is not defined for kmeans models")),
                    "{rule_set} is kernel-only: {err}"
                );
                continue;
            }
            for beta in [0.3, 1.0] {
                let m = Method::rule_set(rule_set).with_beta(Beta::Value(beta));
                let e = explainer.explain(x.view(), &m).unwrap();
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
            .explain(x.view(), &Method::neon().with_beta(Beta::Value(0.5)))
            .unwrap();
        let floor = explainer
            .explain(
                x.view(),
                &Method::rule_set(RuleSet::NeonFloor).with_beta(Beta::Value(0.5)),
            )
            .unwrap();
        let Some(svm) = model.estimator::<OneClassSvm>() else {
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
        "default",
        "default@auto",
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
    // Every technique of the crate's table round-trips by its name.
    for technique in Technique::all() {
        let m: Method = technique.name().parse().unwrap();
        assert_eq!(m.technique(), technique);
        assert_eq!(m, Method::of(technique));
        assert_eq!(m.to_string(), technique.name());
    }
    assert_eq!(method("default"), Method::default());
    assert_eq!(method("neon"), Method::neon());
    assert_eq!(
        method("neon-ref@2.5"),
        Method::rule_set(RuleSet::NeonRef).with_beta(Beta::Value(2.5))
    );
    assert_eq!(
        method("hybrid@auto"),
        Method::rule_set(RuleSet::Hybrid).with_beta(Beta::Auto)
    );
}
