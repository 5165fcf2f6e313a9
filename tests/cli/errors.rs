//! Failures: one clear stderr line naming file, line, column or field; exit codes; and an
//! existing output file left untouched with no temporary file beside it.

use crate::support::*;
use std::path::Path;

const IRIS_HEADER: &str = "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm";
const OLD: &str = "previous contents\n";

/// Run `explain` with `input` (written to in.csv) and `model` (a path), into an out.csv that
/// already exists; return (exit code, stderr) after checking the output is untouched and no
/// other file appeared.
fn explain_fails(test: &str, model: &str, input: &[u8], extra: &[&str]) -> (i32, String) {
    let dir = scratch(test);
    let in_path = dir.join("in.csv");
    std::fs::write(&in_path, input).unwrap();
    let out_path = dir.join("out.csv");
    std::fs::write(&out_path, OLD).unwrap();
    let mut args = vec![
        "explain",
        "-m",
        model,
        "-i",
        in_path.to_str().unwrap(),
        "-o",
        out_path.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = run(&args);
    assert_untouched(&dir, &out_path);
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    (out.status.code().unwrap(), err)
}

fn assert_untouched(dir: &Path, out_path: &Path) {
    assert_eq!(std::fs::read_to_string(out_path).unwrap(), OLD);
    assert_eq!(
        other_files(dir, &["in.csv", "out.csv", "model.json"]),
        Vec::<String>::new(),
        "no temporary file may remain"
    );
}

/// Expect exit 1 and exactly one stderr line containing every `needle`.
fn assert_error(code: i32, err: &str, needles: &[&str]) {
    assert_eq!(code, 1, "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("error: "), "{err}");
    for needle in needles {
        assert!(err.contains(needle), "{err:?} should contain {needle:?}");
    }
}

fn iris(rows: &[&str]) -> Vec<u8> {
    let mut text = format!("{IRIS_HEADER}\n");
    for r in rows {
        text += r;
        text.push('\n');
    }
    text.into_bytes()
}

fn iris_model() -> String {
    model_path("kmeans_iris.json")
}

#[test]
fn bad_cells_name_file_line_column_and_value() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "ragged",
            "1,2,3",
            &["in.csv", "line 3", "3 field(s)", "header has 4"],
        ),
        (
            "non-numeric",
            "1,2,abc,4",
            &["line 3", "\"petal_length_cm\"", "\"abc\""],
        ),
        (
            "nan",
            "1,NaN,3,4",
            &["line 3", "\"sepal_width_cm\"", "not a finite number", "NaN"],
        ),
        (
            "inf",
            "1,2,3,-inf",
            &["line 3", "\"petal_width_cm\"", "-inf"],
        ),
        (
            "empty-cell",
            "1,,3,4",
            &["line 3", "\"sepal_width_cm\"", "empty cell"],
        ),
    ];
    for (test, bad, needles) in cases {
        let (code, err) = explain_fails(test, &iris_model(), &iris(&["5,3,1,0.2", bad]), &[]);
        assert_error(code, &err, needles);
    }
}

#[test]
fn a_bad_cell_beyond_the_first_chunks_names_its_line() {
    // data row 20,000 is on line 20,001; several 4,096-row chunks were already written
    let mut rows = vec!["5,3,1,0.2"; 30_000];
    rows[19_999] = "5,3,oops,0.2";
    let (code, err) = explain_fails("row-20000", &iris_model(), &iris(&rows), &[]);
    assert_error(
        code,
        &err,
        &["in.csv", "line 20001,", "\"petal_length_cm\"", "\"oops\""],
    );
}

/// `rows` data rows of iris features behind a quoted `note` column: quotes, delimiters,
/// CR, LF and CRLF inside the notes, and the three line endings between rows, so that rows
/// cross the reader's blocks at every kind of place. Row `r` starts on line `lines[r]`.
fn tricky_iris(rows: usize, cell: impl Fn(usize) -> String) -> (Vec<u8>, Vec<u64>) {
    let notes = [
        "plain",
        "\"a,b\"",
        "\"two\nlines\"",
        "\"cr\r\nlf\"",
        "\"q\"\"uote\"",
        "",
    ];
    let endings = ["\n", "\r\n", "\r"];
    let mut text = format!("note,{IRIS_HEADER}\r\n");
    let mut line = 2;
    let mut lines = Vec::new();
    for r in 0..rows {
        let note = notes[r % notes.len()];
        lines.push(line);
        text += &format!("{note},5,{},1,0.2{}", cell(r), endings[r % 4 % 3]);
        line += 1 + note.matches('\n').count() as u64;
        if r % 5 == 0 {
            text += "\r\n"; // a blank line (after a lone CR too)
            line += 1;
        }
    }
    (text.into_bytes(), lines)
}

#[test]
fn errors_in_a_later_block_of_quoted_multiline_crlf_rows_name_their_line() {
    let bad = 9_001;
    // A bad cell, then a row with one field too many, in the third block.
    let cases: [(&str, &str, &str, &[&str]); 2] = [
        (
            "late-bad-cell",
            "3;x",
            ",",
            &["\"sepal_width_cm\"", "\"3;x\""],
        ),
        (
            "late-wide-row",
            "3,4",
            ":",
            &["has 6 field(s), the header has 5"],
        ),
    ];
    for (case, cell, after_line, needles) in cases {
        let (input, lines) =
            tricky_iris(12_000, |r| if r == bad { cell.into() } else { "3".into() });
        let line = format!("line {}{after_line}", lines[bad]);
        for threads in ["1", "2"] {
            let extra = ["--keep", "note", "--threads", threads];
            let (code, err) =
                explain_fails(&format!("{case}-{threads}"), &iris_model(), &input, &extra);
            let mut expected = vec!["in.csv", line.as_str()];
            expected.extend_from_slice(needles);
            assert_error(code, &err, &expected);
        }
    }
}

#[test]
fn the_first_error_in_input_order_is_reported_whatever_the_threads() {
    // Row 5,000 cannot be explained (block 2) and row 9,000 cannot be parsed (block 3,
    // parsed while block 2 is explained): the earlier row's error is the one reported.
    let mut rows = vec!["5,3,1,0.2"; 12_000];
    rows[5_000] = "1.7e308,-1.7e308,1.7e308,1.7e308";
    rows[9_000] = "5,3,oops,0.2";
    for threads in ["1", "2"] {
        let (code, err) = explain_fails(
            &format!("first-error-{threads}"),
            &iris_model(),
            &iris(&rows),
            &["--threads", threads],
        );
        assert_error(code, &err, &["in.csv", "line 5002:", "not a finite number"]);
    }
}

#[test]
fn a_row_too_far_from_the_model_names_its_line() {
    let mut rows = vec!["5,3,1,0.2"; 20_000];
    // Finite input whose standardized value overflows (scale < 1).
    rows[18_000] = "1.7e308,-1.7e308,1.7e308,1.7e308";
    let (code, err) = explain_fails("far-kmeans", &iris_model(), &iris(&rows), &[]);
    assert_error(
        code,
        &err,
        &["in.csv", "line 18002:", "not a finite number"],
    );

    let mut rows = vec!["1,2,3,4,5"; 20_000];
    rows[17_000] = "1e200,1e200,1e200,1e200,1e200";
    let input = format!("x0,x1,x2,x3,x4\n{}\n", rows.join("\n"));
    let model = model_path("ocsvm_blobs.json");
    let (code, err) = explain_fails("far-ocsvm", &model, input.as_bytes(), &[]);
    assert_error(code, &err, &["in.csv", "line 17002:", "overflows"]);
}

#[test]
fn header_problems_name_the_columns() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "missing-column",
            "sepal_length_cm,sepal_width_cm,petal_length_cm\n1,2,3\n",
            &["line 1", "missing feature column(s) petal_width_cm"],
        ),
        (
            "duplicate-column",
            "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm,sepal_width_cm\n1,2,3,4,5\n",
            &["line 1", "duplicate column name \"sepal_width_cm\"", "columns 2 and 5"],
        ),
        (
            "extra-columns",
            "id,sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm,note\n1,2,3,4,5,x\n",
            &["line 1", "id, note", "--ignore-extra"],
        ),
        ("empty-file", "", &["in.csv", "empty"]),
    ];
    for (test, input, needles) in cases {
        let (code, err) = explain_fails(test, &iris_model(), input.as_bytes(), &[]);
        assert_error(code, &err, needles);
    }
    let (code, err) = explain_fails(
        "missing-keep",
        &iris_model(),
        &iris(&["1,2,3,4"]),
        &["--keep", "id"],
    );
    assert_error(code, &err, &["--keep", "id"]);
}

#[test]
fn extra_columns_pass_with_ignore_extra() {
    let input =
        "id,sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm,note\n1,2,3,4,5,x\n";
    let out = run_with_stdin(
        &[
            "score",
            "-m",
            &iris_model(),
            "-i",
            "-",
            "-o",
            "-",
            "--ignore-extra",
            "--keep",
            "id",
        ],
        input.as_bytes(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("id,cluster,logit\n1,"));
}

#[test]
fn missing_input_and_unreadable_input() {
    let dir = scratch("missing-input");
    let out_path = dir.join("out.csv");
    std::fs::write(&out_path, OLD).unwrap();
    let missing = dir.join("nope.csv");
    for input in [missing.to_str().unwrap(), dir.to_str().unwrap()] {
        let out = run(&[
            "explain",
            "-m",
            &iris_model(),
            "-i",
            input,
            "-o",
            out_path.to_str().unwrap(),
        ]);
        assert_error(out.status.code().unwrap(), &stderr(&out), &[input]);
        assert_untouched(&dir, &out_path);
    }
}

/// Write a variant of a shipped model file and expect `explain` (and `info`) to refuse it.
fn model_fails(test: &str, model_json: &str, needles: &[&str]) {
    let dir = scratch(test);
    let model = dir.join("model.json");
    std::fs::write(&model, model_json).unwrap();
    let out_path = dir.join("out.csv");
    std::fs::write(&out_path, OLD).unwrap();
    std::fs::write(dir.join("in.csv"), iris(&["1,2,3,4"])).unwrap();
    let in_path = dir.join("in.csv");
    let out = run(&[
        "explain",
        "-m",
        model.to_str().unwrap(),
        "-i",
        in_path.to_str().unwrap(),
        "-o",
        out_path.to_str().unwrap(),
    ]);
    let mut all = vec!["model.json"];
    all.extend_from_slice(needles);
    assert_error(out.status.code().unwrap(), &stderr(&out), &all);
    assert_untouched(&dir, &out_path);
    let info = run(&["info", "-m", model.to_str().unwrap()]);
    assert_error(info.status.code().unwrap(), &stderr(&info), &all);
}

fn iris_json() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(iris_model()).unwrap()).unwrap()
}

#[test]
fn bad_model_files_name_the_field() {
    model_fails("not-json", "this is not json", &["not a valid model file"]);
    let mut m = iris_json();
    m["model"] = "kmedoids".into();
    model_fails("unknown-model", &m.to_string(), &["`model`", "kmedoids"]);
    let mut m = iris_json();
    m.as_object_mut().unwrap().remove("centroids");
    model_fails("lacks-field", &m.to_string(), &["`centroids`", "missing"]);
    let mut m = iris_json();
    m["centroids"][1] = serde_json::json!([1.0, 2.0, 3.0]);
    model_fails(
        "ragged-centroids",
        &m.to_string(),
        &["`centroids[1]`", "3 entries"],
    );
    let mut m = iris_json();
    m["scaler"]["scale"] = serde_json::json!([1.0, 1.0]);
    model_fails("scaler-dims", &m.to_string(), &["scaler"]);
    let mut m = iris_json();
    m["beta"] = serde_json::json!(-2.0);
    model_fails("negative-beta", &m.to_string(), &["`beta`", "-2"]);
    let mut m = iris_json();
    m["centroids"][0][0] = "x".into();
    model_fails(
        "wrong-type",
        &m.to_string(),
        &["`centroids[0][0]`", "invalid type"],
    );
    let svm = std::fs::read_to_string(model_path("ocsvm_blobs.json")).unwrap();
    let mut m: serde_json::Value = serde_json::from_str(&svm).unwrap();
    m["rho"] = serde_json::json!(-0.5);
    model_fails("negative-rho", &m.to_string(), &["`rho`", "-0.5"]);
}

#[test]
fn out_of_range_parameters_exit_1() {
    let input = iris(&["5,3,1,0.2"]);
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["--cluster", "3"],
            &["cluster", "below the number of clusters (3), got 3"],
        ),
        (&["--beta", "0"], &["beta", "got 0"]),
        (&["--beta", "NaN"], &["beta", "NaN"]),
        (&["--beta=-1"], &["beta", "-1"]),
        (&["--threads", "0"], &["threads"]),
        (&["--linear-rule", "bogus"], &["bogus"]),
    ];
    for (i, (extra, needles)) in cases.iter().enumerate() {
        let (code, err) = explain_fails(&format!("param-{i}"), &iris_model(), &input, extra);
        assert_error(code, &err, needles);
    }
    // --cluster is checked before any row is read, and only k-means has clusters.
    let header_only = format!("{IRIS_HEADER}\n");
    let (code, err) = explain_fails(
        "cluster-header-only",
        &iris_model(),
        header_only.as_bytes(),
        &["--cluster", "9"],
    );
    assert_error(code, &err, &["cluster"]);
    let (code, err) = explain_fails(
        "cluster-ocsvm",
        &model_path("ocsvm_blobs.json"),
        b"x0,x1,x2,x3,x4\n1,2,3,4,5\n",
        &["--cluster", "0"],
    );
    assert_error(code, &err, &["only k-means"]);
}

#[test]
fn what_clap_rejects_exits_2() {
    for args in [
        vec!["explain", "-m", "m.json", "-i", "in.csv"], // no --output
        vec!["explain", "--bogus"],
        vec!["frobnicate"],
        vec![
            "explain",
            "-m",
            "m.json",
            "-i",
            "-",
            "-o",
            "-",
            "--delimiter",
            "ab",
        ],
        vec![
            "explain",
            "-m",
            "m.json",
            "-i",
            "-",
            "-o",
            "-",
            "--cluster",
            "-1",
        ],
        vec!["verify", "-m", "m.json", "-i", "-", "--tolerance", "x"],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
    assert_eq!(run(&["--help"]).status.code(), Some(0));
}

#[test]
fn a_linear_rule_on_a_kernel_model_is_refused() {
    // New with the redesign: the old binary ignored --linear-rule on kernel models.
    for (i, (model, input)) in [
        ("ocsvm_blobs.json", &b"x0,x1,x2,x3,x4\n1,2,3,4,5\n"[..]),
        ("kde_iris.json", &iris(&["5,3,1,0.2"])[..]),
    ]
    .into_iter()
    .enumerate()
    {
        for rule in ["lrp0", "zb"] {
            let (code, err) = explain_fails(
                &format!("linear-rule-kernel-{i}-{rule}"),
                &model_path(model),
                input,
                &["--linear-rule", rule],
            );
            assert_error(code, &err, &["linear-rule", "no linear layer"]);
        }
    }
    // The default linear rule, named explicitly, is accepted on a kernel model.
    let out = run(&[
        "explain",
        "-m",
        &model_path("ocsvm_blobs.json"),
        "-i",
        &model_path("ocsvm_blobs.input.csv"),
        "-o",
        "-",
        "--linear-rule",
        "midpoint",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_linear_rule_with_neon_path_on_kmeans_is_refused() {
    // neon-path (the k-means default) has no linear rule to set: named or by default.
    for (i, extra) in [&["--rule", "neon-path"][..], &[][..]]
        .into_iter()
        .enumerate()
    {
        let mut args = vec!["--linear-rule", "lrp0"];
        args.extend_from_slice(extra);
        let (code, err) = explain_fails(
            &format!("linear-rule-neon-path-kmeans-{i}"),
            &iris_model(),
            &iris(&["5,3,1,0.2"]),
            &args,
        );
        assert_error(code, &err, &["linear-rule", "neon-path", "--rule neon"]);
    }
}

#[test]
fn kernel_only_rule_sets_are_refused_on_kmeans() {
    for rule in ["hybrid", "neon-floor"] {
        let (code, err) = explain_fails(
            &format!("rule-{rule}-kmeans"),
            &iris_model(),
            &iris(&["5,3,1,0.2"]),
            &["--rule", rule],
        );
        // "RULE is not defined for kmeans models (they support neon, neon-ref, neon-path)"
        assert_error(
            code,
            &err,
            &[
                "rule",
                rule,
                "kmeans",
                "not defined",
                "neon, neon-ref, neon-path",
            ],
        );
    }
    // ... and through --method NAME@BETA as well.
    let (code, err) = explain_fails(
        "method-hybrid-kmeans",
        &iris_model(),
        &iris(&["5,3,1,0.2"]),
        &["--method", "hybrid@0.5"],
    );
    assert_error(code, &err, &["hybrid", "kmeans"]);
}
