//! `neuralize fit gmm` through the binary: the written model passes `neuralize verify`, and
//! bad arguments are one-line errors.

use crate::support::*;
use neuralize::load_model;

fn fixture(name: &str) -> String {
    format!("{}/models/fit/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn fitted_mixtures_load_and_pass_verify() {
    let dir = scratch("fit-gmm-verify");
    let train = fixture("kmeans_iris.train.csv");
    for kind in ["full", "tied", "diag", "spherical"] {
        let out = dir.join(format!("{kind}.json"));
        let out_text = out.to_str().unwrap();
        let result = run(&[
            "fit",
            "gmm",
            "--input",
            &train,
            "--output",
            out_text,
            "--standardize",
            "--components",
            "3",
            "--covariance",
            kind,
            "--n-init",
            "2",
        ]);
        assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
        let model = load_model(&out).unwrap();
        assert_eq!(model.kind(), "gaussian_mixture");
        assert_eq!(model.provenance().unwrap()["covariance_type"], kind);
        let verify = run(&["verify", "--model", out_text, "--input", &train]);
        assert_eq!(verify.status.code(), Some(0), "{kind}: {}", stderr(&verify));
    }
}

#[test]
fn bad_gmm_arguments_are_one_line_errors() {
    let dir = scratch("fit-gmm-bad");
    let train = fixture("kmeans_iris.train.csv");
    let out = dir.join("bad.json");
    let out_text = out.to_str().unwrap();
    let base = ["fit", "gmm", "--input", &train, "--output", out_text];
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        run(&args)
    };
    for (extra, message) in [
        (
            &["--components", "151"][..],
            "components = 151 is greater than the number of training rows (150)",
        ),
        (
            &["--components", "2", "--reg-covar", "0"][..],
            "reg_covar must be a finite number > 0",
        ),
        (
            &["--components", "2", "--n-init", "0"][..],
            "n_init must be at least 1",
        ),
    ] {
        let result = with(extra);
        let err = stderr(&result);
        assert_eq!(result.status.code(), Some(1), "{err}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        assert!(err.contains(message), "{err}");
        assert!(!out.exists(), "no model file is written on error");
    }
    let result = with(&["--components", "2", "--covariance", "round"]);
    assert_eq!(result.status.code(), Some(2), "{}", stderr(&result));
    assert!(stderr(&result).contains("expected full, tied, diag or spherical"));
}
