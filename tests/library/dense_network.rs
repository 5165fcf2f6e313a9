//! Dense networks (scikit-learn MLPs): forward against scikit-learn, relevances against the
//! NumPy oracle (`scripts/lrp_dense_oracle.py`), closed forms on one layer, conservation,
//! LRP-0 = gradient x input, the other explainers, hostile model files.

#![allow(clippy::needless_range_loop)] // rows and classes index several tables at once

use crate::common::{
    assert_close, assert_conserves, assert_matches_dense_oracle, fixture_path, model_path,
    read_table, Rng, DENSE_FIXTURES,
};
use ndarray::{array, Array1, Array2};
use neuralize::{
    load_model, model_from_json, Activation, ClassTarget, DenseLayer, DenseNetwork, Explainer,
    LinearRule, Method, Model, OutputKind, Prediction, RuleSet, Technique,
};
use proptest::prelude::*;

/// The expected-file suffixes and the method each one is.
fn rule_files() -> Vec<(&'static str, Method)> {
    let uniform = |r: LinearRule| Method::rule_set(RuleSet::Uniform).with_linear_rule(r);
    vec![
        ("neon-ref", Method::rule_set(RuleSet::NeonRef)),
        ("reveal-cancel", Method::rule_set(RuleSet::RevealCancel)),
        ("neon-flip", Method::rule_set(RuleSet::NeonFlip)),
        ("tutorial", Method::rule_set(RuleSet::Tutorial)),
        ("gamma-zb", Method::rule_set(RuleSet::GammaZb)),
        (
            "epsilon-plus-flat",
            Method::rule_set(RuleSet::EpsilonPlusFlat),
        ),
        ("lrp0", uniform(LinearRule::Lrp0)),
        ("epsilon", uniform(LinearRule::Epsilon { epsilon: 0.25 })),
        ("gamma", uniform(LinearRule::Gamma { gamma: 0.25 })),
        (
            "alpha-beta",
            uniform(LinearRule::AlphaBeta {
                alpha: 2.0,
                beta: 1.0,
            }),
        ),
        ("w2", uniform(LinearRule::WSquare)),
        ("flat", uniform(LinearRule::Flat)),
    ]
}

fn load(name: &str) -> (Model, Array2<f64>) {
    let model = load_model(model_path(name)).unwrap();
    let x = read_table(&fixture_path(name, "input.csv")).values;
    (model, x)
}

fn classes(model: &Model) -> usize {
    model
        .estimator::<DenseNetwork>()
        .unwrap()
        .classes()
        .map_or(0, |c| c.len())
}

#[test]
fn forward_matches_scikit_learn() {
    for name in DENSE_FIXTURES {
        let (model, x) = load(name);
        let explainer = Explainer::new(&model);
        let sk = read_table(&fixture_path(name, "sklearn.csv"));
        let k = classes(&model);
        let forward = explainer.forward(x.view(), None).unwrap();
        if k == 0 {
            let Prediction::Values(v) = &forward.prediction else {
                panic!("{name}: a regressor predicts values")
            };
            for (r, (&got, want)) in v.iter().zip(sk.column("predict")).enumerate() {
                assert_close(got, want, 1e-12, &format!("{name} row {r}"));
                assert_close(forward.output[r], want, 1e-12, &format!("{name} row {r}"));
            }
            continue;
        }
        let Prediction::Labels(labels) = &forward.prediction else {
            panic!("{name}: a classifier predicts labels")
        };
        let index = sk.column("predict_index");
        for (r, &l) in labels.iter().enumerate() {
            assert_eq!(l as f64, index[r], "{name} row {r}");
        }
        // Probabilities from the logits of every class (softmax) or the positive one.
        let logits: Vec<Array1<f64>> = (0..k)
            .map(|c| explainer.forward(x.view(), Some(c)).unwrap().output)
            .collect();
        for r in 0..x.nrows() {
            let p: Vec<f64> =
                if model.estimator::<DenseNetwork>().unwrap().output() == OutputKind::Logistic {
                    let z = logits[1][r];
                    assert_close(logits[0][r], -z, 0.0, "class 0 explains -z");
                    vec![1.0 / (1.0 + z.exp()), 1.0 / (1.0 + (-z).exp())]
                } else {
                    let m = (0..k).map(|c| logits[c][r]).fold(f64::MIN, f64::max);
                    let e: Vec<f64> = (0..k).map(|c| (logits[c][r] - m).exp()).collect();
                    let s: f64 = e.iter().sum();
                    e.iter().map(|v| v / s).collect()
                };
            for (c, &pc) in p.iter().enumerate() {
                let want = sk.values[[r, 1 + c]];
                assert_close(pc, want, 1e-12, &format!("{name} row {r} p[{c}]"));
            }
        }
    }
}

#[test]
fn relevances_match_the_numpy_oracle() {
    for name in DENSE_FIXTURES {
        let (model, x) = load(name);
        let explainer = Explainer::new(&model);
        for (suffix, method) in rule_files() {
            let want = read_table(&fixture_path(name, &format!("expected_{suffix}.csv")));
            let e = explainer.explain(x.view(), &method).unwrap();
            assert_matches_dense_oracle(&e, &want, &format!("{name} {suffix}"));
        }
    }
}

#[test]
fn the_default_is_neon_drop_and_the_conserving_rules_conserve() {
    for name in DENSE_FIXTURES {
        let (model, x) = load(name);
        let explainer = Explainer::new(&model);
        let default = explainer.explain(x.view(), &Method::default()).unwrap();
        let drop = explainer
            .explain(x.view(), &Method::rule_set(RuleSet::NeonDrop))
            .unwrap();
        assert_eq!(default, drop, "{name}");
        for method in [
            Method::default(),
            Method::rule_set(RuleSet::NeonRef),
            Method::rule_set(RuleSet::RevealCancel),
            Method::rule_set(RuleSet::NeonFlip),
            Method::rule_set(RuleSet::GammaZb),
            Method::rule_set(RuleSet::Uniform).with_linear_rule(LinearRule::Gamma { gamma: 1.0 }),
            Method::rule_set(RuleSet::Uniform).with_linear_rule(LinearRule::WSquare),
            Method::rule_set(RuleSet::Uniform).with_linear_rule(LinearRule::Flat),
        ] {
            let e = explainer.explain(x.view(), &method).unwrap();
            assert_conserves(
                &e.relevance,
                e.output.as_slice().unwrap(),
                &format!("{name} {method:?}"),
            );
        }
    }
}

#[test]
fn reveal_cancel_is_thread_count_independent_and_refuses_layer_rules() {
    for name in DENSE_FIXTURES {
        let (model, x) = load(name);
        let explainer = Explainer::new(&model);
        // Many rows: several fixed chunks, so the two pools split the work differently.
        let rows: Vec<_> = (0..40).flat_map(|_| x.outer_iter()).collect();
        let many = ndarray::stack(ndarray::Axis(0), &rows).unwrap();
        let method = Method::rule_set(RuleSet::RevealCancel);
        let on = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| explainer.explain(many.view(), &method).unwrap())
        };
        assert_eq!(on(1), on(2), "{name}");
    }
    let (model, x) = load("mlp_iris");
    let err = Explainer::new(&model)
        .explain(
            x.view(),
            &"reveal-cancel"
                .parse::<Method>()
                .unwrap()
                .with_layer_rules("0=flat".parse().unwrap()),
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("reveal-cancel"), "{err}");
}

#[test]
fn lrp0_is_gradient_times_input_and_gradients_match_the_oracle() {
    for name in DENSE_FIXTURES {
        let (model, x) = load(name);
        // LRP-0 = gradient x input holds from the origin of the standardized space.
        let origin = match model.scaler() {
            Some(s) => s.mean().to_owned(),
            None => Array1::zeros(x.ncols()),
        };
        let explainer = Explainer::new(&model)
            .with_reference(origin.clone())
            .unwrap();
        let lrp0 = explainer
            .explain(
                x.view(),
                &Method::rule_set(RuleSet::Uniform).with_linear_rule(LinearRule::Lrp0),
            )
            .unwrap();
        let gxi = explainer
            .explain(x.view(), &Method::of(Technique::GradientXInput))
            .unwrap();
        let gradient = read_table(&fixture_path(name, "expected_gradient.csv")).values;
        let scale = model
            .scaler()
            .map_or(Array1::ones(x.ncols()), |s| s.scale().to_owned());
        for r in 0..x.nrows() {
            let f = lrp0.output[r].abs().max(1.0);
            for i in 0..x.ncols() {
                let what = format!("{name} row {r} feature {i}");
                assert!(
                    (lrp0.relevance[[r, i]] - gxi.relevance[[r, i]]).abs() <= 1e-9 * f,
                    "{what}: LRP-0 {} vs gradient x input {}",
                    lrp0.relevance[[r, i]],
                    gxi.relevance[[r, i]]
                );
                let oracle = gradient[[r, i]] / scale[i] * (x[[r, i]] - origin[i]);
                assert!(
                    (gxi.relevance[[r, i]] - oracle).abs() <= 1e-9 * f,
                    "{what}: gradient x input {} vs oracle {oracle}",
                    gxi.relevance[[r, i]]
                );
            }
        }
    }
}

#[test]
fn the_other_explainers_run_and_integrated_gradients_approach_the_difference() {
    let (model, x) = load("mlp_wine");
    let explainer = Explainer::new(&model);
    let x = x.slice(ndarray::s![..8, ..]).to_owned();
    for technique in Technique::all() {
        if matches!(technique, Technique::Neon(_) | Technique::Default) {
            continue;
        }
        let e = explainer.explain(x.view(), &Method::of(technique)).unwrap();
        assert!(e.relevance.iter().all(|v| v.is_finite()), "{technique:?}");
    }
    // Integrated gradients of the predicted class's logit: sum ~ f(x) - f(x̃) of that class.
    let ig = explainer
        .explain(
            x.view(),
            &Method::of(Technique::IntegratedGradients).with_steps(256),
        )
        .unwrap();
    let Prediction::Labels(labels) = &ig.prediction else {
        panic!()
    };
    let reference = explainer
        .reference()
        .insert_axis(ndarray::Axis(0))
        .to_owned();
    for r in 0..x.nrows() {
        let at_ref = explainer
            .forward(reference.view(), Some(labels[r]))
            .unwrap()
            .output[0];
        let diff = ig.output[r] - at_ref;
        let total = ig.relevance.row(r).sum();
        assert!(
            (total - diff).abs() <= 0.05 * diff.abs().max(1.0),
            "row {r}: {total} vs {diff}"
        );
    }
}

#[test]
fn a_chosen_class_is_explained() {
    let (model, x) = load("mlp_breast_cancer");
    let explainer = Explainer::new(&model);
    let zero = explainer
        .explain(x.view(), &Method::default().with_class(0))
        .unwrap();
    let one = explainer
        .explain(x.view(), &Method::default().with_class(1))
        .unwrap();
    for r in 0..x.nrows() {
        assert_eq!(zero.output[r], -one.output[r], "row {r}");
    }
    assert!(explainer
        .explain(x.view(), &Method::default().with_class(2))
        .is_err());
    let (model, x) = load("mlp_diabetes");
    let err = Explainer::new(&model)
        .explain(x.view(), &Method::default().with_class(0))
        .unwrap_err()
        .to_string();
    assert!(err.contains("classifiers"), "{err}");
}

// --- one layer: closed forms -------------------------------------------------------------

/// A regressor with one layer: `f(x) = x . w + b`.
fn one_layer(w: &[f64], b: f64, bounds: Option<(&[f64], &[f64])>) -> Explainer {
    let weights = Array2::from_shape_vec((w.len(), 1), w.to_vec()).unwrap();
    let net = DenseNetwork::new(
        vec![DenseLayer::new(weights, array![b], None)],
        OutputKind::Identity,
        None,
    )
    .unwrap();
    let mut model = Model::from(net);
    if let Some((low, high)) = bounds {
        model = model
            .with_bounds(neuralize::Bounds {
                low: Array1::from(low.to_vec()),
                high: Array1::from(high.to_vec()),
            })
            .unwrap();
    }
    Explainer::new(&model)
}

#[test]
fn closed_forms_on_one_layer_with_and_without_bias() {
    let w = [2.0, -1.0, 0.5];
    let x = array![[1.0, 3.0, -2.0]];
    let c: Vec<f64> = w.iter().zip(x.row(0)).map(|(w, x)| w * x).collect(); // 2, -3, -1
    for b in [0.0, 0.75] {
        let f = c.iter().sum::<f64>() + b; // -2 + b
        let explainer = one_layer(&w, b, Some((&[-5.0, -5.0, -5.0], &[5.0, 5.0, 5.0])));
        let run = |m: Method| {
            explainer
                .explain(x.view(), &m)
                .unwrap()
                .relevance
                .row(0)
                .to_vec()
        };
        let uniform = |r: LinearRule| Method::rule_set(RuleSet::Uniform).with_linear_rule(r);
        let close = |got: Vec<f64>, want: Vec<f64>, what: &str| {
            for (g, w) in got.iter().zip(&want) {
                assert_close(*g, *w, 1e-12, &format!("{what} (b = {b})"));
            }
        };
        close(
            run(uniform(LinearRule::Lrp0)),
            c.iter().map(|ci| ci * f / f).collect(),
            "lrp0",
        );
        let eps = 0.5;
        close(
            run(uniform(LinearRule::Epsilon { epsilon: eps })),
            c.iter().map(|ci| ci * f / (f - eps)).collect(),
            "epsilon (f < 0)",
        );
        let g = 0.25;
        let n: Vec<f64> = c.iter().map(|ci| ci + g * ci.min(0.0)).collect(); // f < 0
        let sn: f64 = n.iter().sum();
        close(
            run(uniform(LinearRule::Gamma { gamma: g })),
            n.iter().map(|ni| ni / sn * f).collect(),
            "gamma",
        );
        let sw: f64 = w.iter().map(|v| v * v).sum();
        close(
            run(uniform(LinearRule::WSquare)),
            w.iter().map(|v| v * v / sw * f).collect(),
            "w2",
        );
        close(run(uniform(LinearRule::Flat)), vec![f / 3.0; 3], "flat");
        // z^B on the (only) input layer of the tutorial composite.
        let zb: Vec<f64> = (0..3)
            .map(|i| c[i] - (-5.0) * w[i].max(0.0) - 5.0 * w[i].min(0.0))
            .collect();
        let sz: f64 = zb.iter().sum();
        close(
            run(Method::rule_set(RuleSet::Tutorial)),
            zb.iter().map(|v| v / sz * f).collect(),
            "tutorial = zb",
        );
        // LRP-0 passes only `sum c = f - b`: the bias keeps the rest.
        let total: f64 = run(uniform(LinearRule::Lrp0)).iter().sum();
        assert_close(total, f - b, 1e-12, "lrp0 total");
    }
}

// --- random networks ---------------------------------------------------------------------

fn random_network(widths: &[usize], seed: u64, biases: bool) -> DenseNetwork {
    let mut rng = Rng(seed | 1);
    let layers = widths
        .windows(2)
        .enumerate()
        .map(|(l, pair)| {
            let w = rng.matrix(pair[0], pair[1], -1.0, 1.0);
            let b = if biases {
                rng.matrix(1, pair[1], -0.5, 0.5).row(0).to_owned()
            } else {
                Array1::zeros(pair[1])
            };
            let last = l + 2 == widths.len();
            DenseLayer::new(w, b, (!last).then_some(Activation::Relu))
        })
        .collect();
    let k = *widths.last().unwrap();
    let (output, classes) = match k {
        1 => (OutputKind::Logistic, Some(vec!["a".into(), "b".into()])),
        _ => (
            OutputKind::Softmax,
            Some((0..k).map(|c| c.to_string()).collect()),
        ),
    };
    DenseNetwork::new(layers, output, classes).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn conservation_and_lrp0_on_random_widths(
        widths in proptest::collection::vec(1usize..6, 2..6),
        seed in 1u64..u64::MAX,
        biases in any::<bool>(),
    ) {
        let net = random_network(&widths, seed, biases);
        let d = widths[0];
        let explainer = Explainer::new(&Model::from(net));
        let x = Rng(seed ^ 0x5555).matrix(7, d, -2.0, 2.0);
        let e = explainer.explain(x.view(), &Method::rule_set(RuleSet::GammaZb)).unwrap();
        assert_conserves(&e.relevance, e.output.as_slice().unwrap(), "gamma-zb");
        let e = explainer.explain(x.view(), &Method::rule_set(RuleSet::RevealCancel)).unwrap();
        assert_conserves(&e.relevance, e.output.as_slice().unwrap(), "reveal-cancel");
        let lrp0 = explainer.explain(
            x.view(),
            &Method::rule_set(RuleSet::Uniform).with_linear_rule(LinearRule::Lrp0),
        ).unwrap();
        let gxi = explainer.explain(x.view(), &Method::of(Technique::GradientXInput)).unwrap();
        for (a, b) in lrp0.relevance.iter().zip(gxi.relevance.iter()) {
            prop_assert!((a - b).abs() <= 1e-9 * (1.0 + lrp0.output.iter().fold(0.0f64, |m, v| m.max(v.abs()))));
        }
        if !biases {
            // Without biases LRP-0 conserves too (a ReLU network is then positively homogeneous).
            assert_conserves(&lrp0.relevance, lrp0.output.as_slice().unwrap(), "lrp0, no biases");
        }
    }
}

// --- hostile model files -----------------------------------------------------------------

const GOOD: &str = r#"{"format": "neuralize/1", "model": "dense_network",
  "layers": [{"weights": [[1.0, 2.0], [3.0, 4.0]], "biases": [0.0, 0.0], "activation": "relu"},
             {"weights": [[1.0], [1.0]], "biases": [0.5]}],
  "output": "logistic", "classes": [0, 1]}"#;

fn error_of(text: &str) -> String {
    model_from_json(text).unwrap_err().to_string()
}

#[test]
fn hostile_model_files_get_clear_errors() {
    assert!(model_from_json(GOOD).is_ok());
    let cases = [
        (
            r#"[[1.0], [1.0]]"#,
            r#"[[1.0], [1.0], [1.0]]"#,
            "layers[1].weights",
        ),
        (r#""relu""#, r#""tanh""#, "layers[0].activation"),
        (r#""logistic""#, r#""softmax""#, "output units"),
        (r#""logistic""#, r#""identity""#, "classes"),
        (r#"[0, 1]"#, r#"[0, 0]"#, "duplicate"),
        (
            r#""biases": [0.5]"#,
            r#""biases": [0.5, 1]"#,
            "layers[1].biases",
        ),
        (
            r#""biases": [0.5]}"#,
            r#""biases": [0.5], "activation": "relu"}"#,
            "last layer",
        ),
        (
            r#"[[1.0, 2.0], [3.0, 4.0]]"#,
            r#"[[1.0, 2.0], [3.0]]"#,
            "layers[0].weights[1]",
        ),
        (
            r#"[[1.0, 2.0], [3.0, 4.0]]"#,
            r#"[[1.0, 2.0], [3.0, NaN]]"#,
            "not a valid model file",
        ),
    ];
    for (from, to, needle) in cases {
        let text = GOOD.replacen(from, to, 1);
        assert_ne!(text, GOOD, "{from} not in the model");
        let err = error_of(&text);
        assert!(err.contains(needle), "{to}: {err}");
    }
    let err = error_of(&GOOD.replacen(r#""relu""#, r#""tanh""#, 1));
    assert!(
        err.contains("tanh") && err.contains("relu and identity"),
        "{err}"
    );
}

// --- log-odds ----------------------------------------------------------------------------

#[test]
fn log_odds_match_scikit_learn_and_the_oracle() {
    for name in DENSE_FIXTURES.iter().filter(|n| **n != "mlp_diabetes") {
        let (model, x) = load(name);
        // The model file's reference (the training mean), which the oracle roots neon-ref at.
        let origin = model
            .reference()
            .expect("fixtures store a reference")
            .to_owned();
        let explainer = Explainer::new(&model)
            .with_reference(origin.clone())
            .unwrap()
            .with_class_target(ClassTarget::LogOdds)
            .unwrap();
        let sk = read_table(&fixture_path(name, "sklearn.csv"));
        for rule in [
            "tutorial",
            "gamma-zb",
            "neon-ref",
            "reveal-cancel",
            "neon-flip",
        ] {
            let want = read_table(&fixture_path(
                name,
                &format!("expected_log-odds_{rule}.csv"),
            ));
            let e = explainer
                .explain(x.view(), &rule.parse::<Method>().unwrap())
                .unwrap();
            for r in 0..x.nrows() {
                let target = want.values[[r, 1]];
                let what = format!("{name} {rule} row {r}");
                assert_close(e.output[r], target, 1e-12, &what);
                // log p / (1 - p) from scikit-learn's probabilities, where 1 - p keeps digits.
                let p = sk.values[[r, 1 + sk.values[[r, 0]] as usize]];
                if 1.0 - p > 1e-3 {
                    assert_close(e.output[r], (p / (1.0 - p)).ln(), 1e-9, &what);
                }
                for i in 0..x.ncols() {
                    let (got, w) = (e.relevance[[r, i]], want.values[[r, 2 + i]]);
                    assert!(
                        (got - w).abs() <= 1e-9 * target.abs().max(1.0),
                        "{what} feature {i}: {got} vs {w}"
                    );
                }
            }
            if rule != "tutorial" {
                assert_conserves(&e.relevance, e.output.as_slice().unwrap(), name);
            }
        }
        let gxi = explainer
            .explain(x.view(), &Method::of(Technique::GradientXInput))
            .unwrap();
        let gradient = read_table(&fixture_path(name, "expected_log-odds_gradient.csv")).values;
        let scale = model
            .scaler()
            .map_or(Array1::ones(x.ncols()), |s| s.scale().to_owned());
        for r in 0..x.nrows() {
            for i in 0..x.ncols() {
                let oracle = gradient[[r, i]] / scale[i] * (x[[r, i]] - origin[i]);
                assert_close(
                    gxi.relevance[[r, i]],
                    oracle,
                    1e-9,
                    &format!("{name} {r} {i}"),
                );
            }
        }
    }
    // A binary classifier's log-odds is its logit; a regressor has none.
    let (model, x) = load("mlp_breast_cancer");
    let logit = Explainer::new(&model).forward(x.view(), None).unwrap();
    let odds = Explainer::new(&model)
        .with_class_target(ClassTarget::LogOdds)
        .unwrap()
        .forward(x.view(), None)
        .unwrap();
    assert_eq!(logit, odds);
    let (model, _) = load("mlp_diabetes");
    assert!(Explainer::new(&model)
        .with_class_target(ClassTarget::LogOdds)
        .is_err());
}
