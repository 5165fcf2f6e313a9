//! `neuralize fit ...` argument parsing and the model files it writes.
#![cfg(feature = "cli")]

use clap::Parser;
use neuralize::cli::fit::{run, FitArgs};
use neuralize::{load_model, ModelKind};
use std::path::PathBuf;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: FitArgs,
}

fn fixture(name: &str) -> String {
    format!("{}/models/fit/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn output(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("neuralize-fit-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn fit(args: &[&str]) -> neuralize::Result<()> {
    run(
        Cli::try_parse_from(std::iter::once("fit").chain(args.iter().copied()))
            .unwrap()
            .args,
    )
}

#[test]
fn each_subcommand_writes_a_loadable_model_with_the_header_as_feature_names() {
    let train = fixture("ocsvm_breast_cancer.train.csv");
    let cases: [(&str, Vec<&str>, ModelKind); 3] = [
        (
            "ocsvm",
            vec!["--nu", "0.1", "--gamma", "scale", "--kernel", "laplacian"],
            ModelKind::OneClassSvm,
        ),
        (
            "kmeans",
            vec!["--k", "2", "--n-init", "2", "--seed", "5"],
            ModelKind::KMeans,
        ),
        (
            "kde",
            vec!["--bandwidth", "silverman"],
            ModelKind::KernelDensity,
        ),
    ];
    for (command, extra, kind) in cases {
        let out = output(&format!("{command}.json"));
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
        fit(&args).unwrap();
        let model = load_model(&out).unwrap();
        assert_eq!(model.kind(), kind);
        assert_eq!(model.feature_names().unwrap()[0], "mean_radius");
        assert!(model.scaler().is_some() && model.reference().is_some());
        assert_eq!(model.provenance().unwrap()["tool"], "neuralize");
    }
}

#[test]
fn bad_arguments_and_input_are_errors() {
    let train = fixture("ocsvm_blobs.train.csv");
    let out = output("bad.json");
    let out_text = out.to_str().unwrap();
    let e = fit(&[
        "ocsvm", "--input", &train, "--output", out_text, "--nu", "1.5",
    ])
    .unwrap_err();
    assert!(e.to_string().contains("nu must be in (0, 1], got 1.5"));
    assert!(Cli::try_parse_from([
        "fit", "ocsvm", "--input", "a", "--output", "b", "--gamma", "wide"
    ])
    .is_err());
    let e = fit(&[
        "kde",
        "--input",
        "/nonexistent.csv",
        "--output",
        out_text,
        "--bandwidth",
        "1",
    ])
    .unwrap_err();
    assert!(e.to_string().contains("/nonexistent.csv"));
    assert!(!out.exists(), "no model file is written on error");
}
