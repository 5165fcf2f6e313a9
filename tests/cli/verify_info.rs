//! `neuralize verify` and `neuralize info` on the shipped models.

use crate::support::*;

fn verify(name: &str, extra: &[&str]) -> std::process::Output {
    let model = model_path(&format!("{name}.json"));
    let input = model_path(&format!("{name}.input.csv"));
    let mut args = vec!["verify", "-m", &model, "-i", &input];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn verify_passes_on_every_shipped_model() {
    for name in FIXTURES {
        let out = verify(name, &[]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        let table = stdout(&out);
        assert!(table.contains("conservation"), "{table}");
        assert!(table.trim_end().ends_with("ok (tolerance 1e-9)"), "{table}");
        if name.starts_with("kmeans") {
            assert!(table.contains("logit"), "{table}");
            let cluster = table.lines().find(|l| l.starts_with("cluster")).unwrap();
            assert!(cluster.trim_end().ends_with(" 0"), "no mismatches: {table}");
        }
    }
}

#[test]
fn verify_fails_with_tolerance_zero_where_rounding_differs() {
    // The network's decision function sums in another order than the classical one: the
    // last bits differ, so a zero tolerance must fail with exit 1 and name the line.
    let out = verify("ocsvm_blobs", &["--tolerance", "0"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: verify failed: "), "{err}");
    assert!(
        err.contains("ocsvm_blobs.input.csv") && err.contains("at line"),
        "{err}"
    );
    assert!(stdout(&out).contains("FAILED"));
}

#[test]
fn verify_fails_on_rows_the_network_cannot_score() {
    let input = "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm\n5,3,1,0.2\n1e300,-1e300,1e300,1e300\n";
    let out = run_with_stdin(
        &["verify", "-m", &model_path("kmeans_iris.json"), "-i", "-"],
        input.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("line 3"), "{}", stderr(&out));
}

#[test]
fn verify_rejects_a_negative_tolerance() {
    let out = verify("kde_iris", &["--tolerance=-1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("tolerance"));
}

/// Nothing compared is not a pass: a pipeline that lost its rows must not read "ok".
#[test]
fn verify_on_a_header_only_input_fails() {
    let out = run_with_stdin(
        &["verify", "-m", &model_path("ocsvm_blobs.json"), "-i", "-"],
        b"x0,x1,x2,x3,x4\n",
    );
    assert_one_line_error(&out, &["<stdin>: ", "no data rows to verify"]);
}

#[test]
fn info_json_has_the_right_counts() {
    for name in FIXTURES {
        let path = model_path(&format!("{name}.json"));
        let file: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let out = run(&["info", "-m", &path, "--json"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let info: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(info["model"], file["model"], "{name}");
        let (count_field, units) = match file["model"].as_str().unwrap() {
            "one_class_svm" => ("n_support_vectors", "support_vectors"),
            "kernel_density" => ("n_points", "points"),
            "gaussian_mixture" => ("n_components", "means"),
            "knn_detector" => ("n_points", "points"),
            _ => ("n_clusters", "centroids"),
        };
        let rows = file[units].as_array().unwrap();
        assert_eq!(info[count_field], rows.len(), "{name}");
        assert_eq!(
            info["n_features"],
            rows[0].as_array().unwrap().len(),
            "{name}"
        );
        assert_eq!(
            info["feature_names"],
            file.get("feature_names").cloned().unwrap_or_default()
        );
        assert_eq!(info["provenance"], file["provenance"], "{name}");
        assert!(info["default_beta"].as_f64().unwrap() > 0.0);
        assert!(info["auto_beta"].as_f64().unwrap() > 0.0);
        if let Some(beta) = file.get("beta") {
            assert_eq!(&info["beta"], beta, "{name}");
            assert_eq!(&info["default_beta"], beta, "{name}");
        }
        if let Some(kernel) = file.get("kernel") {
            assert_eq!(
                info["kernel"]["gamma"],
                kernel.as_object().unwrap().values().next().unwrap()["gamma"]
            );
        }
    }
}

#[test]
fn info_text_is_human_readable() {
    let out = run(&["info", "-m", &model_path("ocsvm_breast_cancer.json")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for needle in [
        "model            one_class_svm",
        "features         30: mean_radius, mean_texture,",
        "support vectors",
        "kernel           rbf, gamma = ",
        "scaler           standardize",
        "beta             none stored; auto = 0.26",
        ", published (--rule neon) = 1",
        "default method   neon-pick@1 (what explain runs without options)",
        "why              neon-lean (neon-path with the features after its top 3 re-shared",
        "provenance",
    ] {
        assert!(text.contains(needle), "{needle:?} in\n{text}");
    }
    // String facts print as words, not JSON strings.
    let out = run(&["info", "-m", &model_path("gmm_wine_tied.json")]);
    let text = stdout(&out);
    assert!(text.contains("covariance type  tied\n"), "{text}");
}

#[test]
fn every_shipped_model_explains_and_verifies_with_the_default_options() {
    let shipped = shipped_models();
    let mut fixtures: Vec<&str> = FIXTURES
        .iter()
        .chain(DENSE_FIXTURES)
        .chain(SVC_FIXTURES)
        .copied()
        .collect();
    fixtures.sort_unstable();
    assert_eq!(
        shipped, fixtures,
        "models/*.json and the fixture list differ"
    );
    for name in &shipped {
        let model = model_path(&format!("{name}.json"));
        let input = model_path(&format!("{name}.input.csv"));
        let out = run(&["explain", "-m", &model, "-i", &input, "-o", "-"]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{name}");
        let rows_in = std::fs::read_to_string(&input).unwrap().lines().count();
        let (header, rows) = parse_csv(&stdout(&out));
        assert_eq!(
            rows.len() + 1,
            rows_in,
            "{name}: one output row per input row"
        );
        assert!(
            header.iter().filter(|h| h.starts_with("R_")).count() > 0,
            "{name}: {header:?}"
        );
        assert!(rows.iter().flatten().all(|v| v.is_finite()), "{name}");

        let out = verify(name, &[]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        let table = stdout(&out);
        let last = table.lines().last().unwrap_or_default();
        assert!(last.starts_with("ok"), "{name}: {table}");
    }
}
