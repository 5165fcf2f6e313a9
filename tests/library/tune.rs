//! `neuralize::tune`: the choice of the default method on reference rows, its storage in the
//! model file, and `Method::default()` using it.

use crate::common::{fixture_path, model_path, read_table};
use ndarray::Array2;
use neuralize::evaluate::evaluate;
use neuralize::tune::{tune, TuneOptions};
use neuralize::{
    load_model, model_from_json, model_to_json, Explainer, Method, Model, StoredMethod,
};

fn breast_cancer() -> (Model, Array2<f64>, Array2<f64>) {
    let model = load_model(model_path("ocsvm_breast_cancer")).unwrap();
    let train = read_table(&fixture_path("ocsvm_breast_cancer", "train.csv")).values;
    let input = read_table(&fixture_path("ocsvm_breast_cancer", "input.csv")).values;
    (model, train, input)
}

fn two(a: &str, b: &str) -> TuneOptions {
    TuneOptions {
        candidates: Some(vec![a.parse().unwrap(), b.parse().unwrap()]),
        ..TuneOptions::default()
    }
}

/// `neon@4` pools almost by the nearest support vector alone, far stiffer than the kernel's
/// own soft-min: on held-out rows it is clearly less faithful than `neon-path@1`. Tune, on
/// the training rows only, must pick `neon-path@1` whichever order they come in.
#[test]
fn tune_picks_the_clearly_more_faithful_of_two_candidates() {
    let (model, train, input) = breast_cancer();
    // Held-out evidence (rows tune never sees) that one is clearly better.
    let explainer = Explainer::new(&model);
    let methods: Vec<Method> = vec!["neon@4".parse().unwrap(), "neon-path@1".parse().unwrap()];
    let held_out = evaluate(&explainer, input.view(), train.view(), &methods, 10, 0).unwrap();
    let (bad, good) = (&held_out.scores[0].area, &held_out.scores[1].area);
    assert!(
        bad[0] > 1.1 * good[0] && bad[1] > 1.1 * good[1],
        "{bad:?} {good:?}"
    );
    for (a, b) in [("neon@4", "neon-path@1"), ("neon-path@1", "neon@4")] {
        let tuned = tune(&model, train.view(), &two(a, b)).unwrap();
        assert_eq!(tuned.stored.method().to_string(), "neon-path@1", "{a}, {b}");
        let scores = tuned.stored.scores();
        assert_eq!(scores.len(), 2);
        let chosen = scores.iter().find(|s| s.method == "neon-path@1").unwrap();
        let other = scores.iter().find(|s| s.method == "neon@4").unwrap();
        assert_eq!(chosen.score, 1.0);
        assert!(other.score > 1.1, "{other:?}");
        assert!(tuned.flipped_rows > 0 && tuned.flipped_rows <= tuned.rows);
        assert_eq!(tuned.reference_rows, train.nrows());
    }
}

#[test]
fn the_stored_method_round_trips_and_is_the_default() {
    let (model, train, input) = breast_cancer();
    let tuned = tune(&model, train.view(), &TuneOptions::default()).unwrap();
    let model = tuned.apply(model).unwrap();
    let back = model_from_json(&model_to_json(&model)).unwrap();
    assert_eq!(back.method(), model.method());
    assert_eq!(back, model);
    let stored = back.method().unwrap();
    assert!(
        stored.reason().contains("neuralize tune"),
        "{}",
        stored.reason()
    );
    assert!(!stored.scores().is_empty());
    assert!(stored.tuned_on().is_some());
    // Every candidate is a NEON rule set; the chosen one has the lowest score among them
    // or is the family default within the margin.
    for s in stored.scores() {
        assert!(s.score >= 1.0 && s.score.is_finite(), "{s:?}");
        s.method.parse::<Method>().unwrap();
    }
    // The family default (`neon-pick@1` on this rbf model) is the first candidate; the
    // straight path `neon-path` at the published beta 1 is an ordinary one. `neon-flip` and
    // `neon-focus` (which this rbf model takes) cost several forward passes, and `neon-lean`
    // and `neon-pick` were measured at beta 1 only: no other candidates of theirs.
    let flip: Method = "neon-flip@1".parse().unwrap();
    assert!(Explainer::new(&back).explain(input.view(), &flip).is_ok());
    let tried: Vec<&str> = stored.scores().iter().map(|s| s.method.as_str()).collect();
    assert_eq!(tried[0], "neon-pick@1", "{tried:?}");
    assert!(tried.contains(&"neon-path"), "{tried:?}");
    let excluded = tuned.excluded.iter().map(|e| e.method.as_str());
    assert!(
        tried[1..].iter().copied().chain(excluded).all(|m| {
            !m.starts_with("neon-flip")
                && !m.starts_with("neon-focus")
                && !m.starts_with("neon-lean")
                && !m.starts_with("neon-pick")
        }),
        "{:?} {:?}",
        stored.scores(),
        tuned.excluded
    );
    // An anomaly detector without named candidates keeps its family default, and the
    // reason says which candidate scored lower.
    let lowest = stored
        .scores()
        .iter()
        .min_by(|a, b| a.score.total_cmp(&b.score))
        .unwrap();
    assert_ne!(lowest.method, "neon-pick@1");
    assert_eq!(stored.method().to_string(), "neon-pick@1");
    assert!(
        stored.reason().contains(&lowest.method),
        "{}",
        stored.reason()
    );
    let explainer = Explainer::new(&back);
    assert_eq!(explainer.default_method(), stored.method());
    let by_default = explainer.explain(input.view(), &Method::default()).unwrap();
    let by_name = explainer.explain(input.view(), &stored.method()).unwrap();
    assert_eq!(by_default, by_name);
    // The default conserves.
    for (r, o) in by_default.relevance.outer_iter().zip(&by_default.output) {
        assert!((r.sum() - o).abs() <= 1e-9 * o.abs().max(1.0));
    }
}

#[test]
fn tune_does_not_depend_on_the_thread_count_and_is_seeded() {
    let (model, train, _) = breast_cancer();
    let run = |threads: usize, seed: u64| {
        let options = TuneOptions {
            seed,
            max_rows: 40,
            ..TuneOptions::default()
        };
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| tune(&model, train.view(), &options).unwrap())
    };
    let one = run(1, 3);
    assert_eq!(one, run(2, 3));
    assert_eq!(one, run(1, 3));
}

#[test]
fn hostile_stored_methods_are_model_file_errors_naming_the_field() {
    let base = model_to_json(&load_model(model_path("ocsvm_breast_cancer")).unwrap());
    let with = |method: &str| {
        let mut value: serde_json::Value = serde_json::from_str(&base).unwrap();
        value["method"] = serde_json::from_str(method).unwrap();
        model_from_json(&value.to_string())
    };
    for (method, needle) in [
        (r#"{"name": "nope"}"#, "unknown method"),
        (r#"{"name": "tutorial"}"#, "not defined for one_class_svm"),
        (r#"{"name": "occlusion"}"#, "must be a NEON rule set"),
        (r#"{"name": "default"}"#, "must be a NEON rule set"),
        (r#"{"name": "neon-path@-1"}"#, "finite number > 0"),
        (r#"{"reason": "x"}"#, "missing"),
        (r#""neon""#, "must be an object"),
        (r#"{"name": 3}"#, "method.name"),
        (
            r#"{"name": "neon", "scores": [{"method": "neon"}]}"#,
            "method.scores",
        ),
    ] {
        let err = with(method).expect_err(method).to_string();
        assert!(err.contains("method"), "{method}: {err}");
        assert!(err.contains(needle), "{method}: {err}");
    }
    // k-means has no neon-floor; a dense rule set on k-means is refused the same way.
    let kmeans = model_to_json(&load_model(model_path("kmeans_wine")).unwrap());
    let mut value: serde_json::Value = serde_json::from_str(&kmeans).unwrap();
    value["method"] = serde_json::json!({"name": "neon-floor@1"});
    let err = model_from_json(&value.to_string()).unwrap_err().to_string();
    assert!(
        err.contains("method.name") && err.contains("kmeans"),
        "{err}"
    );
    // The builder refuses the same.
    let model = load_model(model_path("kmeans_wine")).unwrap();
    let stored = StoredMethod::new("neon-floor".parse().unwrap(), "by hand").unwrap();
    assert!(model.clone().with_method(stored).is_err());
    let stored = StoredMethod::new("neon-path@auto".parse().unwrap(), "by hand").unwrap();
    assert!(model.with_method(stored).is_ok());
    assert!(StoredMethod::new(Method::default(), "x").is_err());
}

#[test]
fn bad_options_and_rows_are_errors() {
    let (model, train, _) = breast_cancer();
    let bad = |options: TuneOptions| {
        tune(&model, train.view(), &options)
            .unwrap_err()
            .to_string()
    };
    assert!(bad(TuneOptions {
        share: 0.0,
        ..TuneOptions::default()
    })
    .contains("share"));
    assert!(bad(TuneOptions {
        draws: 0,
        ..TuneOptions::default()
    })
    .contains("draws"));
    assert!(bad(TuneOptions {
        candidates: Some(vec!["occlusion".parse().unwrap()]),
        ..TuneOptions::default()
    })
    .contains("not a NEON rule set"));
    let mut nan = train.clone();
    nan[[3, 2]] = f64::NAN;
    let err = tune(&model, nan.view(), &TuneOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("row 3"), "{err}");
    let narrow = train.slice(ndarray::s![.., ..5]).to_owned();
    assert!(tune(&model, narrow.view(), &TuneOptions::default()).is_err());
    let empty = Array2::<f64>::zeros((0, train.ncols()));
    assert!(tune(&model, empty.view(), &TuneOptions::default()).is_err());
}
