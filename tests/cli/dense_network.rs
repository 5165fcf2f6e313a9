//! `neuralize explain / verify / info` on the dense-network (scikit-learn MLP) fixtures.

use crate::support::*;

fn explain(name: &str, extra: &[&str]) -> std::process::Output {
    let model = model_path(&format!("{name}.json"));
    let input = model_path(&format!("{name}.input.csv"));
    let mut args = vec!["explain", "-m", &model, "-i", &input, "-o", "-"];
    args.extend_from_slice(extra);
    run(&args)
}

/// The CSV text of a successful run, with its numeric columns from `from` on.
fn numbers(out: &std::process::Output, from: usize) -> (Vec<String>, Vec<Vec<String>>) {
    assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
    let text = stdout(out);
    let mut lines = text.lines();
    let header = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    let rows = lines
        .map(|l| l.split(',').skip(from).map(str::to_string).collect())
        .collect();
    (header, rows)
}

#[test]
fn explain_writes_predicted_target_and_relevances_and_verify_passes() {
    for name in DENSE_FIXTURES {
        let (header, rows) = parse_csv(&stdout(&explain(name, &[])));
        assert_eq!(header[..2], ["predicted", "target"], "{name}");
        assert!(header[2].starts_with("R_"), "{name}");
        let expected =
            std::fs::read_to_string(model_path(&format!("{name}.expected_neon-drop.csv"))).unwrap();
        let (_, want) = parse_csv(&expected);
        assert_eq!(rows.len(), want.len(), "{name}");
        for (r, (got, want)) in rows.iter().zip(&want).enumerate() {
            for (g, w) in got.iter().zip(want).skip(1) {
                assert!((g - w).abs() <= 1e-9 * w.abs().max(1.0), "{name} row {r}");
            }
        }
        let model = model_path(&format!("{name}.json"));
        let input = model_path(&format!("{name}.input.csv"));
        let out = run(&["verify", "-m", &model, "-i", &input]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        assert!(stdout(&out).contains("conservation"), "{name}");
    }
}

#[test]
fn class_labels_are_written_and_chosen_by_label() {
    // classes [10, 20, 30]: the labels, not the indices 0..3.
    let (_, rows) = numbers(&explain("mlp_blobs_raw", &[]), 0);
    assert!(rows
        .iter()
        .all(|r| ["10", "20", "30"].contains(&r[0].as_str())));
    let (_, chosen) = numbers(&explain("mlp_blobs_raw", &["--class", "30"]), 0);
    let expected = std::fs::read_to_string(model_path("mlp_blobs_raw.sklearn.csv")).unwrap();
    let (_, sk) = parse_csv(&expected);
    for (r, row) in chosen.iter().enumerate() {
        // The prediction stays the predicted class; the target is class 30's logit.
        let predicted = ["10", "20", "30"][sk[r][0] as usize];
        assert_eq!(row[0], predicted, "row {r}");
    }
    let out = explain("mlp_blobs_raw", &["--class", "40"]);
    assert_fails_with(&out, "unknown class \"40\"");
    let out = explain("mlp_diabetes", &["--class", "1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("classifiers"), "{}", stderr(&out));
}

#[test]
fn rule_accepts_rule_sets_and_linear_rules() {
    for (rule, file) in [
        ("gamma-zb", "gamma-zb"),
        ("neon-flip", "neon-flip"),
        ("epsilon-plus-flat", "epsilon-plus-flat"),
        ("lrp0", "lrp0"),
        ("alpha-beta=2,1", "alpha-beta"),
        ("w2", "w2"),
    ] {
        let (_, rows) = parse_csv(&stdout(&explain("mlp_wine", &["--rule", rule])));
        let text =
            std::fs::read_to_string(model_path(&format!("mlp_wine.expected_{file}.csv"))).unwrap();
        let (_, want) = parse_csv(&text);
        for (r, (got, want)) in rows.iter().zip(&want).enumerate() {
            for (g, w) in got.iter().zip(want) {
                assert!((g - w).abs() <= 1e-9 * w.abs().max(1.0), "{rule} row {r}");
            }
        }
    }
    let out = explain("mlp_wine", &["--rule", "neon"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("tutorial"), "{}", stderr(&out));
    let out = explain("mlp_wine", &["--rule", "zb"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("input layer"), "{}", stderr(&out));
}

#[test]
fn a_string_labelled_model_file_and_other_methods() {
    let dir = scratch("dense-strings");
    let text = std::fs::read_to_string(model_path("mlp_blobs_raw.json"))
        .unwrap()
        .replace(
            r#""classes": [10, 20, 30]"#,
            r#""classes": ["north", "south", "west"]"#,
        );
    assert!(text.contains("north"));
    let model = dir.join("m.json");
    std::fs::write(&model, text).unwrap();
    let input = model_path("mlp_blobs_raw.input.csv");
    let model = model.to_str().unwrap();
    let out = run(&[
        "explain", "-m", model, "-i", &input, "-o", "-", "--class", "west",
    ]);
    let (_, rows) = numbers(&out, 0);
    assert!(rows
        .iter()
        .all(|r| ["north", "south", "west"].contains(&r[0].as_str())));
    for method in ["occlusion", "integrated-gradients", "shapley-sampling"] {
        let out = run(&[
            "explain", "-m", model, "-i", &input, "-o", "-", "--method", method,
        ]);
        let (_, rows) = numbers(&out, 1);
        assert!(rows
            .iter()
            .flatten()
            .all(|v| v.parse::<f64>().unwrap().is_finite()));
    }
    let out = run(&["info", "-m", model]);
    assert!(stdout(&out).contains("dense_network"), "{}", stdout(&out));
}

#[test]
fn target_log_odds_is_explained_and_refused_for_other_models() {
    let (_, rows) = parse_csv(&stdout(&explain("mlp_wine", &["--target", "log-odds"])));
    let text =
        std::fs::read_to_string(model_path("mlp_wine.expected_log-odds_neon-drop.csv")).unwrap();
    let (_, want) = parse_csv(&text);
    assert_eq!(rows.len(), want.len());
    for (r, (got, want)) in rows.iter().zip(&want).enumerate() {
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() <= 1e-9 * w.abs().max(1.0), "row {r}");
        }
    }
    // The opt-in neon-flip on the log-odds too.
    let (_, rows) = parse_csv(&stdout(&explain(
        "mlp_wine",
        &["--target", "log-odds", "--rule", "neon-flip"],
    )));
    let text =
        std::fs::read_to_string(model_path("mlp_wine.expected_log-odds_neon-flip.csv")).unwrap();
    let (_, want) = parse_csv(&text);
    assert_eq!(rows.len(), want.len());
    for (r, (got, want)) in rows.iter().zip(&want).enumerate() {
        for (g, w) in got.iter().zip(want) {
            assert!(
                (g - w).abs() <= 1e-9 * w.abs().max(1.0),
                "neon-flip row {r}"
            );
        }
    }
    let out = explain("mlp_wine", &["--target", "odds"]);
    assert_fails_with(&out, "logit or log-odds");
    let out = explain("mlp_diabetes", &["--target", "log-odds"]);
    assert_fails_with(&out, "this dense_network model has no log-odds target");
    let out = explain("gmm_wine_tied", &["--target", "logit"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("has no logit target") && stderr(&out).contains("Gaussian"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn layer_rule_overrides_chosen_layers() {
    // mlp_iris: the tutorial composite is zb on layer 0, gamma=0.25 on layer 1, LRP-0 on
    // the explained unit, so LRP-0 everywhere with these two overrides is the tutorial.
    let (_, rows) = parse_csv(&stdout(&explain(
        "mlp_iris",
        &["--rule", "lrp0", "--layer-rule", "0=zb,1=gamma=0.25"],
    )));
    let expected = std::fs::read_to_string(model_path("mlp_iris.expected_tutorial.csv")).unwrap();
    let (_, want) = parse_csv(&expected);
    assert_eq!(rows.len(), want.len());
    for (r, (got, want)) in rows.iter().zip(&want).enumerate() {
        for (g, w) in got.iter().zip(want).skip(1) {
            assert!(
                (g - w).abs() <= 1e-9 * w.abs().max(1.0),
                "row {r}: {g} vs {w}"
            );
        }
    }
    for (extra, needle) in [
        (vec!["--layer-rule", "5=lrp0"], "layer 5 does not exist"),
        (vec!["--layer-rule", "1=zb"], "input layer (0) only"),
        (vec!["--layer-rule", "zb"], "LAYER=RULE"),
        (vec!["--layer-rule", "0=flat"], "layer-wise --rule"),
        (
            vec!["--method", "occlusion", "--layer-rule", "0=flat"],
            "--method occlusion",
        ),
    ] {
        let out = explain("mlp_iris", &extra);
        assert_ne!(out.status.code(), Some(0), "{extra:?}");
        let err = stderr(&out);
        assert!(
            err.contains("layer-rule") && err.contains(needle),
            "{extra:?}: {err}"
        );
    }
}
