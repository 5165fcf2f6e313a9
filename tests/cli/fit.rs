//! `neuralize fit ...` argument parsing and the model files it writes, through the binary.

use crate::support::*;
use neuralize::load_model;

fn fixture(name: &str) -> String {
    format!("{}/models/fit/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Run `neuralize fit ARGS`.
fn fit(args: &[&str]) -> std::process::Output {
    let mut all = vec!["fit"];
    all.extend_from_slice(args);
    run(&all)
}

#[test]
fn each_subcommand_writes_a_loadable_model_with_the_header_as_feature_names() {
    let dir = scratch("fit-each-subcommand");
    let train = fixture("ocsvm_breast_cancer.train.csv");
    let cases: [(&str, Vec<&str>, &str); 3] = [
        (
            "ocsvm",
            vec!["--nu", "0.1", "--gamma", "scale", "--kernel", "laplacian"],
            "one_class_svm",
        ),
        (
            "kmeans",
            vec!["--k", "2", "--n-init", "2", "--seed", "5"],
            "kmeans",
        ),
        ("kde", vec!["--bandwidth", "silverman"], "kernel_density"),
    ];
    for (command, extra, kind) in cases {
        let out = dir.join(format!("{command}.json"));
        let out_text = out.to_str().unwrap();
        let mut args = vec![
            command,
            "--input",
            &train,
            "--output",
            out_text,
            "--standardize",
        ];
        args.extend(extra);
        let result = fit(&args);
        assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
        assert_eq!(stderr(&result), "", "{command}: a successful fit is quiet");
        let model = load_model(&out).unwrap();
        assert_eq!(model.kind(), kind);
        assert_eq!(model.feature_names().unwrap()[0], "mean_radius");
        assert!(model.scaler().is_some() && model.reference().is_some());
        assert_eq!(model.provenance().unwrap()["tool"], "neuralize");
    }
}

#[test]
fn bad_arguments_and_input_are_errors() {
    let dir = scratch("fit-bad-arguments");
    let train = fixture("ocsvm_blobs.train.csv");
    let out = dir.join("bad.json");
    let out_text = out.to_str().unwrap();
    let result = fit(&[
        "ocsvm", "--input", &train, "--output", out_text, "--nu", "1.5",
    ]);
    let err = stderr(&result);
    assert_eq!(result.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("nu must be in (0, 1], got 1.5"), "{err}");
    assert!(!out.exists(), "no model file is written on error");
    // What clap rejects exits 2 (the old test checked the parse fails).
    let result = fit(&[
        "ocsvm", "--input", &train, "--output", out_text, "--gamma", "wide",
    ]);
    assert_eq!(result.status.code(), Some(2), "{}", stderr(&result));
    assert!(!out.exists(), "no model file is written on error");
    let result = fit(&[
        "kde",
        "--input",
        "/nonexistent.csv",
        "--output",
        out_text,
        "--bandwidth",
        "1",
    ]);
    let err = stderr(&result);
    assert_eq!(result.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains("/nonexistent.csv"), "{err}");
    assert!(!out.exists(), "no model file is written on error");
    assert_eq!(
        other_files(&dir, &[]),
        Vec::<String>::new(),
        "no temporary file may remain"
    );
}

#[test]
fn the_readme_fit_then_explain_path_works() {
    // README: `neuralize fit kmeans --input models/fit/kmeans_iris.train.csv --output iris.json
    // --k 3 --standardize`, then `neuralize explain -m iris.json -i models/kmeans_iris.input.csv`.
    let dir = scratch("fit-readme-iris");
    let model = dir.join("iris.json");
    let model_text = model.to_str().unwrap();
    let train = fixture("kmeans_iris.train.csv");
    let result = fit(&[
        "kmeans",
        "--input",
        &train,
        "--output",
        model_text,
        "--k",
        "3",
        "--standardize",
    ]);
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    let input = model_path("kmeans_iris.input.csv");
    let out = run(&["explain", "-m", model_text, "-i", &input, "-o", "-"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (header, rows) = parse_csv(&stdout(&out));
    assert!(
        header
            .join(",")
            .starts_with("cluster,logit,R_sepal_length_cm,"),
        "{header:?}"
    );
    let rows_in = std::fs::read_to_string(&input).unwrap().lines().count() - 1;
    assert_eq!(rows.len(), rows_in);
    for (r, row) in rows.iter().enumerate() {
        let total: f64 = row[2..].iter().sum();
        assert!(
            (total - row[1]).abs() <= 1e-9 * row[1].abs().max(1.0),
            "row {r}: relevances sum to {total}, output {}",
            row[1]
        );
    }
    let out = run(&["verify", "-m", model_text, "-i", &input]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}
