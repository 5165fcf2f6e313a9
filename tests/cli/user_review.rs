//! What a new user tripped over (the s26 review): negative numbers, tables without rows,
//! spray's row-count messages and the defaults `explain --help` promises.

use crate::support::*;
use std::path::Path;

const IRIS_HEADER: &str = "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm";

/// `DIR/header.csv` holding the iris header and no rows; its path.
fn iris_header_only(dir: &Path) -> String {
    let header = dir.join("header.csv");
    std::fs::write(&header, format!("{IRIS_HEADER}\n")).unwrap();
    header.to_str().unwrap().to_owned()
}

/// The k-means iris fixture's files and a scratch output path `DIR/output`.
struct IrisCase {
    dir: Scratch,
    out: String,
    km: String,
    km_in: String,
    km_ref: String,
}

impl IrisCase {
    /// `neuralize spray -m KM -i KM_IN -o OUT` with `extra` options.
    fn spray(&self, extra: &[&str]) -> std::process::Output {
        let args = ["spray", "-m", &self.km, "-i", &self.km_in, "-o", &self.out];
        run(&[&args[..], extra].concat())
    }
}

/// A scratch directory for `test` and the iris files, the output at `DIR/output` (keep
/// `dir` bound while the test runs: the directory is removed when it is dropped).
fn iris_case(test: &str, output: &str) -> IrisCase {
    let dir = scratch(test);
    let out = dir.join(output).to_str().unwrap().to_owned();
    IrisCase {
        dir,
        out,
        km: model_path("kmeans_iris.json"),
        km_in: model_path("kmeans_iris.input.csv"),
        km_ref: model_path("fit/kmeans_iris.train.csv"),
    }
}

#[test]
fn a_negative_number_is_a_value_refused_by_its_range_check() {
    let IrisCase {
        dir: _dir,
        out,
        km,
        km_in,
        km_ref,
    } = iris_case("review-negative", "out.csv");
    let out = out.as_str();
    let oc = model_path("ocsvm_breast_cancer.json");
    let oc_ref = model_path("ocsvm_breast_cancer.train.csv");
    let cases: Vec<(Vec<&str>, &[&str])> = vec![
        (
            vec![
                "explain", "-m", &km, "-i", &km_in, "-o", out, "--beta", "-1",
            ],
            &["beta", "-1"],
        ),
        (
            vec!["verify", "-m", &km, "-i", &km_in, "--tolerance", "-1"],
            &["tolerance", "-1"],
        ),
        (
            vec![
                "evaluate",
                "-m",
                &km,
                "-i",
                &km_in,
                "--reference",
                &km_ref,
                "--beta",
                "-2",
            ],
            &["beta", "-2"],
        ),
        (
            vec![
                "tune",
                "-m",
                &oc,
                "--reference",
                &oc_ref,
                "-o",
                out,
                "--margin",
                "-0.5",
            ],
            &["margin", "-0.5"],
        ),
        (
            vec![
                "tune",
                "-m",
                &oc,
                "--reference",
                &oc_ref,
                "-o",
                out,
                "--share",
                "-1",
            ],
            &["share", "-1"],
        ),
        (
            vec![
                "fit", "ocsvm", "--input", &km_ref, "--output", out, "--nu", "-0.5",
            ],
            &["nu", "-0.5"],
        ),
    ];
    for (args, needles) in &cases {
        let run_out = run(args);
        assert_one_line_error(&run_out, needles);
        assert!(!Path::new(out).exists(), "{args:?} wrote an output");
    }
    // A negative count is still not a count: clap refuses it (exit 2), naming the option.
    let run_out = run(&[
        "explain",
        "-m",
        &km,
        "-i",
        &km_in,
        "-o",
        out,
        "--cluster",
        "-1",
    ]);
    assert_eq!(run_out.status.code(), Some(2), "{}", stderr(&run_out));
    assert!(
        stderr(&run_out).contains("--cluster"),
        "{}",
        stderr(&run_out)
    );
}

#[test]
fn a_table_without_rows_is_an_error_naming_the_file() {
    let IrisCase {
        dir,
        out,
        km,
        km_in,
        km_ref,
    } = iris_case("review-no-rows", "out.json");
    let header = iris_header_only(&dir);
    let (header, out) = (header.as_str(), out.as_str());
    for args in [
        vec!["evaluate", "-m", &km, "-i", &km_in, "--reference", header],
        vec!["evaluate", "-m", &km, "-i", header, "--reference", &km_ref],
        vec!["tune", "-m", &km, "--reference", header, "-o", out],
        vec![
            "explain",
            "-m",
            &km,
            "-i",
            &km_in,
            "-o",
            out,
            "--method",
            "occlusion",
            "--reference",
            header,
        ],
    ] {
        let run_out = run(&args);
        assert_one_line_error(&run_out, &[&format!("{header}: "), "no data rows"]);
        assert!(!Path::new(out).exists(), "{args:?} wrote an output");
    }
}

#[test]
fn spray_row_count_errors_name_the_file_and_only_real_options() {
    let case = iris_case("review-spray-rows", "out.csv");
    let header = iris_header_only(&case.dir);
    let (header, out) = (header.as_str(), case.out.as_str());

    let run_out = run(&["spray", "-m", &case.km, "-i", header, "-o", out]);
    assert_one_line_error(&run_out, &[&format!("{header}: "), "at least 2 rows"]);
    // There is no --rows option to point at.
    assert!(!stderr(&run_out).contains("--rows"), "{}", stderr(&run_out));

    // --neighbors 0 is the option's fault, whatever the file: named before reading it.
    let run_out = case.spray(&["--neighbors", "0"]);
    assert_one_line_error(&run_out, &["`neighbors`", "at least 1"]);
    assert!(
        !stderr(&run_out).contains("kmeans_iris"),
        "{}",
        stderr(&run_out)
    );
    // Too many neighbours for the rows is about the file, and says which option to lower.
    let run_out = case.spray(&["--neighbors", "50"]);
    assert_one_line_error(&run_out, &["kmeans_iris.input.csv: ", "--neighbors"]);
    assert!(!Path::new(out).exists());
}

/// `explain --help` says which method each family runs by default; `info` says what runs.
/// Every shipped model's family default must be the one the help names for its kind.
#[test]
fn explain_help_names_each_familys_default_as_info_reports_it() {
    let help = stdout(&run(&["explain", "--help"]));
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    let start = help
        .find("else the family's default")
        .expect("the --rule help lists the family defaults");
    let defaults = &help[start..];
    let defaults = &defaults[..defaults.find('.').unwrap()];
    for name in shipped_models() {
        let out = run(&["info", "-m", &model_path(&format!("{name}.json")), "--json"]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let info: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        let family_default = info["family_default_method"].as_str().unwrap();
        let kernel = info["kernel"]["name"].as_str();
        let phrase = match (info["model"].as_str().unwrap(), kernel) {
            ("one_class_svm" | "kernel_density", Some("rbf")) => "rbf kernel models",
            ("one_class_svm" | "kernel_density", Some("laplacian")) => "laplacian ones",
            ("kmeans", _) => "k-means",
            ("svc", _) => "SVCs",
            ("gaussian_mixture", _) => "Gaussian mixtures",
            ("knn_detector", _) => "kNN detectors",
            ("dense_network", _) => "dense networks",
            (kind, kernel) => panic!("{name}: a kind the help does not cover: {kind} {kernel:?}"),
        };
        let at = defaults
            .find(phrase)
            .unwrap_or_else(|| panic!("{name}: {phrase:?} not in {defaults:?}"));
        // The last `method` named before the phrase.
        let before = &defaults[..at];
        let close = before.rfind('`').unwrap();
        let open = before[..close].rfind('`').unwrap();
        assert_eq!(
            &before[open + 1..close],
            family_default,
            "{name}: the help names the wrong default for {phrase}"
        );
    }
}

/// An empty path names no file: every path option refuses it before anything is read, as
/// clap refuses an empty `--model`, naming the option (it was `error: : No such file ...`).
#[test]
fn an_empty_path_is_refused_naming_the_option() {
    let km = model_path("kmeans_iris.json");
    let km_in = model_path("kmeans_iris.input.csv");
    let km_ref = model_path("fit/kmeans_iris.train.csv");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["explain", "-m", &km, "-i", "", "-o", "-"], "--input"),
        (
            vec!["explain", "-m", &km, "-i", &km_in, "-o", ""],
            "--output",
        ),
        (
            vec![
                "explain",
                "-m",
                &km,
                "-i",
                &km_in,
                "-o",
                "-",
                "--reference",
                "",
            ],
            "--reference",
        ),
        (vec!["score", "-m", &km, "-i", "", "-o", "-"], "--input"),
        (vec!["verify", "-m", &km, "-i", ""], "--input"),
        (
            vec!["evaluate", "-m", &km, "-i", "", "--reference", &km_ref],
            "--input",
        ),
        (
            vec!["evaluate", "-m", &km, "-i", &km_in, "--reference", ""],
            "--reference",
        ),
        (vec!["spray", "-r", "", "-o", "-"], "--relevance"),
        (vec!["spray", "-m", &km, "-i", "", "-o", "-"], "--input"),
        (vec!["spray", "-m", &km, "-i", &km_in, "-o", ""], "--output"),
        (
            vec!["tune", "-m", &km, "--reference", "", "-o", "-"],
            "--reference",
        ),
        (
            vec!["fit", "kmeans", "--input", "", "--output", "-", "--k", "3"],
            "--input",
        ),
    ];
    for (args, option) in &cases {
        let out = run(args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(option), "{args:?}: {err}");
        assert!(stdout(&out).is_empty(), "{args:?}");
    }
}

/// Python's `json.dump` writes NaN and infinities as `NaN`, `Infinity`, `-Infinity`, which
/// JSON does not have: the error says so, with the line and column (it only said "expected
/// value at line 1 column 147").
#[test]
fn a_model_file_with_nan_or_infinity_says_why_it_is_not_json() {
    let dir = scratch("review-nan-model");
    let text = std::fs::read_to_string(model_path("kmeans_iris.json")).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["centroids"][1][2] = serde_json::json!(12345.5);
    let compact = json.to_string();
    let pretty = serde_json::to_string_pretty(&json).unwrap();
    for (name, literal, text) in [
        ("nan.json", "NaN", compact.replace("12345.5", "NaN")),
        (
            "inf.json",
            "Infinity",
            pretty.replace("12345.5", "Infinity"),
        ),
        (
            "ninf.json",
            "-Infinity",
            pretty.replace("12345.5", "-Infinity"),
        ),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, &text).unwrap();
        let out = run(&["info", "-m", path.to_str().unwrap()]);
        let expected = format!("{literal} is not a JSON number");
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        for needle in [name, "line ", "column ", expected.as_str()] {
            assert!(err.contains(needle), "{err:?} should contain {needle:?}");
        }
    }
    // Other syntax errors are reported as before, without the hint.
    let path = dir.join("cut.json");
    std::fs::write(&path, &compact[..compact.len() / 2]).unwrap();
    let err = stderr(&run(&["info", "-m", path.to_str().unwrap()]));
    assert!(
        err.contains("not a valid model file") && !err.contains("JSON number"),
        "{err}"
    );
}

/// A misspelled feature column: the error names the missing feature and the header's
/// columns that matched nothing, where the misspelling is (it named the missing one only).
#[test]
fn a_missing_feature_column_is_shown_beside_the_unmatched_ones() {
    let dir = scratch("review-misnamed");
    let input = dir.join("in.csv");
    std::fs::write(
        &input,
        "id,sepal_length_cm,sepal_wdth_cm,petal_length_cm,petal_width_cm\n1,5,3,1,0.2\n",
    )
    .unwrap();
    let input = input.to_str().unwrap();
    let km = model_path("kmeans_iris.json");
    let km_in = model_path("kmeans_iris.input.csv");
    let expected = [
        "in.csv: line 1: missing feature column(s) sepal_width_cm of the model's 4 features",
        "the header's other column(s): id, sepal_wdth_cm",
    ];
    let out = run(&["explain", "-m", &km, "-i", input, "-o", "-"]);
    assert_one_line_error(&out, &expected);
    let out = run(&["evaluate", "-m", &km, "-i", &km_in, "--reference", input]);
    assert_one_line_error(&out, &expected);
    // A kept column is not "other".
    let out = run(&["explain", "-m", &km, "-i", input, "-o", "-", "--keep", "id"]);
    assert_one_line_error(&out, &["other column(s): sepal_wdth_cm"]);
    assert!(!stderr(&out).contains("id,"), "{}", stderr(&out));
}

/// `fit`'s complaints about the training rows name the training file (they said
/// "invalid parameter `input`: ...", which file being left to guess).
#[test]
fn fit_errors_about_the_rows_name_the_training_file() {
    let dir = scratch("review-fit-rows");
    let header = iris_header_only(&dir);
    let constant = dir.join("constant.csv");
    std::fs::write(&constant, "a,b\n1,2\n1,3\n1,4\n").unwrap();
    let out = dir.join("model.json");
    let out = out.to_str().unwrap();
    for fit in [
        &["ocsvm"][..],
        &["kmeans", "--k", "2"],
        &["kde", "--bandwidth", "1"],
        &["gmm", "--components", "2"],
    ] {
        let mut args = vec!["fit"];
        args.extend_from_slice(fit);
        let mut rows = args.clone();
        rows.extend(["--input", &header, "--output", out]);
        assert_one_line_error(
            &run(&rows),
            &["header.csv: needs at least", "training rows, got 0"],
        );
        let mut scaled = args.clone();
        scaled.extend([
            "--input",
            constant.to_str().unwrap(),
            "--output",
            out,
            "--standardize",
        ]);
        assert_one_line_error(
            &run(&scaled),
            &[
                "constant.csv: column 1 (\"a\") is constant",
                "--standardize",
            ],
        );
        assert!(!Path::new(out).exists(), "{fit:?} wrote a model");
    }
}

/// `--beta`'s help gives the default method's stiffness per family: 1 for one-class SVMs
/// and kernel densities, `auto` for the others, as `info` reports the default method (it
/// said "1 for kernel models", but SVCs, kernel models too, default to `auto`).
#[test]
fn beta_help_gives_each_familys_default_stiffness_as_info_reports_it() {
    let help = stdout(&run(&["explain", "--help"]));
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        help.contains(
            "Default: the default method's own (1 for one-class SVMs and kernel densities, \
             `auto` for the other families; `info` shows it)"
        ),
        "{help}"
    );
    for name in shipped_models() {
        let out = run(&["info", "-m", &model_path(&format!("{name}.json")), "--json"]);
        let info: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        let method = info["family_default_method"].as_str().unwrap();
        let beta = method.split_once('@').map_or("", |(_, b)| b);
        let expected = match info["model"].as_str().unwrap() {
            "one_class_svm" | "kernel_density" => "1",
            _ => "auto",
        };
        assert_eq!(beta, expected, "{name}: {method}");
    }
}

/// Complaints about what the rows hold name the file: evaluate's "no row has a positive
/// explained output" and spray's "all rows are identical" (both said "invalid parameter
/// `input`" / "`relevance`").
#[test]
fn nothing_to_flip_or_to_group_names_the_file() {
    let dir = scratch("review-nothing-to-do");
    let km = model_path("kmeans_iris.json");
    // The OC-SVM's reference (its training mean) is an inlier: outlierness < 0.
    let oc = model_path("ocsvm_breast_cancer.json");
    let oc_ref = model_path("ocsvm_breast_cancer.train.csv");
    let info = stdout(&run(&["info", "-m", &oc, "--json"]));
    let info: serde_json::Value = serde_json::from_str(&info).unwrap();
    let names: Vec<&str> = info["feature_names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    let mean: Vec<String> = info["reference"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.to_string())
        .collect();
    let inliers = dir.join("inliers.csv");
    write_one_row_csv(&inliers, &names, &mean);
    let out = run(&[
        "evaluate",
        "-m",
        &oc,
        "-i",
        inliers.to_str().unwrap(),
        "--reference",
        &oc_ref,
    ]);
    assert_one_line_error(
        &out,
        &["inliers.csv: no row has a positive explained output"],
    );

    let same = dir.join("same.csv");
    let row = "1,2,3,4";
    let mut text = format!("{IRIS_HEADER}\n");
    for _ in 0..30 {
        text += row;
        text.push('\n');
    }
    std::fs::write(&same, text).unwrap();
    let out = run(&[
        "spray",
        "-m",
        &km,
        "-i",
        same.to_str().unwrap(),
        "-o",
        dir.join("out.csv").to_str().unwrap(),
    ]);
    assert_one_line_error(&out, &["same.csv: all 30 rows are identical"]);
}

/// `tune --candidates` that the model cannot take are refused, naming the candidate (a
/// k-means model silently dropped `neon-lean@1`, and with nothing left said "no conserving
/// NEON rule set explains these rows"); reference rows with nothing to flip name the file.
#[test]
fn tune_names_a_candidate_the_model_cannot_take_and_the_file_with_nothing_to_flip() {
    let IrisCase {
        dir,
        out,
        km,
        km_ref,
        ..
    } = iris_case("review-tune", "tuned.json");
    let out = out.as_str();
    for candidates in ["neon-lean@1", "neon-path@auto,neon-lean@1"] {
        let run_out = run(&[
            "tune",
            "-m",
            &km,
            "--reference",
            &km_ref,
            "-o",
            out,
            "--candidates",
            candidates,
        ]);
        assert_one_line_error(
            &run_out,
            &[
                "`candidates`",
                "neon-lean@1",
                "not defined for kmeans models",
            ],
        );
    }
    assert!(!Path::new(out).exists());
    // Candidates it can take still tune.
    let run_out = run(&[
        "tune",
        "-m",
        &km,
        "--reference",
        &km_ref,
        "-o",
        out,
        "-q",
        "--candidates",
        "neon-path@auto,neon@1",
    ]);
    assert!(run_out.status.success(), "{}", stderr(&run_out));

    // The OC-SVM's reference row (its training mean) is an inlier: nothing to flip.
    let oc = model_path("ocsvm_breast_cancer.json");
    let info = stdout(&run(&["info", "-m", &oc, "--json"]));
    let info: serde_json::Value = serde_json::from_str(&info).unwrap();
    let row = |key: &str| -> String {
        let values = info[key].as_array().unwrap().iter();
        values
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(",")
    };
    let inliers = dir.join("inliers.csv");
    std::fs::write(
        &inliers,
        format!("{}\n{}\n", row("feature_names"), row("reference")),
    )
    .unwrap();
    let run_out = run(&[
        "tune",
        "-m",
        &oc,
        "--reference",
        inliers.to_str().unwrap(),
        "-o",
        dir.join("oc.json").to_str().unwrap(),
    ]);
    assert_one_line_error(
        &run_out,
        &["inliers.csv: none of the 1 selected reference rows"],
    );
}

/// A kept column named like an output column (or kept twice) would write a header with the
/// same name twice, which `spray` and `plot` then refuse ("duplicate column name") or, for
/// `plot embedding`, read the wrong `cluster` from: refused before anything is written.
#[test]
fn a_kept_column_may_not_repeat_an_output_column_name() {
    let dir = scratch("review-keep-repeat");
    let input = dir.join("in.csv");
    std::fs::write(
        &input,
        format!("logit,{IRIS_HEADER}\n7,5,3,1,0.2\n7,6,3,4,1.2\n7,6.5,3,5,2\n"),
    )
    .unwrap();
    let input = input.to_str().unwrap();
    let out = dir.join("out.csv");
    std::fs::write(&out, "previous\n").unwrap();
    let out = out.to_str().unwrap();
    let km = model_path("kmeans_iris.json");
    for (args, name) in [
        (
            vec![
                "explain", "-m", &km, "-i", input, "-o", out, "--keep", "logit",
            ],
            "\"logit\"",
        ),
        (
            vec![
                "score", "-m", &km, "-i", input, "-o", out, "--keep", "logit",
            ],
            "\"logit\"",
        ),
        (
            vec![
                "explain",
                "-m",
                &km,
                "-i",
                input,
                "-o",
                out,
                "--ignore-extra",
                "--keep",
                "sepal_width_cm,sepal_width_cm",
            ],
            "\"sepal_width_cm\"",
        ),
    ] {
        assert_one_line_error(&run(&args), &["`keep`", "two columns named", name]);
        assert_eq!(std::fs::read_to_string(out).unwrap(), "previous\n");
    }
    // spray: its `cluster` column and a kept `cluster` (k-means explain output).
    let explained = dir.join("explained.csv");
    let explained = explained.to_str().unwrap();
    let ok = run(&[
        "explain",
        "-m",
        &km,
        "-i",
        &model_path("kmeans_iris.input.csv"),
        "-o",
        explained,
    ]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    let run_out = run(&["spray", "-r", explained, "-o", out, "--keep", "cluster"]);
    assert_one_line_error(&run_out, &["`keep`", "two columns named \"cluster\""]);
    assert_eq!(std::fs::read_to_string(out).unwrap(), "previous\n");
    assert_eq!(
        other_files(&dir, &["in.csv", "out.csv", "explained.csv"]),
        Vec::<String>::new()
    );
}

/// `verify` on a table without rows has checked nothing, so it says so instead of "ok".
#[test]
fn verify_without_rows_is_an_error_not_an_ok() {
    let dir = scratch("review-verify-no-rows");
    let header = iris_header_only(&dir);
    let km = model_path("kmeans_iris.json");
    let run_out = run(&["verify", "-m", &km, "-i", &header]);
    assert_one_line_error(
        &run_out,
        &[&format!("{header}: "), "no data rows to verify"],
    );
    assert!(stdout(&run_out).is_empty(), "{}", stdout(&run_out));
}

/// DBSCAN's options with k-means clustering are refused, not silently ignored (`--eps -1`
/// used to run); with `--clustering dbscan` they act.
#[test]
fn spray_refuses_dbscan_options_without_dbscan() {
    let case = iris_case("review-spray-eps", "out.csv");
    let out = case.out.as_str();
    for (option, value) in [("--eps", "-1"), ("--eps", "0.3"), ("--min-samples", "4")] {
        let run_out = case.spray(&[option, value]);
        let name = option.trim_start_matches("--").replace('-', "_");
        assert_one_line_error(&run_out, &[&format!("`{name}`"), "--clustering dbscan"]);
        assert!(!Path::new(out).exists(), "{option} {value} wrote an output");
    }
    let run_out = case.spray(&["--clustering", "dbscan", "--eps", "-1"]);
    assert_one_line_error(&run_out, &["eps"]);
    let run_out = case.spray(&[
        "--clustering",
        "dbscan",
        "--eps",
        "0.3",
        "--min-samples",
        "4",
    ]);
    assert!(run_out.status.success(), "{}", stderr(&run_out));
    assert!(Path::new(out).exists());
}
