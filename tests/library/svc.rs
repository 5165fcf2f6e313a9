//! Support vector classifiers (scikit-learn SVC): forward against scikit-learn's
//! decision_function and predict, relevances against the NumPy oracle
//! (`scripts/svc_oracle.py`), conservation on random models (proptest), far rows, the other
//! explainers, hostile model files.

#![allow(clippy::needless_range_loop)] // rows, features and pairs index several tables

use crate::common::{
    assert_close, assert_conserves, fixture_path, model_path, model_space, read_table, Rng,
    SVC_FIXTURES,
};
use ndarray::{array, Array1, Array2};
use neuralize::{
    load_model, model_from_json, Beta, Explainer, Kernel, Method, Model, Prediction, RuleSet, Svc,
    Technique,
};
use proptest::prelude::*;

fn load(name: &str) -> (Model, Array2<f64>) {
    let model = load_model(model_path(name)).unwrap();
    let x = read_table(&fixture_path(name, "input.csv")).values;
    (model, x)
}

fn labels(p: &Prediction) -> Vec<usize> {
    match p {
        Prediction::Labels(l) => l.clone(),
        Prediction::Values(_) => panic!("a classifier predicts labels"),
    }
}

/// The four rule sets and their expected files.
fn rule_files() -> Vec<(&'static str, Method)> {
    vec![
        ("neon-path", Method::rule_set(RuleSet::NeonPath)),
        ("hybrid", Method::rule_set(RuleSet::Hybrid)),
        ("neon", Method::rule_set(RuleSet::Neon)),
        ("neon-ref", Method::rule_set(RuleSet::NeonRef)),
    ]
}

#[test]
fn forward_matches_scikit_learn() {
    for name in SVC_FIXTURES {
        let (model, x) = load(name);
        let svc = model.estimator::<Svc>().unwrap();
        let sk = read_table(&fixture_path(name, "sklearn.csv"));
        let dec = svc
            .decision_function(model_space(&model, x.view()).view())
            .unwrap();
        assert_eq!(dec.ncols() + 1, sk.header.len(), "{name}: pair columns");
        for r in 0..x.nrows() {
            for p in 0..dec.ncols() {
                assert_close(
                    dec[[r, p]],
                    sk.values[[r, 1 + p]],
                    1e-9,
                    &format!("{name} row {r} pair {p}"),
                );
            }
        }
        let forward = Explainer::new(&model).forward(x.view(), None).unwrap();
        let index = sk.column("predict_index");
        for (r, l) in labels(&forward.prediction).into_iter().enumerate() {
            assert_eq!(l as f64, index[r], "{name} row {r}: the vote");
        }
        // The target of the predicted class from scikit-learn's own decision values.
        let k = svc.classes().len();
        for r in 0..x.nrows() {
            let c = index[r] as usize;
            let want = if k == 2 {
                let f = sk.values[[r, 1]];
                if c == 1 {
                    f
                } else {
                    -f
                }
            } else {
                let mut p = 0;
                let mut best = f64::INFINITY;
                for i in 0..k {
                    for j in i + 1..k {
                        let v = sk.values[[r, 1 + p]];
                        if i == c {
                            best = best.min(v);
                        } else if j == c {
                            best = best.min(-v);
                        }
                        p += 1;
                    }
                }
                best
            };
            assert_close(forward.output[r], want, 1e-9, &format!("{name} row {r}"));
        }
    }
}

#[test]
fn relevances_match_the_numpy_oracle() {
    for name in SVC_FIXTURES {
        let (model, x) = load(name);
        let explainer = Explainer::new(&model);
        let mut files = rule_files();
        files.push(("class0", Method::rule_set(RuleSet::Hybrid).with_class(0)));
        for (suffix, method) in files {
            let want = read_table(&fixture_path(name, &format!("expected_{suffix}.csv")));
            let e = explainer.explain(x.view(), &method).unwrap();
            let what = format!("{name} {suffix}");
            let predicted = labels(&e.prediction);
            for r in 0..x.nrows() {
                assert_eq!(predicted[r] as f64, want.values[[r, 0]], "{what} row {r}");
                let target = want.values[[r, 1]];
                assert_close(e.output[r], target, 1e-9, &format!("{what} row {r} target"));
                for i in 0..x.ncols() {
                    let (got, w) = (e.relevance[[r, i]], want.values[[r, 2 + i]]);
                    assert!(
                        (got - w).abs() <= 1e-9 * target.abs().max(1.0),
                        "{what} row {r} feature {i}: {got} vs {w}"
                    );
                }
            }
            assert_conserves(&e.relevance, e.output.as_slice().unwrap(), &what);
        }
    }
}

#[test]
fn the_default_is_neon_path_at_beta_one() {
    let (model, x) = load("svc_breast_cancer");
    let explainer = Explainer::new(&model);
    assert_eq!(
        explainer.default_method(),
        Method::rule_set(RuleSet::NeonPath).with_beta(Beta::Auto)
    );
    assert_eq!(explainer.auto_beta(), 1.0);
    let default = explainer.explain(x.view(), &Method::default()).unwrap();
    let path = explainer
        .explain(x.view(), &Method::rule_set(RuleSet::NeonPath))
        .unwrap();
    assert_eq!(default, path);
    let hybrid = explainer
        .explain(x.view(), &Method::rule_set(RuleSet::Hybrid))
        .unwrap();
    // A stiffer pooling changes the relevance but not the target.
    let stiff = explainer
        .explain(
            x.view(),
            &Method::rule_set(RuleSet::Hybrid).with_beta(Beta::Value(5.0)),
        )
        .unwrap();
    assert_eq!(stiff.output, hybrid.output);
    assert_ne!(stiff.relevance, hybrid.relevance);
    assert_conserves(&stiff.relevance, stiff.output.as_slice().unwrap(), "beta 5");
}

#[test]
fn neon_path_is_rooted_at_the_reference_and_thread_count_independent() {
    for name in SVC_FIXTURES {
        let (model, x) = load(name);
        let explainer = Explainer::new(&model);
        let method = Method::rule_set(RuleSet::NeonPath);
        // At the reference itself nothing changed: the target is spread evenly.
        let reference = explainer
            .reference()
            .to_owned()
            .insert_axis(ndarray::Axis(0));
        let e = explainer.explain(reference.view(), &method).unwrap();
        let d = x.ncols() as f64;
        for v in e.relevance.iter() {
            assert_close(
                *v,
                e.output[0] / d,
                1e-12,
                &format!("{name} at the reference"),
            );
        }
        // Bit-identical on 1 and 2 threads.
        let on = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| explainer.explain(x.view(), &method).unwrap())
        };
        assert_eq!(on(1), on(2), "{name}");
    }
}

#[test]
fn gradient_x_input_uses_the_analytic_gradient_of_the_target() {
    for name in SVC_FIXTURES {
        let (model, x) = load(name);
        let explainer = Explainer::new(&model);
        let e = explainer
            .explain(x.view(), &Method::of(Technique::GradientXInput))
            .unwrap();
        let g = read_table(&fixture_path(name, "expected_gradient.csv")).values;
        let reference = explainer.reference().to_owned();
        let scale = model
            .scaler()
            .map_or_else(|| Array1::ones(x.ncols()), |s| s.scale().to_owned());
        for r in 0..x.nrows() {
            for i in 0..x.ncols() {
                let want = g[[r, i]] / scale[i] * (x[[r, i]] - reference[i]);
                let got = e.relevance[[r, i]];
                assert!(
                    (got - want).abs() <= 1e-9 * want.abs().max(1.0),
                    "{name} row {r} feature {i}: {got} vs {want}"
                );
            }
        }
    }
}

#[test]
fn the_other_explainers_run_on_the_same_target() {
    let (model, x) = load("svc_iris");
    let explainer = Explainer::new(&model);
    let forward = explainer.forward(x.view(), None).unwrap();
    let reference = explainer.reference().to_owned();
    let reference_row = reference.clone().insert_axis(ndarray::Axis(0));
    let predicted = labels(&forward.prediction);
    for technique in [
        Technique::Occlusion,
        Technique::IntegratedGradients,
        Technique::ShapleySampling,
    ] {
        let e = explainer.explain(x.view(), &Method::of(technique)).unwrap();
        assert_eq!(e.output, forward.output, "{technique:?}");
        assert!(e.relevance.iter().all(|v| v.is_finite()), "{technique:?}");
        if technique == Technique::ShapleySampling {
            // efficiency: sum R = f_c(x) - f_c(reference), the class fixed per row
            for r in 0..x.nrows() {
                let at_ref = explainer
                    .forward(reference_row.view(), Some(predicted[r]))
                    .unwrap()
                    .output[0];
                assert_close(
                    e.relevance.row(r).sum(),
                    forward.output[r] - at_ref,
                    1e-9,
                    &format!("shapley row {r}"),
                );
            }
        }
    }
}

#[test]
fn far_rows_are_finite_and_exact() {
    for name in SVC_FIXTURES {
        let (model, x) = load(name);
        let svc = model.estimator::<Svc>().unwrap().clone();
        let explainer = Explainer::new(&model);
        // The fixtures' last row is 1e150 away: every kernel value is 0, the decision values
        // are the intercepts.
        let last = x.nrows() - 1;
        let far = x.slice(ndarray::s![last.., ..]);
        let dec = svc
            .decision_function(model_space(&model, far).view())
            .unwrap();
        let k = svc.classes().len();
        for p in 0..dec.ncols() {
            let want = if k == 2 {
                svc.intercept()[0]
            } else {
                svc.intercept()[p]
            };
            assert_eq!(dec[[0, p]], want, "{name} pair {p}");
        }
        // Further away still: a row at 1e200 (distances overflow to infinity).
        let mut huge = x.row(0).to_owned();
        huge[0] = 1e200;
        huge[x.ncols() - 1] = -3e199;
        let rows = ndarray::stack![ndarray::Axis(0), far.row(0), huge.view()];
        for method in [
            Method::default(),
            Method::rule_set(RuleSet::Neon),
            Method::rule_set(RuleSet::NeonRef),
            Method::default().with_class(k - 1),
        ] {
            let e = explainer.explain(rows.view(), &method).unwrap();
            assert!(e.relevance.iter().all(|v| v.is_finite()), "{name} {method}");
            assert_conserves(&e.relevance, e.output.as_slice().unwrap(), name);
        }
    }
}

// --- conservation on random models --------------------------------------------------------

/// A random SVC: k classes, n_s support vectors per class, d features.
fn random_svc(seed: u64, k: usize, per_class: usize, d: usize, laplacian: bool) -> Svc {
    let mut rng = Rng(seed | 1);
    let n = k * per_class;
    let sv = rng.matrix(n, d, -2.0, 2.0);
    let mut dual = rng.matrix(k - 1, n, -3.0, 3.0);
    if seed % 5 == 0 {
        dual[[0, 0]] = 0.0; // a zero coefficient
    }
    let intercept = Array1::from_shape_fn(k * (k - 1) / 2, |_| rng.uniform(-1.0, 1.0));
    let gamma = 10f64.powf(rng.uniform(-1.5, 1.0));
    let kernel = if laplacian {
        Kernel::Laplacian { gamma }
    } else {
        Kernel::Rbf { gamma }
    };
    let classes = (0..k).map(|c| format!("c{c}")).collect();
    Svc::new(kernel, sv, dual, intercept, classes, vec![per_class; k]).unwrap()
}

/// Every rule set conserves on the random SVC of these parameters, and its target is the
/// smallest duel value of the explained class (rows drawn in `[-spread, spread]^d`).
fn check_random_svc(
    seed: u64,
    k: usize,
    per_class: usize,
    d: usize,
    laplacian: bool,
    spread: f64,
    beta: f64,
) -> Result<(), TestCaseError> {
    let svc = random_svc(seed, k, per_class, d, laplacian);
    let model = Model::from(svc.clone());
    let explainer = Explainer::new(&model);
    let mut rng = Rng(seed.wrapping_mul(7919) | 1);
    let x = rng.matrix(6, d, -spread, spread);
    let dec = svc.decision_function(x.view()).unwrap();
    let pairs = dec.ncols();
    for class in [None, Some(k - 1)] {
        for rule_set in [
            RuleSet::NeonPath,
            RuleSet::Hybrid,
            RuleSet::Neon,
            RuleSet::NeonRef,
        ] {
            let mut method = Method::rule_set(rule_set).with_beta(Beta::Value(beta));
            if let Some(c) = class {
                method = method.with_class(c);
            }
            let e = explainer.explain(x.view(), &method).unwrap();
            prop_assert!(e.relevance.iter().all(|v| v.is_finite()));
            assert_conserves(&e.relevance, e.output.as_slice().unwrap(), "random svc");
            // the target is the smallest duel value of the explained class
            let predicted = labels(&e.prediction);
            for r in 0..x.nrows() {
                let c = class.unwrap_or(predicted[r]);
                let mut want = f64::INFINITY;
                let mut p = 0;
                for i in 0..k {
                    for j in i + 1..k {
                        let v = if k == 2 { -dec[[r, 0]] } else { dec[[r, p]] };
                        if i == c {
                            want = want.min(v)
                        } else if j == c {
                            want = want.min(-v)
                        }
                        p += 1;
                    }
                }
                prop_assert!(p == pairs);
                prop_assert!((e.output[r] - want).abs() <= 1e-12 * want.abs().max(1.0));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_rule_set_conserves_on_random_models(
        seed in 1u64..1_000_000,
        k in 2usize..5,
        per_class in 1usize..4,
        d in 1usize..6,
        laplacian in any::<bool>(),
        spread in prop::sample::select(vec![1.0, 10.0, 1e3, 1e150]),
        beta in prop::sample::select(vec![0.1, 1.0, 30.0]),
    ) {
        check_random_svc(seed, k, per_class, d, laplacian, spread, beta)?;
    }
}

/// A case proptest found: a laplacian model explained about 600 from its support vectors,
/// where every kernel value underflows to 0.
#[test]
fn a_laplacian_model_far_from_its_support_vectors_conserves() {
    check_random_svc(292373, 4, 2, 4, true, 1000.0, 1.0).unwrap();
}

// --- hostile model files -----------------------------------------------------------------

const GOOD: &str = r#"{"format": "neuralize/1", "model": "svc",
  "kernel": {"rbf": {"gamma": 0.5}},
  "support_vectors": [[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]],
  "dual_coef": [[1.0, -0.5, 0.25], [0.5, -1.0, -0.75]],
  "intercept": [0.1, -0.2, 0.3],
  "classes": ["a", "b", "c"],
  "n_support": [1, 1, 1]}"#;

#[test]
fn hostile_model_files_get_clear_errors() {
    let model = model_from_json(GOOD).unwrap();
    let x = array![[0.5, 0.5], [3.0, -1.0]];
    let e = Explainer::new(&model)
        .explain(x.view(), &Method::default())
        .unwrap();
    assert_conserves(&e.relevance, e.output.as_slice().unwrap(), "GOOD");
    let cases = [
        (r#"[1, 1, 1]"#, r#"[1, 1, 2]"#, "n_support"),
        (r#"[1, 1, 1]"#, r#"[1, 2]"#, "n_support"),
        (r#"[0.1, -0.2, 0.3]"#, r#"[0.1, -0.2]"#, "intercept"),
        (
            r#"[[1.0, -0.5, 0.25], [0.5, -1.0, -0.75]]"#,
            r#"[[1.0, -0.5, 0.25]]"#,
            "dual_coef",
        ),
        (
            r#"[[1.0, -0.5, 0.25], [0.5, -1.0, -0.75]]"#,
            r#"[[1.0, -0.5], [0.5, -1.0]]"#,
            "dual_coef",
        ),
        (r#"[2.0, 2.0]]"#, r#"[2.0]]"#, "support_vectors[2]"),
        (r#"{"rbf""#, r#"{"poly""#, "kernel"),
        (r#""gamma": 0.5"#, r#""gamma": -0.5"#, "kernel.gamma"),
        (r#"["a", "b", "c"]"#, r#"["a", "b", "a"]"#, "classes[2]"),
        (r#"["a", "b", "c"]"#, r#"["a", true, "c"]"#, "classes[1]"),
        (
            r#""intercept": [0.1"#,
            r#""intercept": [NaN"#,
            "not a valid model file",
        ),
        (
            r#""n_support": [1, 1, 1]"#,
            r#""n_support": [1, -1, 1]"#,
            "n_support",
        ),
    ];
    for (from, to, needle) in cases {
        let text = GOOD.replacen(from, to, 1);
        assert_ne!(text, GOOD, "{from} not in the model");
        let err = model_from_json(&text).unwrap_err().to_string();
        assert!(err.contains(needle), "{to}: {err}");
    }
    let missing = GOOD.replacen(r#""n_support": [1, 1, 1]"#, r#""other": 1"#, 1);
    let err = model_from_json(&missing).unwrap_err().to_string();
    assert!(
        err.contains("n_support") && err.contains("missing"),
        "{err}"
    );
    // NaN through the library API
    let err = Svc::new(
        Kernel::Rbf { gamma: 1.0 },
        array![[0.0], [1.0]],
        array![[1.0, f64::NAN]],
        array![0.0],
        vec!["a".into(), "b".into()],
        vec![1, 1],
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("dual_coef[0][1]"), "{err}");
}

#[test]
fn the_model_file_round_trips() {
    for name in SVC_FIXTURES {
        let model = load_model(model_path(name)).unwrap();
        let text = neuralize::model_to_json(&model);
        assert_eq!(model_from_json(&text).unwrap(), model, "{name}");
    }
}
