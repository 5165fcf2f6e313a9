//! `neuralize explain / verify / info / score` on the support-vector-classifier (scikit-learn
//! SVC) fixtures.

use crate::support::*;

fn explain(name: &str, extra: &[&str]) -> std::process::Output {
    let model = model_path(&format!("{name}.json"));
    let input = model_path(&format!("{name}.input.csv"));
    let mut args = vec!["explain", "-m", &model, "-i", &input, "-o", "-"];
    args.extend_from_slice(extra);
    run(&args)
}

/// The class labels of a fixture, in class-index order.
fn classes(name: &str) -> Vec<f64> {
    let text = std::fs::read_to_string(model_path(&format!("{name}.json"))).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_f64().unwrap())
        .collect()
}

#[test]
fn explain_writes_the_class_label_target_and_relevances_and_verify_passes() {
    for name in SVC_FIXTURES {
        let out = explain(name, &[]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        let (header, rows) = parse_csv(&stdout(&out));
        assert_eq!(header[..2], ["predicted", "target"], "{name}");
        assert!(header[2..].iter().all(|h| h.starts_with("R_")), "{name}");
        let expected =
            std::fs::read_to_string(model_path(&format!("{name}.expected_neon-path.csv"))).unwrap();
        let (_, want) = parse_csv(&expected);
        let labels = classes(name);
        assert_eq!(rows.len(), want.len(), "{name}");
        for (r, (got, want)) in rows.iter().zip(&want).enumerate() {
            assert_eq!(
                got[0], labels[want[0] as usize],
                "{name} row {r}: the label"
            );
            for (g, w) in got.iter().zip(want).skip(1) {
                assert!((g - w).abs() <= 1e-9 * w.abs().max(1.0), "{name} row {r}");
            }
            let sum: f64 = got[2..].iter().sum();
            assert!(
                (sum - got[1]).abs() <= 1e-9 * got[1].abs().max(1.0),
                "{name} row {r}"
            );
        }
        let model = model_path(&format!("{name}.json"));
        let input = model_path(&format!("{name}.input.csv"));
        let out = run(&["verify", "-m", &model, "-i", &input]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        let table = stdout(&out);
        assert!(table.contains("conservation"), "{name}");
        assert!(table.lines().last().unwrap().starts_with("ok"), "{table}");
    }
}

#[test]
fn a_class_is_chosen_by_label_and_unknown_labels_are_refused() {
    // classes [10, 20, 30]: the labels, not the indices 0..3.
    let (_, chosen) = parse_csv(&stdout(&explain("svc_wine_raw", &["--class", "10"])));
    let expected = std::fs::read_to_string(model_path("svc_wine_raw.expected_class0.csv")).unwrap();
    let (_, want) = parse_csv(&expected);
    for (r, (got, want)) in chosen.iter().zip(&want).enumerate() {
        assert!(
            (got[1] - want[1]).abs() <= 1e-9 * want[1].abs().max(1.0),
            "row {r}"
        );
    }
    let out = explain("svc_wine_raw", &["--class", "40"]);
    assert_fails_with(&out, "unknown class \"40\"");
    let out = explain("svc_wine_raw", &["--rule", "neon-floor"]);
    assert_fails_with(&out, "neon-path, hybrid, neon, neon-ref");
}

#[test]
fn info_and_score_describe_the_classifier() {
    let model = model_path("svc_digits_laplacian.json");
    let out = run(&["info", "-m", &model]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    for needle in ["svc", "laplacian", "neon-path@auto", "support"] {
        assert!(text.contains(needle), "{needle:?} in\n{text}");
    }
    let input = model_path("svc_iris.input.csv");
    let out = run(&[
        "score",
        "-m",
        &model_path("svc_iris.json"),
        "-i",
        &input,
        "-o",
        "-",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (header, rows) = parse_csv(&stdout(&out));
    assert_eq!(header, ["predicted", "target"]);
    let (_, want) =
        parse_csv(&std::fs::read_to_string(model_path("svc_iris.expected_hybrid.csv")).unwrap());
    assert_eq!(rows.len(), want.len());
    for (got, want) in rows.iter().zip(&want) {
        assert_eq!(got[0], want[0]);
        assert!((got[1] - want[1]).abs() <= 1e-9 * want[1].abs().max(1.0));
    }
}
