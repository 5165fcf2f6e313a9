//! README.md's "Library" section, line for line: the snippet compiles against the public
//! API and does what its comments say (outputs, conservation, the errors it promises).

use crate::common::{assert_conserves, input_rows};
use neuralize::ndarray::{s, Array1, Array2};
use neuralize::{load_model, Beta, Error, Explainer, LinearRule, Method, RuleSet};

#[test]
fn the_readme_library_snippet_runs_as_printed() -> Result<(), Box<dyn std::error::Error>> {
    // --- as in README.md (only `x` is filled in) ---
    let model = load_model("models/ocsvm_breast_cancer.json")?;
    let explainer = Explainer::new(&model); // neuralize once, explain many batches
    let x: Array2<f64> = input_rows("ocsvm_breast_cancer");

    let e = explainer.explain(x.view(), &Method::default())?;
    let published = explainer.explain(x.view(), &Method::neon())?;
    let shapley = explainer.explain(x.view(), &"shapley-sampling".parse::<Method>()?)?;
    let stiff = Method::neon().with_beta(Beta::Value(2.0)); // or "neon@2".parse()?
    let auto: Method = "neon-ref@auto".parse()?;
    let k_means = Method::neon()
        .with_linear_rule(LinearRule::Flat)
        .with_cluster(1);
    // --- end of the snippet ---

    assert_eq!(stiff, "neon@2".parse::<Method>()?);
    for (what, ex) in [("default", &e), ("neon", &published)] {
        assert_eq!(ex.relevance.dim(), (x.nrows(), 30), "{what}");
        assert_conserves(&ex.relevance, ex.output.as_slice().unwrap(), what);
    }
    for (a, b) in shapley.output.iter().zip(&e.output) {
        assert!(
            (a - b).abs() <= 1e-9 * b.abs().max(1.0),
            "same output: {a} vs {b}"
        );
    }
    explainer.explain(x.view(), &stiff)?;
    explainer.explain(x.view(), &auto)?;
    // The k-means method of the snippet on the k-means fixture.
    let km_model = load_model("models/kmeans_iris.json")?;
    let km = Explainer::new(&km_model);
    let rows = input_rows("kmeans_iris");
    let r = km.explain(rows.view(), &k_means)?;
    assert_conserves(&r.relevance, r.output.as_slice().unwrap(), "k-means flat");

    // "x may be any ArrayView2<f64>: row-major, column-major, a strided slice, zero rows."
    let column_major = x.t().to_owned().reversed_axes();
    assert_eq!(
        explainer
            .explain(column_major.view(), &Method::default())?
            .relevance,
        e.relevance
    );
    let strided = explainer.explain(x.slice(s![..;2, ..]), &Method::default())?;
    assert_eq!(strided.output.len(), x.nrows().div_ceil(2));
    let none = explainer.explain(x.slice(s![..0, ..]), &Method::default())?;
    assert_eq!(none.relevance.dim(), (0, 30));

    // "a wrong number of columns is an Err that gives both widths"
    let narrow = x.slice(s![.., ..29]);
    let message = explainer
        .explain(narrow, &Method::default())
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("29") && message.contains("30"),
        "{message}"
    );
    // "a NaN or infinite value an Err that names its row and column"
    let mut bad = x.clone();
    bad[[3, 7]] = f64::NAN;
    let error = explainer
        .explain(bad.view(), &Method::default())
        .unwrap_err();
    assert!(
        matches!(error, Error::Input { row: Some(3), .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains("row 3") && message.contains("mean_concave_points"),
        "{message}"
    );

    // The other entry points the section names.
    let forward = explainer.forward(x.view(), None)?;
    for (a, b) in forward.output.iter().zip(&e.output) {
        assert!(
            (a - b).abs() <= 1e-9 * b.abs().max(1.0),
            "forward: {a} vs {b}"
        );
    }
    let at_zero = Explainer::new(&model).with_reference(Array1::zeros(30))?;
    at_zero.explain(x.view(), &"occlusion".parse::<Method>()?.with_seed(1))?;
    let _ = Method::rule_set(RuleSet::NeonRef)
        .with_steps(8)
        .with_samples(8);
    Ok(())
}
