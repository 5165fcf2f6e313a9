//! `neuralize tune`: writes the model with its chosen method; `explain` without options uses
//! it, explicit options override it; `info` says which method and why; errors are clear.

use crate::support::{model_path, other_files, run, scratch, stderr, stdout};
use std::path::Path;
use std::process::Output;

const MODEL: &str = "ocsvm_breast_cancer";

/// Candidates named so that tune may replace the detector's family default (hybrid and
/// neon-path at a low beta score far better on these training rows).
const CANDIDATES: &str = "neon-path@1,hybrid@0.25,neon-path@0.25";

/// Tune the breast-cancer OC-SVM on its training rows into `dir/tuned.json`, choosing among
/// [`CANDIDATES`].
fn tuned(dir: &Path) -> String {
    tuned_with(dir, &["--candidates", CANDIDATES])
}

/// `neuralize tune -m model --reference reference -o out` and the `extra` arguments.
fn run_tune(model: &str, reference: &str, out: &str, extra: &[&str]) -> Output {
    let mut args = vec!["tune", "-m", model, "--reference", reference, "-o", out];
    args.extend_from_slice(extra);
    run(&args)
}

fn tuned_with(dir: &Path, extra: &[&str]) -> String {
    let out = dir.join("tuned.json").to_string_lossy().into_owned();
    let model = model_path(&format!("{MODEL}.json"));
    let train = model_path(&format!("{MODEL}.train.csv"));
    let result = run_tune(&model, &train, &out, extra);
    assert!(result.status.success(), "{}", stderr(&result));
    let report = stdout(&result);
    assert!(report.starts_with("method: "), "{report}");
    assert!(report.contains("(chosen)"), "{report}");
    out
}

fn explain(model: &str, extra: &[&str]) -> String {
    let input = model_path(&format!("{MODEL}.input.csv"));
    let mut args = vec!["explain", "-m", model, "-i", &input, "-o", "-"];
    args.extend_from_slice(extra);
    let result = run(&args);
    assert!(result.status.success(), "{}", stderr(&result));
    stdout(&result)
}

fn info_json(model: &str) -> serde_json::Value {
    let result = run(&["info", "-m", model, "--json"]);
    assert!(result.status.success(), "{}", stderr(&result));
    serde_json::from_str(&stdout(&result)).unwrap()
}

#[test]
fn explain_without_options_uses_the_tuned_method_and_options_override_it() {
    let dir = scratch("tune-explain");
    let tuned = tuned(&dir);
    let untuned = model_path(&format!("{MODEL}.json"));
    let info = info_json(&tuned);
    let method = info["default_method"].as_str().unwrap().to_string();
    let family = info["family_default_method"].as_str().unwrap().to_string();
    assert_eq!(family, "neon-pick@1");
    // The stored method is what explain runs without options.
    assert_eq!(
        explain(&tuned, &[]),
        explain(&tuned, &["--method", &method])
    );
    assert_eq!(
        explain(&tuned, &[]),
        explain(&untuned, &["--method", &method])
    );
    // An explicit method overrides it, as does --rule.
    assert_eq!(
        explain(&tuned, &["--method", "neon-pick@1"]),
        explain(&untuned, &[])
    );
    assert_eq!(
        explain(&tuned, &["--rule", "neon"]),
        explain(&untuned, &["--rule", "neon"])
    );
    // Among the named candidates tune does not keep the family default (hybrid and
    // neon-path at low beta score far better on the training rows): the defaults differ.
    assert_ne!(method, family);
    assert_ne!(explain(&tuned, &[]), explain(&untuned, &[]));
    // The model itself is unchanged: same scores.
    let score = |m: &str| {
        let input = model_path(&format!("{MODEL}.input.csv"));
        stdout(&run(&["score", "-m", m, "-i", &input, "-o", "-"]))
    };
    assert_eq!(score(&tuned), score(&untuned));
    // verify is unaffected.
    let input = model_path(&format!("{MODEL}.input.csv"));
    assert!(run(&["verify", "-m", &tuned, "-i", &input])
        .status
        .success());
}

/// Without named candidates an anomaly detector keeps its family default (choices made on
/// its most outlying training rows did not carry over to held-out anomalies), while every
/// candidate is still scored and the reason says what scored lower and how to choose.
#[test]
fn a_detector_keeps_its_family_default_unless_candidates_are_named() {
    let dir = scratch("tune-detector");
    let kept = tuned_with(&dir, &[]);
    let info = info_json(&kept);
    assert_eq!(info["default_method"], "neon-pick@1");
    let reason = info["default_method_reason"].as_str().unwrap();
    assert!(reason.contains("kept the family default"), "{reason}");
    assert!(reason.contains("--candidates"), "{reason}");
    let scores = info["tuned"]["scores"].as_array().unwrap();
    assert!(scores.len() > 4, "{scores:?}");
    // Something else scored lower, which is what the named-candidate run then picks.
    let lowest = scores
        .iter()
        .min_by(|a, b| {
            a["score"]
                .as_f64()
                .unwrap()
                .total_cmp(&b["score"].as_f64().unwrap())
        })
        .unwrap();
    assert_ne!(lowest["method"], "neon-pick@1");
    assert!(
        reason.contains(lowest["method"].as_str().unwrap()),
        "{reason}"
    );
    // A bad candidate name is a usage error naming it.
    let model = model_path(&format!("{MODEL}.json"));
    let train = model_path(&format!("{MODEL}.train.csv"));
    let out = dir.join("x.json").to_string_lossy().into_owned();
    let result = run_tune(&model, &train, &out, &["--candidates", "neon,nope@2"]);
    assert_ne!(result.status.code(), Some(0));
    assert!(stderr(&result).contains("nope"), "{}", stderr(&result));
    assert!(!dir.join("x.json").exists());
}

#[test]
fn info_says_which_method_and_why() {
    let dir = scratch("tune-info");
    let tuned = tuned(&dir);
    let info = info_json(&tuned);
    let reason = info["default_method_reason"].as_str().unwrap();
    assert!(reason.contains("tuned by `neuralize tune`"), "{reason}");
    let scores = info["tuned"]["scores"].as_array().unwrap();
    assert!(scores
        .iter()
        .any(|s| s["method"] == info["default_method"] && s["score"].as_f64().is_some()));
    assert_eq!(info["tuned"]["tuned_on"]["reference_rows"], 238);
    let human = stdout(&run(&["info", "-m", &tuned]));
    assert!(human.contains("stored in the model file"), "{human}");
    assert!(human.contains("tune scores"), "{human}");
    // Untuned: the family's default and reason, no tuning record.
    let untuned = info_json(&model_path(&format!("{MODEL}.json")));
    assert_eq!(untuned["default_method"], "neon-pick@1");
    assert!(untuned["tuned"].is_null());
    let human = stdout(&run(&["info", "-m", &model_path(&format!("{MODEL}.json"))]));
    assert!(human.contains("the family's default"), "{human}");
}

#[test]
fn a_hostile_stored_method_is_a_model_file_error() {
    let dir = scratch("tune-hostile");
    let text = std::fs::read_to_string(model_path(&format!("{MODEL}.json"))).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
    for (method, needle) in [
        ("nope", "unknown method"),
        ("tutorial", "not defined for one_class_svm"),
        ("shapley-sampling", "must be a NEON rule set"),
    ] {
        value["method"] = serde_json::json!({"name": method});
        let path = dir.join(format!("{method}.json"));
        std::fs::write(&path, value.to_string()).unwrap();
        let path = path.to_string_lossy().into_owned();
        for args in [
            vec!["info", "-m", &path],
            vec!["explain", "-m", &path, "-i", "-", "-o", "-"],
        ] {
            let result = run(&args);
            let err = stderr(&result);
            assert_eq!(result.status.code(), Some(1), "{err}");
            assert!(err.contains(&path), "{err}");
            assert!(err.contains("field `method.name`"), "{err}");
            assert!(err.contains(needle), "{err}");
        }
    }
}

#[test]
fn output_is_atomic_and_bad_reference_rows_name_file_line_and_column() {
    let dir = scratch("tune-errors");
    let model = model_path(&format!("{MODEL}.json"));
    let train = std::fs::read_to_string(model_path(&format!("{MODEL}.train.csv"))).unwrap();
    let out = dir.join("out.json");
    std::fs::write(&out, "old contents").unwrap();
    let out_s = out.to_string_lossy().into_owned();
    let check = |name: &str, csv: String, needles: &[&str]| {
        let path = dir.join(name);
        std::fs::write(&path, csv).unwrap();
        let path_s = path.to_string_lossy().into_owned();
        let result = run_tune(&model, &path_s, &out_s, &[]);
        let err = stderr(&result);
        assert_eq!(result.status.code(), Some(1), "{err}");
        assert!(err.contains(&path_s), "{err}");
        for n in needles {
            assert!(err.contains(n), "{name}: {err}");
        }
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "old contents");
    };
    // A NaN cell: line 4 (header = line 1), column mean_texture.
    let mut lines: Vec<String> = train.lines().map(str::to_string).collect();
    let mut cells: Vec<String> = lines[3].split(',').map(str::to_string).collect();
    cells[1] = "NaN".into();
    lines[3] = cells.join(",");
    check("nan.csv", lines.join("\n"), &["line 4", "mean_texture"]);
    // A missing feature column.
    let dropped: Vec<String> = train
        .lines()
        .map(|l| l.split(',').skip(1).collect::<Vec<_>>().join(","))
        .collect();
    check("missing.csv", dropped.join("\n"), &["mean_radius"]);
    let mut expected = vec!["out.json", "nan.csv", "missing.csv"];
    assert_eq!(other_files(&dir, &expected), Vec::<String>::new());
    // Success replaces the file whole; nothing else is left in the folder.
    let train_path = model_path(&format!("{MODEL}.train.csv"));
    let result = run_tune(&model, &train_path, &out_s, &["-q"]);
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(stdout(&result).is_empty());
    assert!(std::fs::read_to_string(&out)
        .unwrap()
        .contains("\"method\""));
    expected.sort();
    assert_eq!(other_files(&dir, &expected), Vec::<String>::new());
    // The output may not be the reference.
    let result = run_tune(&model, &out_s, &out_s, &[]);
    assert_eq!(result.status.code(), Some(1));
    // Tuning a tuned model again works (its stored method is ignored while tuning) and
    // gives the same choice.
    let again = dir.join("again.json").to_string_lossy().into_owned();
    let result = run_tune(&out_s, &train_path, &again, &["-q"]);
    assert!(result.status.success(), "{}", stderr(&result));
    assert_eq!(
        info_json(&again)["default_method"],
        info_json(&out_s)["default_method"]
    );
}
