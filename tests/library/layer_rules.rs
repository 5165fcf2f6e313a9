//! Per-layer rule overrides of dense networks (`Method::with_layer_rules`, the CLI's
//! `--layer-rule`): the tutorial composite rebuilt from overrides equals the NumPy oracle,
//! overrides compose with rule sets, conservation, and clear errors.

use crate::common::{assert_close, assert_conserves, fixture_path, model_path, read_table};
use ndarray::Array2;
use neuralize::{load_model, Explainer, LayerRules, LinearRule, Method, Model, RuleSet, Technique};

fn load(name: &str) -> (Model, Array2<f64>) {
    let model = load_model(model_path(name)).unwrap();
    let x = read_table(&fixture_path(name, "input.csv")).values;
    (model, x)
}

fn layers(spec: &str) -> LayerRules {
    spec.parse().unwrap()
}

#[test]
fn the_tutorial_composite_rebuilt_from_overrides_equals_the_oracle() {
    // mlp_iris: 3 layers (two hidden, the explained unit), bounds in the model file. The
    // tutorial composite is zb on layer 0, gamma=0.25 on layer 1 (lower), LRP-0 on top.
    let (model, x) = load("mlp_iris");
    let explainer = Explainer::new(&model);
    let method = Method::rule_set(RuleSet::Uniform)
        .with_linear_rule(LinearRule::Lrp0)
        .with_layer_rules(layers("0=zb,1=gamma=0.25"));
    let e = explainer.explain(x.view(), &method).unwrap();
    let want = read_table(&fixture_path("mlp_iris", "expected_tutorial.csv"));
    for r in 0..x.nrows() {
        assert_close(e.output[r], want.values[[r, 1]], 1e-12, "target");
        for i in 0..x.ncols() {
            let scale = want.values[[r, 1]].abs().max(1.0);
            let (got, w) = (e.relevance[[r, i]], want.values[[r, 2 + i]]);
            assert!(
                (got - w).abs() <= 1e-9 * scale,
                "row {r} feature {i}: {got} vs {w}"
            );
        }
    }
}

#[test]
fn overrides_replace_only_their_layers() {
    let (model, x) = load("mlp_wine");
    let explainer = Explainer::new(&model);
    // Every layer overridden with LRP-0 is the uniform LRP-0 rule set, whatever the base.
    let all = layers("0=lrp0,1=lrp0,2=lrp0,3=lrp0");
    let uniform = explainer
        .explain(
            x.view(),
            &Method::rule_set(RuleSet::Uniform).with_linear_rule(LinearRule::Lrp0),
        )
        .unwrap();
    for base in [
        RuleSet::Tutorial,
        RuleSet::GammaZb,
        RuleSet::EpsilonPlusFlat,
    ] {
        let e = explainer
            .explain(x.view(), &Method::rule_set(base).with_layer_rules(all))
            .unwrap();
        assert_eq!(e, uniform, "{base}");
    }
    // Flat on the input of the conserving gamma-zb: the conserved total spread evenly.
    let e = explainer
        .explain(
            x.view(),
            &Method::rule_set(RuleSet::GammaZb).with_layer_rules(layers("0=flat")),
        )
        .unwrap();
    let d = x.ncols() as f64;
    for r in 0..x.nrows() {
        for i in 0..x.ncols() {
            assert_close(e.relevance[[r, i]], e.output[r] / d, 1e-12, "flat input");
        }
    }
    // Conserving overrides on a conserving base conserve; the tutorial takes overrides too.
    let method = Method::rule_set(RuleSet::GammaZb).with_layer_rules(layers("1=w2,3=flat"));
    let e = explainer.explain(x.view(), &method).unwrap();
    assert_conserves(
        &e.relevance,
        e.output.as_slice().unwrap(),
        "gamma-zb + w2, flat",
    );
    let tutorial = Method::rule_set(RuleSet::Tutorial);
    let base = explainer.explain(x.view(), &tutorial).unwrap();
    let changed = explainer
        .explain(x.view(), &tutorial.with_layer_rules(layers("0=flat")))
        .unwrap();
    assert_eq!(changed.output, base.output);
    assert_ne!(changed.relevance, base.relevance);
    // The default (neon-ref) roots every layer at the reference: no overrides.
    let err = explainer
        .explain(
            x.view(),
            &Method::default().with_layer_rules(layers("0=flat")),
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("layer-wise --rule"), "{err}");
}

#[test]
fn bad_overrides_are_refused_before_any_row() {
    let (model, x) = load("mlp_iris");
    let explainer = Explainer::new(&model);
    let err_of = |method: Method| {
        explainer
            .explain(x.view(), &method)
            .unwrap_err()
            .to_string()
    };
    let base = Method::rule_set(RuleSet::GammaZb);
    for (spec, needle) in [
        ("3=lrp0", "layer 3 does not exist"),
        ("1=zb", "input layer (0) only"),
        ("2=midpoint", "midpoint"),
    ] {
        let err = err_of(base.with_layer_rules(layers(spec)));
        assert!(
            err.contains("layer-rule") && err.contains(needle),
            "{spec}: {err}"
        );
    }
    let err = err_of(Method::of(Technique::Occlusion).with_layer_rules(layers("0=flat")));
    assert!(err.contains("layer-rule"), "{err}");
    // Models without layers.
    let (ocsvm, rows) = load("ocsvm_blobs");
    let err = Explainer::new(&ocsvm)
        .explain(
            rows.view(),
            &Method::default().with_layer_rules(layers("0=flat")),
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("no layers"), "{err}");
    // zb without bounds: a model file without them.
    let (raw, rows) = load("mlp_blobs_raw");
    let mut json: serde_json::Value =
        serde_json::from_str(&neuralize::model_to_json(&raw)).unwrap();
    json.as_object_mut().unwrap().remove("bounds");
    let text = json.to_string();
    let unbounded = neuralize::model_from_json(&text).unwrap();
    assert!(unbounded.bounds().is_none());
    let err = Explainer::new(&unbounded)
        .explain(
            rows.view(),
            &Method::rule_set(RuleSet::GammaZb).with_layer_rules(layers("0=zb")),
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("bounds"), "{err}");
}
