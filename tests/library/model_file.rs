//! Model files: round trip, and every validation error names the offending field.

use crate::common;
use neuralize::{load_model, model_from_json, model_to_json, save_model};

const SVM: &str = r#"{"format": "neuralize/1", "model": "one_class_svm",
  "kernel": {"rbf": {"gamma": 0.5}},
  "support_vectors": [[0.0, 1.0], [1.0, 0.0]], "dual_coef": [0.5, 0.5], "rho": 0.4,
  "feature_names": ["a", "b"], "scaler": {"mean": [1, 2], "scale": [1, 2]},
  "reference": [1, 2], "beta": 2.0, "bounds": {"low": [0, 0], "high": [5, 5]},
  "provenance": {"tool": "test"}, "unknown_extra": 42}"#;

fn error_of(json: &str) -> String {
    model_from_json(json).unwrap_err().to_string()
}

/// Replace `from` by `to` in the valid model text and return the error message.
fn error_with(from: &str, to: &str) -> String {
    assert!(SVM.contains(from), "{from}");
    error_of(&SVM.replacen(from, to, 1))
}

#[test]
fn every_fixture_round_trips() {
    for name in common::FIXTURES {
        let model = load_model(common::model_path(name)).unwrap();
        let again = model_from_json(&model_to_json(&model)).unwrap();
        assert_eq!(model, again, "{name}");
    }
}

#[test]
fn optional_fields_are_read_and_saved_atomically() {
    let model = model_from_json(SVM).unwrap();
    assert_eq!(model.feature_names().unwrap(), ["a", "b"]);
    assert_eq!(model.beta(), Some(2.0));
    assert!(model.scaler().is_some() && model.bounds().is_some() && model.reference().is_some());
    let dir = std::env::temp_dir().join(format!("neuralize-model-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("m.json");
    save_model(&model, &path).unwrap();
    assert_eq!(load_model(&path).unwrap(), model);
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left: {leftovers:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn invalid_values_name_their_field() {
    let cases = [
        (r#""gamma": 0.5"#, r#""gamma": -1"#, "kernel.gamma"),
        (
            r#""dual_coef": [0.5, 0.5]"#,
            r#""dual_coef": [0.5, 0]"#,
            "dual_coef[1]",
        ),
        (
            r#""dual_coef": [0.5, 0.5]"#,
            r#""dual_coef": [0.5]"#,
            "dual_coef",
        ),
        (r#""rho": 0.4"#, r#""rho": 0"#, "rho"),
        (r#"[1.0, 0.0]]"#, r#"[1.0]]"#, "support_vectors[1]"),
        (
            r#""scale": [1, 2]"#,
            r#""scale": [1, 0]"#,
            "scaler.scale[1]",
        ),
        (
            r#""scale": [1, 2]"#,
            r#""scale": [1, 2, 3]"#,
            "scaler.scale",
        ),
        (r#""reference": [1, 2]"#, r#""reference": [1]"#, "reference"),
        (r#""beta": 2.0"#, r#""beta": -2.0"#, "beta"),
        (r#""low": [0, 0]"#, r#""low": [0, 9]"#, "bounds.low[1]"),
        (
            r#""feature_names": ["a", "b"]"#,
            r#""feature_names": ["a", "a"]"#,
            "feature_names[1]",
        ),
        (
            r#""feature_names": ["a", "b"]"#,
            r#""feature_names": ["a"]"#,
            "feature_names",
        ),
        (
            r#""format": "neuralize/1""#,
            r#""format": "neuralize/9""#,
            "format",
        ),
        (
            r#""model": "one_class_svm""#,
            r#""model": "forest""#,
            "model",
        ),
        (r#""rho": 0.4,"#, "", "rho"),
        (r#""kernel": {"rbf": {"gamma": 0.5}},"#, "", "kernel"),
        (r#""rho": 0.4"#, r#""rho": "high""#, "rho"),
        (r#""kernel": {"rbf""#, r#""kernel": {"poly""#, "kernel"),
    ];
    for (from, to, field) in cases {
        let message = error_with(from, to);
        assert!(
            message.contains(field),
            "replacing {from} by {to}: {message:?} should name {field}"
        );
    }
}

#[test]
fn structural_errors_are_clear() {
    assert!(error_of("not json").contains("not a valid model file"));
    assert!(error_of("[1, 2]").contains("not a valid model file"));
    let kmeans_one = r#"{"format": "neuralize/1", "model": "kmeans", "centroids": [[1, 2]]}"#;
    assert!(error_of(kmeans_one).contains("at least 2 centroids"));
    let kde_laplacian = r#"{"format": "neuralize/1", "model": "kernel_density", "kernel": {"laplacian": {"gamma": 1}}, "points": [[1]]}"#;
    assert!(error_of(kde_laplacian).contains("rbf"));
    let missing = std::path::Path::new("/nonexistent/model.json");
    assert!(load_model(missing)
        .unwrap_err()
        .to_string()
        .contains("/nonexistent/model.json"));
}
